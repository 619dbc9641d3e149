//! What `#[payload]` adds for a filter: each field's operator as a schema keyword
//! (`"x-eventwire-filter": "gte priority"`), which the TypeScript generator writes as a
//! JSDoc tag (`@filter gte priority`). `#[payload]` runs before the derives, so it is the
//! one that can still add `#[schemars(...)]` attributes.

use super::attr::field_attrs;
use crate::ctxt::Errors;

/// Adds `#[schemars(extend(...))]` to every field carrying `#[filter(OP, ...)]`.
pub(crate) fn annotate(input: &mut syn::DeriveInput) {
    let syn::Data::Struct(data) = &mut input.data else {
        return;
    };
    for field in data.fields.iter_mut() {
        if !field.attrs.iter().any(|a| a.path().is_ident("filter")) {
            continue;
        }
        // Mistakes are `#[derive(Filter)]`'s to report, once.
        let errors = Errors::new();
        let attrs = field_attrs(&errors, field);
        let _ = errors.finish();
        let (Some(attrs), Some(ident)) = (attrs, &field.ident) else {
            continue;
        };
        let target = attrs
            .field
            .as_ref()
            .map_or_else(|| ident.to_string(), |(_, target)| target.to_string());
        let tag = format!("{} {}", attrs.op.0.name(), target.trim_start_matches("r#"));
        field
            .attrs
            .push(syn::parse_quote!(#[schemars(extend("x-eventwire-filter" = #tag))]));
    }
}
