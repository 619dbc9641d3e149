//! `#[payload]`: one declaration gives serde, JSON Schema and validation.
//!
//! The attribute adds the serde and schemars derives (through eventwire's private path, so
//! users need no extra dependencies) and eventwire's `Validate` derive. Before that it refuses
//! the serde shapes whose wire form the schema could not describe faithfully.

use proc_macro2::TokenStream;
use quote::quote;
use serde_derive_internals::ast::Data;

use crate::ctxt::Errors;
use crate::krate::{CratePath, Krate};

pub(crate) fn expand(args: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    let mut input: syn::DeriveInput = syn::parse2(item.clone())?;
    crate::filter::schema::annotate(&mut input);
    let errors = Errors::new();
    let given = crate_arg(&errors, args);
    let krate = Krate::new(given.as_ref());
    crate::binary::rewrite_fields(&errors, &krate, &mut input);
    check(&errors, &input);
    crate::integers::check(&errors, &input);
    let rename = generic_schema_name(&input);
    let (serde, schemars) = (
        krate.join("__private::serde"),
        krate.join("__private::schemars"),
    );
    // The derived `Validate` needs the path too; it reads it from its own attribute.
    let validate_crate = given.map(|path| quote!(#[validate(crate = #path)]));
    let derives = quote! {
        #[derive(
            #krate::__private::serde::Serialize,
            #krate::__private::serde::Deserialize,
            #krate::__private::schemars::JsonSchema,
            #krate::Validate,
        )]
        #[serde(crate = #serde)]
        #[schemars(crate = #schemars)]
        #validate_crate
        #rename
    };
    match errors.finish() {
        Ok(()) => Ok(quote!(#derives #input)),
        // Keep the item and its derives so code using it (and its `#[serde]` attributes)
        // reports only the real mistake.
        Err(error) => {
            let error = error.into_compile_error();
            let derives = if matches!(input.data, syn::Data::Union(_)) {
                quote!()
            } else {
                derives
            };
            Ok(quote!(#error #derives #input))
        }
    }
}

/// `#[payload]` takes one optional argument, `crate = "path"`: the runtime's path for a user
/// who renamed the dependency (serde's `#[serde(crate = "...")]`).
fn crate_arg(errors: &Errors, args: TokenStream) -> Option<CratePath> {
    if args.is_empty() {
        return None;
    }
    let parser = |input: syn::parse::ParseStream<'_>| {
        input.parse::<syn::Token![crate]>()?;
        input.parse::<syn::Token![=]>()?;
        let path: CratePath = input.parse()?;
        input.parse::<Option<syn::Token![,]>>()?;
        Ok(path)
    };
    match syn::parse::Parser::parse2(parser, args.clone()) {
        Ok(path) => Some(path),
        Err(_) => {
            errors.error_at(&args, "`#[payload]` takes only `crate = \"path\"` (for a renamed eventwire dependency); configure the type with `#[serde(...)]` and `#[validate(...)]`");
            None
        }
    }
}

/// Refuses what eventwire cannot describe faithfully, with a message that says what to do.
fn check(errors: &Errors, input: &syn::DeriveInput) {
    if let syn::Data::Union(u) = &input.data {
        errors.error_at(
            u.union_token,
            "a payload must be a struct or an enum; unions have no serde form",
        );
        return;
    }
    for attr in &input.attrs {
        if attr.path().is_ident("derive") {
            let _ = attr.parse_nested_meta(|meta| {
                let name = meta.path.segments.last().map(|s| s.ident.to_string()).unwrap_or_default();
                if matches!(name.as_str(), "Serialize" | "Deserialize" | "JsonSchema" | "Validate") {
                    errors.error_at(&meta.path, format_args!("`#[payload]` already derives `{name}`; remove it from this `#[derive(...)]`"));
                }
                Ok(())
            });
        }
    }
    if let Some(lifetime) = input.generics.lifetimes().next() {
        errors.error_at(lifetime, "a payload must own its data (it outlives the message it was read from); use `String` and `Vec<u8>` instead of borrowed references");
    }

    let Some(container) = crate::serde_ast::read(input) else {
        return;
    };

    if let Some(remote) = container.attrs.remote() {
        errors.error_at(
            remote,
            "`#[serde(remote)]` cannot be a payload; declare the payload type itself",
        );
    }
    let custom_message = "changes what goes on the wire, so the field's Rust type no longer describes it; \
         add `#[schemars(with = \"WireType\")]` naming a type with the same JSON form";
    let mut fields: Vec<_> = Vec::new();
    match &container.data {
        Data::Struct(_, fs) => fields.extend(fs.iter()),
        Data::Enum(variants) => {
            for v in variants {
                let custom =
                    v.attrs.serialize_with().is_some() || v.attrs.deserialize_with().is_some();
                if custom && !has_schema_override(&v.original.attrs) {
                    errors.error_at(
                        &v.original.ident,
                        format_args!("`#[serde(with = ...)]` on a variant {custom_message}"),
                    );
                }
                fields.extend(v.fields.iter());
            }
        }
    }
    for field in fields {
        let custom =
            field.attrs.serialize_with().is_some() || field.attrs.deserialize_with().is_some();
        if custom && !has_schema_override(&field.original.attrs) {
            errors.error_at(
                field.original,
                format_args!("`#[serde(with = ...)]` {custom_message}"),
            );
        }
        if field.attrs.getter().is_some() {
            errors.error_at(
                field.original,
                "`#[serde(getter)]` belongs to remote derives, which cannot be payloads",
            );
        }
    }
}

/// Whether `#[schemars(with = ...)]` or `#[schemars(schema_with = ...)]` names the wire type.
pub(crate) fn has_schema_override(attrs: &[syn::Attribute]) -> bool {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("schemars"))
        .filter_map(|a| a.meta.require_list().ok())
        .any(|list| {
            let tokens: Vec<_> = list.tokens.clone().into_iter().collect();
            tokens.windows(2).any(|pair| match pair {
                [
                    proc_macro2::TokenTree::Ident(key),
                    proc_macro2::TokenTree::Punct(eq),
                ] => (key == "with" || key == "schema_with") && eq.as_char() == '=',
                _ => false,
            })
        })
}

/// Names each instance of a generic payload after its arguments (`Page<User>` is described
/// as `PageOf_User`, `PageOfUser` in TypeScript), so instances get distinct, readable TypeScript names; schemars would
/// otherwise name them `Page`, `Page2`, ... in first-use order. A `#[schemars(rename)]` of
/// the user's wins.
fn generic_schema_name(input: &syn::DeriveInput) -> TokenStream {
    let params: Vec<String> = input
        .generics
        .type_params()
        .map(|p| format!("{{{}}}", p.ident))
        .collect();
    let renamed = input
        .attrs
        .iter()
        .filter(|a| a.path().is_ident("schemars"))
        .any(|a| {
            a.meta
                .require_list()
                .map(|list| {
                    list.tokens
                        .clone()
                        .into_iter()
                        .any(|t| matches!(&t, proc_macro2::TokenTree::Ident(i) if i == "rename"))
                })
                .unwrap_or(false)
        });
    if params.is_empty() || renamed {
        return TokenStream::new();
    }
    // Underscores mark word starts for the TypeScript names (`PageOf_string` -> `PageOfString`).
    let name = format!("{}Of_{}", input.ident, params.join("_And_"));
    quote!(#[schemars(rename = #name)])
}
