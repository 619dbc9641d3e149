//! Derive macros for [eventwire](https://docs.rs/eventwire). Use them through the
//! `eventwire` crate, which re-exports them and provides the traits they implement.

mod binary;
mod contract;
mod ctxt;
mod filter;
mod integers;
mod keys;
mod krate;
mod payload;
mod serde_ast;
mod validate;

use proc_macro::TokenStream;

/// Declares a payload: serde, JSON Schema and validation from one declaration. Use it as
/// `eventwire::payload`, which documents it.
#[proc_macro_attribute]
pub fn payload(args: TokenStream, item: TokenStream) -> TokenStream {
    payload::expand(args.into(), item.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Derives `eventwire::Validate` from `#[validate(...)]` attributes. Use it as
/// `eventwire::Validate`, which documents it.
#[proc_macro_derive(Validate, attributes(validate))]
pub fn derive_validate(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    validate::expand::expand(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// The event names socket.io reserves, as a `&[&str]` expression: how the runtime's
/// `RESERVED_EVENTS` shares the derive's list. Not public API.
#[doc(hidden)]
#[proc_macro]
pub fn __reserved_events(_: TokenStream) -> TokenStream {
    let names = contract::check::RESERVED;
    quote::quote!(&[#(#names),*]).into()
}

/// The prefix of eventwire's own event names (`"eventwire:"`), as a string literal: how
/// the runtime names its own events with the derive's rule. Not public API.
#[doc(hidden)]
#[proc_macro]
pub fn __own_event_prefix(_: TokenStream) -> TokenStream {
    let prefix = contract::check::OWN_PREFIX;
    quote::quote!(#prefix).into()
}

/// 2^53 − 1 as a `u64` literal: how the runtime's `wire::MAX_SAFE_INTEGER` shares the
/// bound the payload check applies. Not public API.
#[doc(hidden)]
#[proc_macro]
pub fn __max_safe_integer(_: TokenStream) -> TokenStream {
    let max = proc_macro2::Literal::u64_suffixed(integers::MAX_SAFE as u64);
    quote::quote!(#max).into()
}

/// Derives `eventwire::Contract`, the `<Name>Handlers` trait and typed emit constructors
/// from an enum listing a namespace's events. Use it as `eventwire::Contract`, which
/// documents it.
#[proc_macro_derive(
    Contract,
    attributes(contract, client, server, feed, prop, upload, download)
)]
pub fn derive_contract(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    contract::expand::expand(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Derives `eventwire::Filter` (matcher, SQL fragment) from `#[filter(...)]` attributes on
/// a `#[payload]` struct. Use it as `eventwire::Filter`, which documents it.
#[proc_macro_derive(Filter, attributes(filter))]
pub fn derive_filter(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    filter::expand::expand(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
