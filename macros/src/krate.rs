//! The path generated code names the runtime by: `::eventwire`, or the one given with
//! `crate = "..."` by a user who renamed the dependency (serde's `#[serde(crate = "...")]`).

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::parse::{Parse, ParseStream};

/// The runtime's path in generated code.
#[derive(Clone)]
pub(crate) struct Krate(syn::Path);

impl Krate {
    /// `given` when the user wrote `crate = ...`, else `::eventwire`.
    pub(crate) fn new(given: Option<&CratePath>) -> Self {
        match given {
            Some(CratePath(path)) => Self(path.clone()),
            None => Self(syn::parse_quote!(::eventwire)),
        }
    }

    /// `<crate>::<rest>` as the string an attribute such as `#[serde(with = "...")]` takes.
    pub(crate) fn join(&self, rest: &str) -> String {
        let path = &self.0;
        format!("{}::{rest}", quote!(#path)).replace(' ', "")
    }

    /// Whether `segments` name `<crate>::<rest...>`, however the user wrote the crate's
    /// leading `::`.
    pub(crate) fn names(&self, segments: &[String], rest: &[&str]) -> bool {
        let own: Vec<String> = self
            .0
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect();
        segments.len() == own.len() + rest.len()
            && segments[..own.len()] == own[..]
            && segments[own.len()..].iter().zip(rest).all(|(a, b)| a == b)
    }
}

impl ToTokens for Krate {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        self.0.to_tokens(tokens);
    }
}

/// The value of `crate = ...`: a path, written as serde takes it (`crate = "renamed"`) or
/// bare (`crate = renamed`).
pub(crate) struct CratePath(pub(crate) syn::Path);

impl Parse for CratePath {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        if input.peek(syn::LitStr) {
            let lit: syn::LitStr = input.parse()?;
            return lit.parse().map(Self).map_err(|_| {
                syn::Error::new_spanned(
                    &lit,
                    "`crate` names the eventwire dependency by its path, e.g. `crate = \"renamed\"`",
                )
            });
        }
        syn::Path::parse_mod_style(input).map(Self)
    }
}

impl ToTokens for CratePath {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        self.0.to_tokens(tokens);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn given(text: &str) -> Krate {
        Krate::new(Some(&syn::parse_str::<CratePath>(text).expect("a path")))
    }

    #[test]
    fn the_default_is_the_absolute_eventwire_path() {
        let krate = Krate::new(None);
        assert_eq!(
            krate.join("__private::serde"),
            "::eventwire::__private::serde"
        );
        assert!(krate.names(&["eventwire".into(), "Bytes".into()], &["Bytes"]));
    }

    #[test]
    fn a_given_path_replaces_it_in_both_spellings() {
        for text in ["\"ew\"", "ew", "\"::ew\""] {
            let krate = given(text);
            assert!(krate.join("Validate").ends_with("ew::Validate"), "{text}");
            assert!(krate.names(
                &["ew".into(), "bytes".into(), "Bytes".into()],
                &["bytes", "Bytes"]
            ));
            assert!(!krate.names(&["eventwire".into(), "Bytes".into()], &["Bytes"]));
        }
        assert_eq!(given("\"re::exported\"").join("feed"), "re::exported::feed");
    }
}
