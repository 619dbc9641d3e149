//! `#[derive(Validate)]`: checks generated from `#[validate(...)]`, reporting wire paths.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use serde_derive_internals::ast::{Data, Field, Style};
use serde_derive_internals::attr::TagType;

use super::attr::{self, Rule, RuleKind};
use crate::ctxt::Errors;
use crate::krate::Krate;

pub(crate) fn expand(input: &syn::DeriveInput) -> syn::Result<TokenStream> {
    let krate = attr::container_crate(&input.attrs);
    match checks(&krate, input) {
        Ok(tokens) => Ok(tokens),
        Err(error) => {
            // A mistake in one attribute should read as one error, not as that error plus
            // one for every use of the type as a payload: keep an impl (thiserror's
            // `fallback.rs` does the same).
            let mut out = error.into_compile_error();
            out.extend(fallback(&krate, input));
            Ok(out)
        }
    }
}

/// A `Validate` impl that stands in while the attributes have errors; it is never run,
/// because the crate does not compile.
fn fallback(krate: &Krate, input: &syn::DeriveInput) -> TokenStream {
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let payload = incoming_payload(krate, input, &input.generics);
    quote! {
        #[doc(hidden)]
        const _: () = {
            #[automatically_derived]
            impl #impl_generics #krate::Validate for #ident #ty_generics #where_clause {
                fn validate_into(&self, _: &mut #krate::Report) {
                    ::core::unreachable!()
                }
            }
            #payload
        };
    }
}

/// `IncomingPayload` for the type, when its serde and schemars derives are there too. The
/// bound is higher-ranked so that a type without them (one that is only ever sent, say)
/// still compiles: the impl then just does not hold. A plain `where Type: Trait` on a type
/// without parameters would be an error of its own.
fn incoming_payload(
    krate: &Krate,
    input: &syn::DeriveInput,
    generics: &syn::Generics,
) -> TokenStream {
    let ident = &input.ident;
    let mut generics = generics.clone();
    generics
        .make_where_clause()
        .predicates
        .push(syn::parse_quote! {
            for<'__de> Self: #krate::__private::serde::de::DeserializeOwned
                + #krate::__private::schemars::JsonSchema
                + #krate::Validate
                + ::core::marker::Send
                + 'static
        });
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    quote! {
        #[automatically_derived]
        impl #impl_generics #krate::IncomingPayload for #ident #ty_generics #where_clause {}
    }
}

