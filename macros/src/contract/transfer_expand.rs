//! The expansion uploads and downloads share: the handler method and its guard, the start
//! arm (decode, guard, then the kind's own admission and answer) and the runtime's own
//! arms, `release`, the descriptions, the bound checks and the declared variants. What
//! differs between the two kinds is a [`Transfer`] implementation, in `upload_expand` and
//! `download_expand`.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::Type;
use syn::spanned::Spanned;

use super::ast::Contract;
use crate::krate::Krate;

/// An event the runtime answers itself, the same for every transfer of a kind.
pub(crate) struct OwnEvent {
    /// The constant naming it in the runtime's module (`CHUNK_EVENT`).
    name: &'static str,
    /// The function of `__private::<module>` that answers it.
    answer: &'static str,
    /// Whether that function is async.
    awaited: bool,
}

impl OwnEvent {
    /// An event answered by an async function.
    pub(crate) const fn awaited(name: &'static str, answer: &'static str) -> Self {
        Self {
            name,
            answer,
            awaited: true,
        }
    }

    /// An event answered at once.
    pub(crate) const fn immediate(name: &'static str, answer: &'static str) -> Self {
        Self {
            name,
            answer,
            awaited: false,
        }
    }
}

/// What every upload and download declares.
pub(crate) struct Declared<'a> {
    pub(crate) variant: &'a syn::Variant,
    /// The event name that starts it.
    pub(crate) name: &'a str,
    /// The variant's payload, which the client sends with the start.
    pub(crate) payload: &'a Type,
    /// The handler method.
    pub(crate) handler: syn::Ident,
    /// The guard method, if it declares one.
    pub(crate) guard: Option<syn::Ident>,
}

/// One declared upload or download, and the parts of the expansion its kind owns.
pub(crate) trait Transfer {
    /// `upload` or `download`: the runtime's module, `<crate>::<module>` for the event names
    /// and `__private::<module>` for what dispatch calls.
    const MODULE: &'static str;
    /// The events the runtime answers itself for this kind.
    const OWN_EVENTS: &'static [OwnEvent];
    /// What the payload is (`meta`, `request`): the handler's and the guard's parameter,
    /// and the description's field.
    const PAYLOAD: &'static str;
    /// The description type, in `<crate>::describe`.
    const DESCRIPTION: &'static str;

    /// What every transfer declares.
    fn declared(&self) -> Declared<'_>;

    /// The handler's doc heading.
    fn handler_doc(&self) -> String;
    /// The guard's doc.
    fn guard_doc(&self) -> String;
    /// The handler's parameters after the payload, and what it returns.
    fn handler_signature(&self, krate: &Krate) -> (TokenStream, TokenStream);
    /// The rest of the start arm, once `__payload` is decoded and allowed and `__start`
    /// holds the rest of the start: admit, run the handler, answer.
    fn admit_and_answer(&self, krate: &Krate, trait_ident: &syn::Ident) -> TokenStream;
    /// The description's fields after the name, variant, docs and payload.
    fn description_fields(&self, krate: &Krate) -> TokenStream;
    /// The types the server sends for it (answers, errors).
    fn sent(&self) -> Vec<&Type>;
}

fn payload_ident<T: Transfer>() -> syn::Ident {
    syn::Ident::new(T::PAYLOAD, Span::call_site())
}

/// The handler trait's methods of `transfers`, and the guards of those that declare one.
pub(crate) fn trait_methods<T: Transfer>(contract: &Contract<'_>, transfers: &[T]) -> TokenStream {
    let ident = &contract.input.ident;
    let krate = &contract.krate;
    let parameter = payload_ident::<T>();
    transfers
        .iter()
        .map(|transfer| {
            let Declared {
                variant,
                payload,
                handler,
                guard,
                ..
            } = transfer.declared();
            let (more, output) = transfer.handler_signature(krate);
            let docs = variant.attrs.iter().filter(|a| a.path().is_ident("doc"));
            let header = transfer.handler_doc();
            let guard = guard.map(|guard| {
                let doc = transfer.guard_doc();
                quote! {
                    #[doc = #doc]
                    fn #guard(
                        &self,
                        cx: &#krate::Cx<#ident>,
                        #parameter: &#payload,
                    ) -> impl ::core::future::Future<Output = ::core::result::Result<(), #krate::Forbidden>> + ::core::marker::Send;
                }
            });
            quote_spanned! {variant.span()=>
                #[doc = #header]
                #[doc = ""]
                #(#docs)*
                fn #handler(
                    &self,
                    cx: &#krate::Cx<#ident>,
                    #parameter: #payload,
                    #more
                ) -> impl ::core::future::Future<Output = #output> + ::core::marker::Send;

                #guard
            }
        })
        .collect()
}

