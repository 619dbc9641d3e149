//! `crate = "path"`: where generated code finds eventwire, for users who renamed the
//! dependency (`wire = { package = "eventwire", ... }`) or reach it through a re-export.
//!
//! Generated code names the runtime `::eventwire` everywhere (STYLE: absolute paths). With
//! an override, the finished output is rewritten once, every `::eventwire` path start
//! becoming the given path, so no expansion code has to thread the path through, and new
//! generated code gets the override without anyone remembering to.

use proc_macro2::{Group, Spacing, TokenStream, TokenTree};
use quote::ToTokens;

/// The path given as `crate = "path"`, or why it is not one.
pub(crate) fn parse(lit: &syn::LitStr) -> syn::Result<syn::Path> {
    lit.parse::<syn::Path>().map_err(|_| {
        syn::Error::new_spanned(
            lit,
            "`crate` names the path to eventwire, e.g. `crate = \"my_eventwire\"`",
        )
    })
}

/// `path` as the string serde's and schemars' own `crate = "..."` take.
pub(crate) fn string(path: &syn::Path, suffix: &str) -> String {
    let path = path.to_token_stream().to_string().replace(' ', "");
    format!("{path}{suffix}")
}

/// `tokens` with every path starting `::eventwire` starting with `path` instead.
pub(crate) fn rewrite(tokens: TokenStream, path: Option<&syn::Path>) -> TokenStream {
    match path {
        Some(path) => replace(tokens, &path.to_token_stream()),
        None => tokens,
    }
}

/// Keywords a path can follow; any other identifier before `::eventwire` makes it the tail
/// of a longer path.
const KEYWORDS: &[&str] = &[
    "as", "async", "box", "break", "const", "continue", "dyn", "else", "enum", "extern", "fn",
    "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref",
    "return", "static", "struct", "trait", "type", "unsafe", "use", "where", "while", "yield",
];

fn replace(tokens: TokenStream, path: &TokenStream) -> TokenStream {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        // `::eventwire` at the start of a path, not inside one (`a::eventwire`, a user's
        // module): after a keyword (`impl ::eventwire::..`) or punctuation (`: ::eventwire`).
        let starts_path = match i.checked_sub(1).map(|j| &tokens[j]) {
            None => true,
            Some(TokenTree::Ident(ident)) => KEYWORDS.contains(&ident.to_string().as_str()),
            Some(_) => true,
        };
        match &tokens[i..] {
            [
                TokenTree::Punct(a),
                TokenTree::Punct(b),
                TokenTree::Ident(name),
                ..,
            ] if starts_path
                && a.as_char() == ':'
                && a.spacing() == Spacing::Joint
                && b.as_char() == ':'
                && name == "eventwire" =>
            {
                out.extend(path.clone());
                i += 3;
            }
            [TokenTree::Group(group), ..] => {
                let mut inner = Group::new(group.delimiter(), replace(group.stream(), path));
                inner.set_span(group.span());
                out.push(TokenTree::Group(inner));
                i += 1;
            }
            [token, ..] => {
                out.push(token.clone());
                i += 1;
            }
            [] => unreachable!("i < len"),
        }
    }
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn rewrites_path_starts_only() {
        let path: syn::Path = syn::parse_quote!(wire);
        let tokens = quote! {
            impl ::eventwire::Contract for X {
                fn f(d: &mut ::eventwire::describe::Describer) -> other::eventwire::Y {
                    let _: ::eventwire::Cx<Self> = x;
                    <T as ::eventwire::Validate>::validate(&t)
                }
            }
        };
        let expected = quote! {
            impl wire::Contract for X {
                fn f(d: &mut wire::describe::Describer) -> other::eventwire::Y {
                    let _: wire::Cx<Self> = x;
                    <T as wire::Validate>::validate(&t)
                }
            }
        };
        assert_eq!(
            rewrite(tokens, Some(&path)).to_string(),
            expected.to_string()
        );
    }

    #[test]
    fn serde_takes_the_path_as_a_string() {
        let path: syn::Path = syn::parse_quote!(::my::wire);
        assert_eq!(
            string(&path, "::__private::serde"),
            "::my::wire::__private::serde"
        );
    }
}
