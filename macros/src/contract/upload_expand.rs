//! What `#[upload]` variants add to `#[derive(Contract)]`'s output: handler methods (and
//! guards), the start dispatch and the shared chunk / finish / cancel / resume arms, the
//! descriptions and the bound checks.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::ast::{Ack, Contract, Upload};

fn ack_type(upload: &Upload<'_>) -> TokenStream {
    match &upload.ack {
        None => quote!(()),
        Some(Ack::Plain(ty)) => quote!(#ty),
        Some(Ack::Result { ok, err }) => quote!(::core::result::Result<#ok, #err>),
    }
}

/// The handler trait's `<upload>` (and `allow_<upload>`) methods.
pub(crate) fn trait_methods(contract: &Contract<'_>) -> TokenStream {
    let ident = &contract.input.ident;
    let krate = &contract.krate;
    contract
        .uploads
        .iter()
        .map(|upload| {
            let method = upload.method_name();
            let meta = upload.meta;
            let ack = ack_type(upload);
            let name = &upload.name;
            let docs = upload.variant.attrs.iter().filter(|a| a.path().is_ident("doc"));
            let header = format!(
                "Receives the `{name}` upload: its metadata (validated{}) and the file's bytes as \
                 a stream of chunks. The answer goes to the client when it finishes the upload \
                 (after the SHA-256 check); answering before the end stops the transfer.",
                if upload.guard { ", and allowed by the guard" } else { "" }
            );
            let guard = upload.guard.then(|| {
                let guard = upload.guard_name();
                let doc = format!(
                    "Whether this socket may upload `{name}` with this metadata, asked before the \
                     first byte. `Err` answers the client with a `forbidden` fault."
                );
                quote! {
                    #[doc = #doc]
                    fn #guard(
                        &self,
                        cx: &#krate::Cx<#ident>,
                        meta: &#meta,
                    ) -> impl ::core::future::Future<Output = ::core::result::Result<(), #krate::Forbidden>> + ::core::marker::Send;
                }
            });
            quote_spanned! {upload.variant.span()=>
                #[doc = #header]
                #[doc = ""]
                #(#docs)*
                fn #method(
                    &self,
                    cx: &#krate::Cx<#ident>,
                    meta: #meta,
                    upload: #krate::upload::Upload,
                ) -> impl ::core::future::Future<Output = #ack> + ::core::marker::Send;

                #guard
            }
        })
        .collect()
}