/// The `Validate` impl, or every problem in the attributes.
fn checks(krate: &Krate, input: &syn::DeriveInput) -> syn::Result<TokenStream> {
    let errors = Errors::new();
    // Paths are reported with the names the client sends: the deserialize side.
    let Some(container) = crate::serde_ast::read(input) else {
        // serde's derive reports why. No fallback here: without serde's derive (a union,
        // say) nothing else would report it, and the type must not pass as validated.
        errors.finish()?;
        return Ok(TokenStream::new());
    };

    let customs = attr::container_rules(&errors, &input.attrs);
    let mut nested_types = Vec::new();
    let body = match &container.data {
        Data::Struct(style, fields) => {
            let accessors = fields.iter().map(|f| {
                let member = &f.member;
                quote!(&self.#member)
            });
            // A transparent struct is its one field on the wire, as a newtype is.
            let style = if container.attrs.transparent() {
                Style::Newtype
            } else {
                *style
            };
            let checks = fields_checks(
                krate,
                &errors,
                style,
                fields,
                accessors.collect(),
                &mut nested_types,
            );
            quote!(#(#checks)*)
        }
        Data::Enum(variants) => {
            let arms = variants.iter().map(|variant| {
                let ident = &variant.ident;
                let bindings: Vec<_> = (0..variant.fields.len())
                    .map(|i| format_ident!("__field{}", i))
                    .collect();
                let members = variant.fields.iter().map(|f| &f.member);
                let pattern = quote!(Self::#ident { #(#members: #bindings,)* });
                let accessors = bindings.iter().map(|b| quote!(#b)).collect();
                let checks = fields_checks(
                    krate,
                    &errors,
                    variant.style,
                    &variant.fields,
                    accessors,
                    &mut nested_types,
                );
                let name = variant.attrs.name().deserialize_name().to_owned();
                // Where the variant's content sits in the JSON decides the path prefix.
                let untagged = variant.attrs.untagged();
                let body = match container.attrs.tag() {
                    _ if untagged => quote!(#(#checks)*),
                    TagType::External => quote!(__report.at(#name, |__report| { #(#checks)* });),
                    TagType::Adjacent { content, .. } => {
                        quote!(__report.at(#content, |__report| { #(#checks)* });)
                    }
                    TagType::Internal { .. } | TagType::None => quote!(#(#checks)*),
                };
                quote!(#pattern => { #body })
            });
            quote! {
                #[allow(unused_variables)]
                match self { #(#arms)* }
            }
        }
    };
    errors.finish()?;

    let ident = &input.ident;
    let mut generics = input.generics.clone();
    {
        let where_clause = generics.make_where_clause();
        for ty in nested_types {
            where_clause
                .predicates
                .push(syn::parse_quote!(#ty: #krate::Validate));
        }
    }
    let payload = incoming_payload(krate, input, &generics);
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    let customs = customs
        .iter()
        .map(|f| quote_spanned!(f.span()=> #krate::__private::check::custom(__report, self, #f);));
    Ok(quote! {
        #[doc(hidden)]
        #[allow(non_upper_case_globals, unused_attributes, unused_qualifications, clippy::all)]
        const _: () = {
            #[automatically_derived]
            impl #impl_generics #krate::Validate for #ident #ty_generics #where_clause {
                fn validate_into(&self, __report: &mut #krate::Report) {
                    #body
                    #(#customs)*
                }
            }
            #payload
        };
    })
}

use syn::spanned::Spanned;

/// The checks of a list of fields; `accessors[i]` is an expression of type `&FieldType`.
fn fields_checks<'a>(
    krate: &Krate,
    errors: &Errors,
    style: Style,
    fields: &'a [Field<'a>],
    accessors: Vec<TokenStream>,
    nested_types: &mut Vec<&'a syn::Type>,
) -> Vec<TokenStream> {
    let mut out = Vec::new();
    for (index, (field, access)) in fields.iter().zip(accessors).enumerate() {
        let rules = attr::field_rules(errors, &field.original.attrs);
        if rules.is_empty() {
            continue;
        }
        if field.attrs.skip_deserializing() {
            errors.error_at(
                field.original,
                "a field skipped by `#[serde(skip)]` is never sent by the client; remove its `#[validate(...)]`",
            );
            continue;
        }
        let checks: Vec<_> = rules
            .iter()
            .map(|rule| {
                if matches!(rule.kind, RuleKind::Nested) {
                    nested_types.push(field.ty);
                }
                check(krate, rule, &access)
            })
            .collect();
        let segment = match style {
            // A newtype is its inner value on the wire, a flattened field sits in its parent.
            Style::Newtype => None,
            _ if field.attrs.flatten() => None,
            Style::Tuple => Some(quote!(#index)),
            Style::Struct | Style::Unit => {
                let name = field.attrs.name().deserialize_name();
                Some(quote!(#name))
            }
        };
        out.push(match segment {
            Some(segment) => quote!(__report.at(#segment, |__report| { #(#checks)* });),
            None => quote!(#(#checks)*),
        });
    }
    out
}

fn check(krate: &Krate, rule: &Rule, access: &TokenStream) -> TokenStream {
    let check = quote_spanned!(rule.span=> #krate::__private::check);
    let opt = |e: &Option<syn::Expr>| match e {
        Some(e) => quote!(::core::option::Option::Some(#e)),
        None => quote!(::core::option::Option::None),
    };
    match &rule.kind {
        RuleKind::Length { min, max, equal } => {
            let cast = |e: &Option<syn::Expr>| match e {
                Some(e) => quote!(::core::option::Option::Some((#e) as usize)),
                None => quote!(::core::option::Option::None),
            };
            let (min, max, equal) = (cast(min), cast(max), cast(equal));
            quote_spanned!(rule.span=> #check::length(__report, #access, #min, #max, #equal);)
        }
        RuleKind::Range { min, max } => {
            let (min, max) = (opt(min), opt(max));
            quote_spanned!(rule.span=> #check::range(__report, #access, #min, #max);)
        }
        RuleKind::Email => quote_spanned!(rule.span=> #check::email(__report, #access);),
        RuleKind::Url => quote_spanned!(rule.span=> #check::url(__report, #access);),
        RuleKind::Required => quote_spanned!(rule.span=> #check::required(__report, #access);),
        RuleKind::Regex { path } => {
            quote_spanned!(rule.span=> #check::regex(__report, #access, &#path);)
        }
        RuleKind::Contains { pattern } => {
            quote_spanned!(rule.span=> #check::contains(__report, #access, #pattern);)
        }
        RuleKind::Nested => {
            quote_spanned!(rule.span=> #krate::Validate::validate_into(#access, __report);)
        }
        RuleKind::Custom { function } => {
            quote_spanned!(rule.span=> #check::custom(__report, #access, #function);)
        }
    }
}
