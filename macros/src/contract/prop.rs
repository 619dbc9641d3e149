//! `#[prop(value = T, error = E)]`: shared state, desugared before the contract is read.
//!
//! A prop is two declarations the rest of the pipeline already knows, written here as the
//! user would write them, so the handler trait, dispatch, descriptions, TypeScript and
//! AsyncAPI treat them like any other:
//!
//! ```text
//! /// <the prop's docs>
//! #[feed(item = eventwire::prop::Shared<T>, key = scope, filter = eventwire::prop::Scope<T>, error = E)]
//! Settings,
//! /// Writes `settings`: ...
//! #[client(ack = Result<Shared<T>, WriteError<T, E>>)]
//! WriteSettings(eventwire::prop::Write<T>),
//! ```
//!
//! The write variant exists only in the desugared input, never in the user's enum, so the
//! expansion leaves it out where it names the enum's variants ([`is_write`]).

use quote::{format_ident, quote, quote_spanned};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;

use super::ast::lower_camel;
use super::attr;
use crate::ctxt::Errors;
use crate::krate::Krate;

/// Marks the write event of a prop in the desugared input.
const WRITE_MARKER: &str = "eventwire_prop_write";

/// `input` with every `#[prop]` variant replaced by its feed and its write event.
pub(crate) fn desugar(errors: &Errors, input: &syn::DeriveInput) -> syn::DeriveInput {
    let mut out = input.clone();
    let syn::Data::Enum(data) = &mut out.data else {
        return out;
    };
    if !data.variants.iter().any(is_prop) {
        return out;
    }
    let krate = krate(&input.attrs);
    let declared: Vec<syn::Ident> = data.variants.iter().map(|v| v.ident.clone()).collect();
    let mut variants = Punctuated::new();
    for variant in std::mem::take(&mut data.variants) {
        if !is_prop(&variant) {
            variants.push(variant);
            continue;
        }
        let write = write_ident(&variant.ident);
        if let Some(taken) = declared.iter().find(|ident| **ident == write) {
            errors.error_at(
                taken,
                format_args!(
                    "the prop `{}` is written through its own event `{}` (variant `{write}`); give this variant another name",
                    variant.ident,
                    lower_camel(&write.to_string()),
                ),
            );
            continue;
        }
        if let Some([feed, write]) = expand(errors, &krate, &variant) {
            variants.push(feed);
            variants.push(write);
        }
    }
    data.variants = variants;
    out
}

/// Whether `variant` is a prop's write event, made by [`desugar`].
pub(crate) fn is_write(variant: &syn::Variant) -> bool {
    variant
        .attrs
        .iter()
        .any(|a| a.path().is_ident(WRITE_MARKER))
}

/// `Settings` -> `WriteSettings`, the variant of the prop's write event.
fn write_ident(prop: &syn::Ident) -> syn::Ident {
    format_ident!("Write{}", prop, span = prop.span())
}

fn is_prop(variant: &syn::Variant) -> bool {
    variant.attrs.iter().any(|a| a.path().is_ident("prop"))
}

/// The runtime's path, as `crate = "..."` on the contract gives it. Errors in the contract's
/// attributes are reported when the desugared contract is read.
fn krate(attrs: &[syn::Attribute]) -> Krate {
    let errors = Errors::new();
    let attrs = attr::contract_attrs(&errors, attrs);
    let _ = errors.finish();
    Krate::new(attrs.krate.as_ref().map(|(_, path)| path))
}

/// The feed and the write event of one prop.
fn expand(errors: &Errors, krate: &Krate, variant: &syn::Variant) -> Option<[syn::Variant; 2]> {
    let attrs = attr::prop_attrs(errors, variant)?;
    let ident = &variant.ident;
    if let Some(other) = variant.attrs.iter().find(|a| {
        ["client", "server", "feed", "upload", "download"]
            .iter()
            .any(|kind| a.path().is_ident(kind))
    }) {
        errors.error_at(
            other,
            "a prop is its own declaration: remove this attribute, or declare the prop on a variant of its own",
        );
        return None;
    }
    if !matches!(variant.fields, syn::Fields::Unit) {
        errors.error_at(
            &variant.fields,
            format_args!(
                "a prop is a unit variant: its value's type goes in `#[prop(value = ...)]`, e.g. `#[prop(value = Settings)] {ident}`"
            ),
        );
        return None;
    }
    let Some((_, value)) = attrs.value else {
        errors.error_at(
            &attrs.attr,
            "a prop names its value's type: `#[prop(value = Settings)]`",
        );
        return None;
    };
    let error = attrs.error.map(|(_, ty)| ty);
    let refused = error
        .clone()
        .unwrap_or_else(|| syn::parse_quote!(#krate::feed::NoError));
    let error_key = error.map(|ty| quote!(, error = #ty));
    let docs = variant.attrs.iter().filter(|a| a.path().is_ident("doc"));
    // Spanned at the value's type, so that a value that is not a payload is reported there.
    let span = value.span();
    let shared = quote_spanned!(span=> #krate::prop::Shared<#value>);
    let scope = quote_spanned!(span=> #krate::prop::Scope<#value>);
    let write = quote_spanned!(span=> #krate::prop::Write<#value>);
    let write_error = quote_spanned!(span=> #krate::prop::WriteError<#value, #refused>);
    let feed: syn::Variant = syn::parse_quote! {
        #(#docs)*
        #[feed(item = #shared, key = scope, filter = #scope #error_key)]
        #ident
    };
    let write_ident = write_ident(ident);
    let write_doc = format!(
        " Writes `{}`: the new value and the version it was read at. A write from another version changes nothing and gets a `conflict` carrying the current value.",
        lower_camel(&ident.to_string())
    );
    let marker = format_ident!("{}", WRITE_MARKER);
    let write: syn::Variant = syn::parse_quote! {
        #[doc = #write_doc]
        #[client(ack = Result<#shared, #write_error>)]
        #[#marker]
        #write_ident(#write)
    };
    Some([feed, write])
}