/// The arms of the generated dispatch: one start per transfer, then the runtime's own.
pub(crate) fn dispatch_arms<T: Transfer>(
    contract: &Contract<'_>,
    transfers: &[T],
    trait_ident: &syn::Ident,
) -> TokenStream {
    if transfers.is_empty() {
        return TokenStream::new();
    }
    let krate = &contract.krate;
    let private = quote!(#krate::__private);
    let module = format_ident!("{}", T::MODULE);
    let starts = transfers.iter().map(|transfer| {
        let Declared {
            name,
            payload,
            guard,
            ..
        } = transfer.declared();
        let guard = guard.map(|guard| {
            quote! {
                if let ::core::result::Result::Err(__denied) = <__H as #trait_ident>::#guard(&*__handlers, __cx, &__payload).await {
                    return __reply.forbidden(#name, __denied);
                }
            }
        });
        let rest = transfer.admit_and_answer(krate, trait_ident);
        quote_spanned! {payload.span()=>
            #name => {
                let __start: #private::#module::StartRequest<#payload> = match __incoming.decode_request() {
                    ::core::result::Result::Ok(__start) => __start,
                    ::core::result::Result::Err(__fault) => return __reply.fault(__fault),
                };
                let (__payload, __start) = __start.into_parts();
                #guard
                #rest
            }
        }
    });
    let own = T::OWN_EVENTS.iter().map(|own| {
        let event = format_ident!("{}", own.name);
        let answer = format_ident!("{}", own.answer);
        let awaited = own.awaited.then(|| quote!(.await));
        quote! {
            #krate::#module::#event => __reply.answer(#private::#module::#answer(__cx, &mut __incoming)#awaited),
        }
    });
    quote! {
        #(#starts)*
        // The runtime's own names: the arms match what its client sends and its docs list.
        #(#own)*
    }
}

/// What the runtime does with the socket's transfers when it disconnects.
pub(crate) fn release<T: Transfer>(contract: &Contract<'_>, transfers: &[T]) -> TokenStream {
    if transfers.is_empty() {
        return TokenStream::new();
    }
    let krate = &contract.krate;
    let module = format_ident!("{}", T::MODULE);
    quote!(#krate::__private::#module::release(&__cx);)
}

/// The transfers' descriptions, for code generation.
pub(crate) fn descriptions<T: Transfer>(
    contract: &Contract<'_>,
    transfers: &[T],
    docs: impl Fn(&[syn::Attribute]) -> String,
) -> Vec<TokenStream> {
    let krate = &contract.krate;
    let description = format_ident!("{}", T::DESCRIPTION);
    let field = payload_ident::<T>();
    transfers
        .iter()
        .map(|transfer| {
            let Declared {
                variant,
                name,
                payload,
                ..
            } = transfer.declared();
            let docs = docs(&variant.attrs);
            let variant = variant.ident.to_string();
            let fields = transfer.description_fields(krate);
            quote! {
                #krate::describe::#description {
                    name: #name,
                    variant: #variant,
                    docs: #docs,
                    #field: __describer.incoming::<#payload>(),
                    #fields
                }
            }
        })
        .collect()
}

/// Bound checks at the user's types: the payload is received, the rest sent.
pub(crate) fn assertions<T: Transfer>(contract: &Contract<'_>, transfers: &[T]) -> TokenStream {
    let krate = &contract.krate;
    let assert = |ty: &Type, check: TokenStream| {
        quote_spanned! {ty.span()=>
            const _: fn() = || { #krate::__private::#check::<#ty>(); };
        }
    };
    let mut out = TokenStream::new();
    for transfer in transfers {
        out.extend(assert(
            transfer.declared().payload,
            quote!(assert_incoming_payload),
        ));
        for sent in transfer.sent() {
            out.extend(assert(sent, quote!(assert_outgoing_payload)));
        }
    }
    out
}

/// Names each transfer's variant and reads its payload once (see `declared_variants`).
pub(crate) fn declared<T: Transfer>(
    contract: &Contract<'_>,
    transfers: &[T],
) -> (Vec<TokenStream>, Vec<TokenStream>) {
    let ident = &contract.input.ident;
    transfers
        .iter()
        .map(|transfer| {
            let Declared {
                variant, payload, ..
            } = transfer.declared();
            let variant = &variant.ident;
            (
                quote!(let _ = #ident::#variant as fn(#payload) -> #ident;),
                quote!(#ident::#variant(__payload) => { let _ = __payload; }),
            )
        })
        .unzip()
}
