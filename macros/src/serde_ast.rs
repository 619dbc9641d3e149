//! The one place the macros read serde's attributes: through `serde_derive_internals`, the
//! parser serde's own derive is built from, at the version `serde_derive` and
//! `schemars_derive` use, so eventwire reads `rename`, `rename_all`, `tag`, `flatten`,
//! `skip` and the rest exactly as serde does when it writes the wire form.

use serde_derive_internals::ast::Container;
use serde_derive_internals::{Ctxt, Derive};

/// serde's reading of `input`, from the deserializing side: the names and shapes a client
/// sends. `None` when serde cannot read the attributes; serde's own derive then reports
/// why, with its own messages, so nothing is reported here twice.
pub(crate) fn read(input: &syn::DeriveInput) -> Option<Container<'_>> {
    let cx = Ctxt::new();
    // The ident of serde's private module only shapes the `deserialize_with` path serde
    // fills in for borrowed `Cow` fields; payloads own their data, so it is never used.
    let private = syn::Ident::new("__private", proc_macro2::Span::call_site());
    let container = Container::from_ast(&cx, input, Derive::Deserialize, &private);
    let _ = cx.check();
    container
}