/// The arms of the generated dispatch: one start per upload, then the shared ones.
pub(crate) fn dispatch_arms(contract: &Contract<'_>, trait_ident: &syn::Ident) -> TokenStream {
    if contract.uploads.is_empty() {
        return TokenStream::new();
    }
    let krate = &contract.krate;
    let private = quote!(#krate::__private);
    let starts = contract.uploads.iter().map(|upload| {
        let name = &upload.name;
        let meta = upload.meta;
        let method = upload.method_name();
        let guard = upload.guard.then(|| {
            let guard = upload.guard_name();
            quote! {
                if let ::core::result::Result::Err(__denied) = <__H as #trait_ident>::#guard(&*__handlers, &__cx, &__meta).await {
                    return __reply.forbidden(#name, __denied);
                }
            }
        });
        let reply = match &upload.ack {
            None => quote!(#private::Answer::none(__answer)),
            Some(Ack::Plain(_)) => quote!(#private::Answer::data(__answer)),
            Some(Ack::Result { .. }) => quote!(#private::Answer::result(__answer)),
        };
        let max_size = match upload.max_size {
            Some(max) => quote!(::core::option::Option::Some(#max)),
            None => quote!(::core::option::Option::None),
        };
        quote_spanned! {meta.span()=>
            #name => {
                let __request: #private::upload::StartRequest<#meta> = match __incoming.decode_request() {
                    ::core::result::Result::Ok(__request) => __request,
                    ::core::result::Result::Err(__fault) => return __reply.fault(__fault),
                };
                let (__meta, __start) = __request.into_parts();
                #guard
                let (__upload, __admitted) = match __start.admit(&__cx, #name, #max_size) {
                    ::core::result::Result::Ok(__admitted) => __admitted,
                    ::core::result::Result::Err(__fault) => return __reply.fault(__fault),
                };
                // The handler runs in its own task, its answer going to `finish`.
                let (__handlers, __cx) = (::std::sync::Arc::clone(__handlers), ::core::clone::Clone::clone(__cx));
                __reply.answer(__admitted.run(#name, async move {
                    let __answer = <__H as #trait_ident>::#method(&*__handlers, &__cx, __meta, __upload).await;
                    #reply
                }))
            }
        }
    });
    quote! {
        #(#starts)*
        // The runtime's own names: the arms match what its client sends and its docs list.
        #krate::upload::CHUNK_EVENT => __reply.answer(#private::upload::chunk(__cx, &mut __incoming).await),
        #krate::upload::FINISH_EVENT => __reply.answer(#private::upload::finish(__cx, &mut __incoming).await),
        #krate::upload::CANCEL_EVENT => __reply.answer(#private::upload::cancel(__cx, &mut __incoming)),
        #krate::upload::RESUME_EVENT => __reply.answer(#private::upload::resume(__cx, &mut __incoming)),
    }
}

/// Leaves the socket's uploads waiting for a resume when it disconnects.
pub(crate) fn release(contract: &Contract<'_>) -> TokenStream {
    if contract.uploads.is_empty() {
        return TokenStream::new();
    }
    let krate = &contract.krate;
    quote!(#krate::__private::upload::release(&__cx);)
}

/// The uploads' descriptions, for code generation.
pub(crate) fn descriptions(
    contract: &Contract<'_>,
    docs: impl Fn(&[syn::Attribute]) -> String,
) -> Vec<TokenStream> {
    let krate = &contract.krate;
    contract
        .uploads
        .iter()
        .map(|upload| {
            let name = &upload.name;
            let meta = upload.meta;
            let variant = upload.variant.ident.to_string();
            let docs = docs(&upload.variant.attrs);
            let ack = match &upload.ack {
                None => quote!(::core::option::Option::None),
                Some(Ack::Plain(ty)) => quote! {
                    ::core::option::Option::Some(#krate::describe::AckDescription {
                        data: __describer.outgoing::<#ty>(),
                        error: ::core::option::Option::None,
                    })
                },
                Some(Ack::Result { ok, err }) => quote! {
                    ::core::option::Option::Some(#krate::describe::AckDescription {
                        data: __describer.outgoing::<#ok>(),
                        error: ::core::option::Option::Some(__describer.outgoing::<#err>()),
                    })
                },
            };
            let max_size = match upload.max_size {
                Some(max) => quote!(::core::option::Option::Some(#max)),
                None => quote!(::core::option::Option::None),
            };
            quote! {
                #krate::describe::UploadDescription {
                    name: #name,
                    variant: #variant,
                    docs: #docs,
                    meta: __describer.incoming::<#meta>(),
                    ack: #ack,
                    max_size: #max_size,
                }
            }
        })
        .collect()
}

/// Bound checks at the user's types: the metadata is received, the answer sent.
pub(crate) fn assertions(contract: &Contract<'_>) -> TokenStream {
    let krate = &contract.krate;
    let assert = |ty: &syn::Type, check: TokenStream| {
        quote_spanned! {ty.span()=>
            const _: fn() = || { #krate::__private::#check::<#ty>(); };
        }
    };
    let mut out = TokenStream::new();
    for upload in &contract.uploads {
        out.extend(assert(upload.meta, quote!(assert_incoming_payload)));
        match &upload.ack {
            None => {}
            Some(Ack::Plain(ty)) => out.extend(assert(ty, quote!(assert_outgoing_payload))),
            Some(Ack::Result { ok, err }) => {
                out.extend(assert(ok, quote!(assert_outgoing_payload)));
                out.extend(assert(err, quote!(assert_outgoing_payload)));
            }
        }
    }
    out
}

/// Names each upload variant and reads its payload once (see `declared_variants`).
pub(crate) fn declared(contract: &Contract<'_>) -> (Vec<TokenStream>, Vec<TokenStream>) {
    let ident = &contract.input.ident;
    contract
        .uploads
        .iter()
        .map(|upload| {
            let (variant, meta) = (&upload.variant.ident, upload.meta);
            (
                quote!(let _ = #ident::#variant as fn(#meta) -> #ident;),
                quote!(#ident::#variant(__meta) => { let _ = __meta; }),
            )
        })
        .unzip()
}
