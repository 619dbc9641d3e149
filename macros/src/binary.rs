//! Binary fields of a `#[payload]`: `Bytes` travels as a Socket.IO binary attachment.
//!
//! serde has no bytes type of its own, so the wire form is decided by the field's type:
//! `bytes::Bytes` serializes with `serialize_bytes` (socketioxide makes it an attachment),
//! while `Vec<u8>` serializes as a sequence, a JSON array of numbers. schemars describes
//! `Bytes` as that array too, so each field whose type contains `Bytes` gets
//! `#[schemars(with = ...)]` naming the same type with `Bytes` replaced by
//! `eventwire::wire::Binary`. An unmarked `Vec<u8>` is refused; `#[payload(bytes)]` on a
//! `Vec<u8>` field sends it as bytes.

use quote::{ToTokens, quote};

use crate::ctxt::Errors;
use crate::krate::Krate;

syn::custom_keyword!(bytes);

/// Rewrites the fields of `input`: strips `#[payload(...)]` field attributes and adds the
/// serde and schemars attributes that make binary fields travel and be described as bytes.
pub(crate) fn rewrite_fields(errors: &Errors, krate: &Krate, input: &mut syn::DeriveInput) {
    let fields: Vec<&mut syn::Field> = match &mut input.data {
        syn::Data::Struct(data) => data.fields.iter_mut().collect(),
        syn::Data::Enum(data) => data
            .variants
            .iter_mut()
            .flat_map(|v| v.fields.iter_mut())
            .collect(),
        syn::Data::Union(_) => return,
    };
    for field in fields {
        let marked = take_marker(errors, &mut field.attrs);
        let schema_given = has_schema_with(&field.attrs);
        if let Some(marker) = marked {
            if !is_byte_vec(&field.ty) {
                errors.error_at(
                    marker,
                    "`#[payload(bytes)]` marks a `Vec<u8>` field; for other types use `eventwire::Bytes`",
                );
                continue;
            }
            let (with, binary) = (
                krate.join("__private::byte_vec"),
                krate.join("wire::Binary"),
            );
            field.attrs.push(syn::parse_quote!(#[serde(with = #with)]));
            if !schema_given {
                field
                    .attrs
                    .push(syn::parse_quote!(#[schemars(with = #binary)]));
            }
            continue;
        }
        // A field with its own `with` (checked by `payload::check`) chose its wire form.
        if !schema_given && let Some(vec) = find_byte_vec(&field.ty) {
            errors.error_at(
                vec,
                "a `Vec<u8>` would travel as a JSON array of numbers; use `eventwire::Bytes` to send \
                 binary data as a Socket.IO attachment (or mark a `Vec<u8>` field `#[payload(bytes)]`)",
            );
            continue;
        }
        if schema_given {
            continue;
        }
        let mut described = field.ty.clone();
        if replace_bytes(krate, &mut described) {
            // The string carries the field's span: schemars resolves the type it names there.
            let with = syn::LitStr::new(
                &described.to_token_stream().to_string(),
                syn::spanned::Spanned::span(&field.ty),
            );
            field
                .attrs
                .push(syn::parse_quote!(#[schemars(with = #with)]));
        }
    }
}

/// Removes the field's `#[payload(...)]` attributes; `Some` with the keyword when marked
/// `bytes`.
fn take_marker(errors: &Errors, attrs: &mut Vec<syn::Attribute>) -> Option<bytes> {
    let mut marker = None;
    attrs.retain(|attr| {
        if !attr.path().is_ident("payload") {
            return true;
        }
        let parsed = attr.parse_args_with(|input: syn::parse::ParseStream<'_>| {
            let keyword: bytes = input.parse()?;
            if !input.is_empty() {
                return Err(input.error("unexpected tokens after `bytes`"));
            }
            Ok(keyword)
        });
        match parsed {
            Ok(keyword) => marker = Some(keyword),
            Err(_) => errors.error_at(
                attr,
                "unknown `#[payload(...)]` field option; the one option is `bytes` (a `Vec<u8>` sent as binary data)",
            ),
        }
        false
    });
    marker
}

fn has_schema_with(attrs: &[syn::Attribute]) -> bool {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("schemars"))
        .filter_map(|a| a.meta.require_list().ok())
        .any(|list| {
            list.tokens.clone().into_iter().any(
                |t| matches!(&t, proc_macro2::TokenTree::Ident(i) if i == "with" || i == "schema_with"),
            )
        })
}

/// `Vec<u8>`, spelled any way ending in `Vec`.
fn is_byte_vec(ty: &syn::Type) -> bool {
    let syn::Type::Path(path) = ty else {
        return false;
    };
    let Some(last) = path.path.segments.last() else {
        return false;
    };
    if last.ident != "Vec" {
        return false;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return false;
    };
    matches!(
        args.args.first(),
        Some(syn::GenericArgument::Type(syn::Type::Path(inner))) if args.args.len() == 1 && inner.path.is_ident("u8")
    )
}

/// The first `Vec<u8>` inside `ty`.
fn find_byte_vec(ty: &syn::Type) -> Option<&syn::Type> {
    if is_byte_vec(ty) {
        return Some(ty);
    }
    inner_types(ty).into_iter().find_map(find_byte_vec)
}

fn inner_types(ty: &syn::Type) -> Vec<&syn::Type> {
    match ty {
        syn::Type::Path(path) => path
            .path
            .segments
            .iter()
            .flat_map(|segment| match &segment.arguments {
                syn::PathArguments::AngleBracketed(args) => args
                    .args
                    .iter()
                    .filter_map(|arg| match arg {
                        syn::GenericArgument::Type(ty) => Some(ty),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            })
            .collect(),
        syn::Type::Array(array) => vec![&*array.elem],
        syn::Type::Slice(slice) => vec![&*slice.elem],
        syn::Type::Paren(paren) => vec![&*paren.elem],
        syn::Type::Group(group) => vec![&*group.elem],
        syn::Type::Tuple(tuple) => tuple.elems.iter().collect(),
        _ => Vec::new(),
    }
}

/// Whether `path` names `bytes::Bytes`: `Bytes`, `bytes::Bytes`, `eventwire::Bytes` or
/// `eventwire::bytes::Bytes` (the runtime by its path in the generated code), with or
/// without a leading `::`.
fn is_bytes(krate: &Krate, path: &syn::TypePath) -> bool {
    if path.qself.is_some() || path.path.segments.iter().any(|s| !s.arguments.is_none()) {
        return false;
    }
    let names: Vec<String> = path
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    matches!(
        names
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .as_slice(),
        ["Bytes"] | ["bytes", "Bytes"]
    ) || krate.names(&names, &["Bytes"])
        || krate.names(&names, &["bytes", "Bytes"])
}

/// Replaces every `Bytes` in `ty` by the runtime's `wire::Binary`; whether any was found.
fn replace_bytes(krate: &Krate, ty: &mut syn::Type) -> bool {
    if let syn::Type::Path(path) = ty
        && is_bytes(krate, path)
    {
        *ty = syn::parse2(quote!(#krate::wire::Binary)).expect("a type");
        return true;
    }
    let mut found = false;
    match ty {
        syn::Type::Path(path) => {
            for segment in &mut path.path.segments {
                if let syn::PathArguments::AngleBracketed(args) = &mut segment.arguments {
                    for arg in &mut args.args {
                        if let syn::GenericArgument::Type(ty) = arg {
                            found |= replace_bytes(krate, ty);
                        }
                    }
                }
            }
        }
        syn::Type::Array(array) => found |= replace_bytes(krate, &mut array.elem),
        syn::Type::Slice(slice) => found |= replace_bytes(krate, &mut slice.elem),
        syn::Type::Paren(paren) => found |= replace_bytes(krate, &mut paren.elem),
        syn::Type::Group(group) => found |= replace_bytes(krate, &mut group.elem),
        syn::Type::Tuple(tuple) => {
            for elem in &mut tuple.elems {
                found |= replace_bytes(krate, elem);
            }
        }
        _ => {}
    }
    found
}
