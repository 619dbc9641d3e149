//! What `#[download]` variants add to `#[derive(Contract)]`'s output: handler methods (and
//! guards), the start dispatch and the shared acknowledgement and cancel arms, the
//! descriptions and the bound checks.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::ast::{Contract, Download};
use crate::krate::Krate;

/// What the handler returns: `Download`, or `Result<Download, E>` with `error = E`.
fn return_type(krate: &Krate, download: &Download<'_>) -> TokenStream {
    match &download.error {
        None => quote!(#krate::download::Download),
        Some(error) => quote!(::core::result::Result<#krate::download::Download, #error>),
    }
}

/// The handler trait's `<download>` (and `allow_<download>`) methods.
pub(crate) fn trait_methods(contract: &Contract<'_>) -> TokenStream {
    let ident = &contract.input.ident;
    let krate = &contract.krate;
    contract
        .downloads
        .iter()
        .map(|download| {
            let method = download.method_name();
            let request = download.request;
            let output = return_type(krate, download);
            let name = &download.name;
            let docs = download
                .variant
                .attrs
                .iter()
                .filter(|a| a.path().is_ident("doc"));
            let header = format!(
                "Answers the `{name}` download: the request (validated{}) names a file; return it \
                 as a `Download` (its size and a stream of its bytes){}. Nothing is sent before \
                 this answer. A client resuming after a lost connection asks again: this runs \
                 again, and the stream is read from the start (the bytes it holds are hashed, \
                 not sent).",
                if download.guard { ", and allowed by the guard" } else { "" },
                if download.error.is_some() { ", or the app's error" } else { "" },
            );
            let guard = download.guard.then(|| {
                let guard = download.guard_name();
                let doc = format!(
                    "Whether this socket may download `{name}` with this request, asked before the \
                     handler. `Err` answers the client with a `forbidden` fault."
                );
                quote! {
                    #[doc = #doc]
                    fn #guard(
                        &self,
                        cx: &#krate::Cx<#ident>,
                        request: &#request,
                    ) -> impl ::core::future::Future<Output = ::core::result::Result<(), #krate::Forbidden>> + ::core::marker::Send;
                }
            });
            quote_spanned! {download.variant.span()=>
                #[doc = #header]
                #[doc = ""]
                #(#docs)*
                fn #method(
                    &self,
                    cx: &#krate::Cx<#ident>,
                    request: #request,
                ) -> impl ::core::future::Future<Output = #output> + ::core::marker::Send;

                #guard
            }
        })
        .collect()
}

/// The arms of the generated dispatch: one start per download, then the shared ones.
pub(crate) fn dispatch_arms(contract: &Contract<'_>, trait_ident: &syn::Ident) -> TokenStream {
    if contract.downloads.is_empty() {
        return TokenStream::new();
    }
    let krate = &contract.krate;
    let private = quote!(#krate::__private);
    let starts = contract.downloads.iter().map(|download| {
        let name = &download.name;
        let request = download.request;
        let method = download.method_name();
        let guard = download.guard.then(|| {
            let guard = download.guard_name();
            quote! {
                if let ::core::result::Result::Err(__denied) = <__H as #trait_ident>::#guard(&*__handlers, __cx, &__request).await {
                    return __reply.forbidden(#name, __denied);
                }
            }
        });
        let file = match &download.error {
            None => quote!(__answer),
            Some(_) => quote! {
                match __answer {
                    ::core::result::Result::Ok(__file) => __file,
                    ::core::result::Result::Err(__error) => {
                        return __reply.answer(#private::Answer::Error(::std::boxed::Box::new(__error)));
                    }
                }
            },
        };
        quote_spanned! {request.span()=>
            #name => {
                let __start: #private::download::StartRequest<#request> = match __incoming.decode_request() {
                    ::core::result::Result::Ok(__start) => __start,
                    ::core::result::Result::Err(__fault) => return __reply.fault(__fault),
                };
                let (__request, __start) = __start.into_parts();
                #guard
                let __admitted = match __start.admit(__cx, #name) {
                    ::core::result::Result::Ok(__admitted) => __admitted,
                    ::core::result::Result::Err(__fault) => return __reply.fault(__fault),
                };
                let __reply = __reply.handling();
                let __answer = <__H as #trait_ident>::#method(&*__handlers, __cx, __request).await;
                let __file = #file;
                let __begun = __admitted.begin(__cx, #name, __file);
                __reply.answer_then(__begun.answer, __begun.then)
            }
        }
    });
    quote! {
        #(#starts)*
        // The runtime's own names: the arms match what its client sends and its docs list.
        #krate::download::ACK_EVENT => __reply.answer(#private::download::ack(__cx, &mut __incoming)),
        #krate::download::CANCEL_EVENT => __reply.answer(#private::download::cancel(__cx, &mut __incoming)),
    }
}

/// Stops the socket's downloads when it disconnects.
pub(crate) fn release(contract: &Contract<'_>) -> TokenStream {
    if contract.downloads.is_empty() {
        return TokenStream::new();
    }
    let krate = &contract.krate;
    quote!(#krate::__private::download::release(&__cx);)
}

/// The downloads' descriptions, for code generation.
pub(crate) fn descriptions(
    contract: &Contract<'_>,
    docs: impl Fn(&[syn::Attribute]) -> String,
) -> Vec<TokenStream> {
    let krate = &contract.krate;
    contract
        .downloads
        .iter()
        .map(|download| {
            let name = &download.name;
            let request = download.request;
            let variant = download.variant.ident.to_string();
            let docs = docs(&download.variant.attrs);
            let error = match &download.error {
                None => quote!(::core::option::Option::None),
                Some(error) => {
                    quote!(::core::option::Option::Some(__describer.outgoing::<#error>()))
                }
            };
            quote! {
                #krate::describe::DownloadDescription {
                    name: #name,
                    variant: #variant,
                    docs: #docs,
                    request: __describer.incoming::<#request>(),
                    error: #error,
                }
            }
        })
        .collect()
}

/// Bound checks at the user's types: the request is received, the error sent.
pub(crate) fn assertions(contract: &Contract<'_>) -> TokenStream {
    let krate = &contract.krate;
    let assert = |ty: &syn::Type, check: TokenStream| {
        quote_spanned! {ty.span()=>
            const _: fn() = || { #krate::__private::#check::<#ty>(); };
        }
    };
    let mut out = TokenStream::new();
    for download in &contract.downloads {
        out.extend(assert(download.request, quote!(assert_incoming_payload)));
        if let Some(error) = &download.error {
            out.extend(assert(error, quote!(assert_outgoing_payload)));
        }
    }
    out
}

/// Names each download variant and reads its payload once (see `declared_variants`).
pub(crate) fn declared(contract: &Contract<'_>) -> (Vec<TokenStream>, Vec<TokenStream>) {
    let ident = &contract.input.ident;
    contract
        .downloads
        .iter()
        .map(|download| {
            let (variant, request) = (&download.variant.ident, download.request);
            (
                quote!(let _ = #ident::#variant as fn(#request) -> #ident;),
                quote!(#ident::#variant(__request) => { let _ = __request; }),
            )
        })
        .unzip()
}
