//! `#[derive(Filter)]`: the matcher, the SQL fragment and the index hooks.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};

use super::ast::{Field, Filter};
use super::attr::Op;
use super::check;
use crate::ctxt::Errors;
use crate::krate::Krate;

pub(crate) fn expand(input: &syn::DeriveInput) -> syn::Result<TokenStream> {
    let errors = Errors::new();
    let filter = Filter::from_ast(&errors, input);
    if let Some(filter) = &filter {
        check::check(&errors, filter);
    }
    match (errors.finish(), filter) {
        (Ok(()), Some(filter)) => Ok(generate(&filter)),
        (Err(error), filter) => {
            let mut out = error.into_compile_error();
            if let Some(filter) = filter {
                out.extend(fallback(&filter));
            }
            Ok(out)
        }
        (Ok(()), None) => unreachable!("a missing model always records an error"),
    }
}

fn item_type(filter: &Filter<'_>) -> TokenStream {
    match &filter.attrs.item {
        Some((_, item)) => quote!(#item),
        None => quote!(()),
    }
}

/// A `Filter` impl that matches nothing, so code using the filter reports only the real
/// mistake.
fn fallback(filter: &Filter<'_>) -> TokenStream {
    let ident = &filter.input.ident;
    let krate = &filter.krate;
    let item = item_type(filter);
    quote! {
        const _: () = {
            #[automatically_derived]
            impl #krate::Filter for #ident {
                type Item = #item;
                const HAS_CUSTOM: bool = false;
                const EQ_FIELDS: usize = 0;
                fn matches(&self, _: &Self::Item) -> bool { false }
                fn to_sql_from(&self, __style: #krate::feed::Placeholders, __first: usize) -> #krate::feed::Where {
                    #krate::feed::Where::new(__style, __first).finish()
                }
                fn index_entry(&self) -> ::core::option::Option<(usize, ::std::string::String)> { ::core::option::Option::None }
                fn index_values(_: &Self::Item) -> ::std::vec::Vec<::std::string::String> { ::std::vec::Vec::new() }
            }
        };
    }
}

fn generate(filter: &Filter<'_>) -> TokenStream {
    let ident = &filter.input.ident;
    let krate = &filter.krate;
    let item = item_type(filter);
    let tests = filter.fields.iter().map(|field| matcher(krate, field));
    let sql = filter.fields.iter().map(sql);
    let eq_fields: Vec<&Field<'_>> = filter.fields.iter().filter(|f| f.op == Op::Eq).collect();
    let eq_count = eq_fields.len();
    let entries = eq_fields.iter().enumerate().map(|(position, field)| {
        let name = field.ident;
        quote! {
            if let ::core::option::Option::Some(__value) = &self.#name {
                return ::core::option::Option::Some((#position, #krate::feed::index_text(__value)));
            }
        }
    });
    let values = eq_fields.iter().map(|field| {
        let target = &field.target;
        quote!(#krate::feed::index_text(&__item.#target))
    });
    let (has_custom, custom) = match &filter.attrs.custom {
        Some((_, path)) => (
            quote!(true),
            quote_spanned!(path.segments.last().map_or_else(proc_macro2::Span::call_site, |s| s.ident.span())=>
                let __custom: fn(&#ident, &#item) -> bool = #path;
                __custom(self, __item)
            ),
        ),
        None => (quote!(false), quote!(true)),
    };
    quote! {
        #[doc(hidden)]
        #[allow(unused_qualifications, clippy::all)]
        const _: () = {
            #[automatically_derived]
            impl #krate::Filter for #ident {
                type Item = #item;
                const HAS_CUSTOM: bool = #has_custom;
                const EQ_FIELDS: usize = #eq_count;

                fn matches(&self, __item: &#item) -> bool {
                    #(#tests)*
                    #custom
                }

                fn to_sql_from(&self, __style: #krate::feed::Placeholders, __first: usize) -> #krate::feed::Where {
                    let mut __clause = #krate::feed::Where::new(__style, __first);
                    #(#sql)*
                    __clause.finish()
                }

                fn index_entry(&self) -> ::core::option::Option<(usize, ::std::string::String)> {
                    #(#entries)*
                    ::core::option::Option::None
                }

                fn index_values(__item: &#item) -> ::std::vec::Vec<::std::string::String> {
                    ::std::vec![#(#values),*]
                }

                fn share_key(&self) -> ::core::option::Option<::std::string::String> {
                    #krate::feed::sql_share_key(self)
                }
            }
        };
    }
}

/// `if let Some(__value) = &self.f { if !<test> { return false; } }`, the test spanned at
/// the operator so an unsupported type is reported there.
fn matcher(krate: &Krate, field: &Field<'_>) -> TokenStream {
    let name = field.ident;
    let target = &field.target;
    // `__item.<target>` spanned where the user named the item field: a missing one is
    // reported there, with rustc's list of the item's fields.
    let item_field = quote_spanned!(target.span()=> (&__item.#target));
    let ops = quote!(#krate::__private::feed);
    let test = match field.op {
        Op::Eq => {
            quote_spanned!(field.op_span=> #krate::feed::Equality::equals(#item_field, __value))
        }
        Op::Ne => {
            quote_spanned!(field.op_span=> !#krate::feed::Equality::equals(#item_field, __value))
        }
        Op::In => {
            quote_spanned!(field.op_span=> __value.iter().any(|__one| #krate::feed::Equality::equals(#item_field, __one)))
        }
        Op::Gt => quote_spanned!(field.op_span=> #ops::ordered(#item_field) > __value),
        Op::Gte => quote_spanned!(field.op_span=> #ops::ordered(#item_field) >= __value),
        Op::Lt => quote_spanned!(field.op_span=> #ops::ordered(#item_field) < __value),
        Op::Lte => quote_spanned!(field.op_span=> #ops::ordered(#item_field) <= __value),
        Op::Between => quote_spanned!(field.op_span=> {
            let __field = #ops::ordered(#item_field);
            __field >= &__value.0 && __field <= &__value.1
        }),
        Op::Contains => quote_spanned!(field.op_span=>
            #krate::feed::contains_ignore_case(#ops::text(#item_field), ::std::string::String::as_str(__value))
        ),
    };
    quote! {
        if let ::core::option::Option::Some(__value) = &self.#name {
            if !(#test) {
                return false;
            }
        }
    }
}

fn sql(field: &Field<'_>) -> TokenStream {
    let name = field.ident;
    let column = &field.column;
    let call = match field.op {
        Op::Eq => quote!(__clause.compare(#column, "=", __value)),
        Op::Ne => quote!(__clause.compare(#column, "<>", __value)),
        Op::Gt => quote!(__clause.compare(#column, ">", __value)),
        Op::Gte => quote!(__clause.compare(#column, ">=", __value)),
        Op::Lt => quote!(__clause.compare(#column, "<", __value)),
        Op::Lte => quote!(__clause.compare(#column, "<=", __value)),
        Op::In => quote!(__clause.one_of(#column, __value)),
        Op::Between => quote!(__clause.between(#column, &__value.0, &__value.1)),
        Op::Contains => quote!(__clause.contains(#column, ::std::string::String::as_str(__value))),
    };
    quote! {
        if let ::core::option::Option::Some(__value) = &self.#name {
            #call;
        }
    }
}
