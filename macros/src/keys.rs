//! Reading an attribute's keys (`#[name(flag, key = value, ...)]`), shared by every derive:
//! each key once, an unknown key named with the ones expected, every mistake recorded.

use quote::ToTokens;
use syn::parse::{Lookahead1, Parse, ParseStream};

use crate::ctxt::Errors;

/// Reads the keys of `attr` one at a time with `key`, which parses one key (and its value)
/// after peeking at it, or fails; the commas between keys are read here, and a failure is
/// recorded in `errors`. An attribute without a list (`#[name]`) has no keys; one written
/// `#[name = value]` is an error.
pub(crate) fn each_key(
    errors: &Errors,
    attr: &syn::Attribute,
    mut key: impl FnMut(ParseStream<'_>, Lookahead1<'_>) -> syn::Result<()>,
) {
    match &attr.meta {
        syn::Meta::List(_) => {}
        // `#[name]`: no keys.
        syn::Meta::Path(_) => return,
        syn::Meta::NameValue(pair) => {
            let name = pair.path.to_token_stream().to_string();
            errors.error_at(
                attr,
                format_args!("write the keys in parentheses: `#[{name}(key = value, ...)]`"),
            );
            return;
        }
    }
    let result = attr.parse_args_with(|input: ParseStream<'_>| {
        while !input.is_empty() {
            key(input, input.lookahead1())?;
            if !input.is_empty() {
                input.parse::<syn::Token![,]>()?;
            }
        }
        Ok(())
    });
    if let Err(error) = result {
        errors.push(error);
    }
}

/// Parses `key = value` into `slot` (reporting a second one) and returns the key.
pub(crate) fn key_value<'s, K: Parse + ToTokens, V: Parse>(
    input: ParseStream<'_>,
    errors: &Errors,
    slot: &'s mut Option<(K, V)>,
    name: &str,
) -> syn::Result<&'s K> {
    let key: K = input.parse()?;
    input.parse::<syn::Token![=]>()?;
    let value: V = input.parse()?;
    if slot.is_some() {
        errors.error_at(&key, format_args!("`{name}` is given twice"));
    }
    Ok(&slot.insert((key, value)).0)
}

/// Parses a bare `key` into `slot` (reporting a second one) and returns it.
pub(crate) fn flag<'s, K: Parse + ToTokens>(
    input: ParseStream<'_>,
    errors: &Errors,
    slot: &'s mut Option<K>,
    name: &str,
) -> syn::Result<&'s K> {
    let key: K = input.parse()?;
    if slot.is_some() {
        errors.error_at(&key, format_args!("`{name}` is given twice"));
    }
    Ok(slot.insert(key))
}

/// The error for a key `attr` does not know, listing the `allowed` ones.
pub(crate) fn unknown_key(input: ParseStream<'_>, attr: &str, allowed: &str) -> syn::Error {
    let found: proc_macro2::TokenTree = match input.parse() {
        Ok(tt) => tt,
        Err(e) => return e,
    };
    syn::Error::new_spanned(
        &found,
        format!("unknown key `{found}` in `{attr}`; expected one of: {allowed}"),
    )
}
