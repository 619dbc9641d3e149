//! What `#[upload]` variants add to `#[derive(Contract)]`'s output: handler methods (and
//! guards), the start dispatch and the runtime's chunk / finish / cancel / resume arms, the
//! descriptions and the bound checks. The structure is the one downloads share
//! (`transfer_expand`); an upload's own parts are its handler's stream, its answer, the
//! handler run in its own task, and the largest size.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::Type;
use syn::spanned::Spanned;

use super::ast::{Ack, Upload};
use super::transfer_expand::{Declared, OwnEvent, Transfer};
use crate::krate::Krate;

fn ack_type(upload: &Upload<'_>) -> TokenStream {
    match &upload.ack {
        None => quote!(()),
        Some(Ack::Plain(ty)) => quote!(#ty),
        Some(Ack::Result { ok, err }) => quote!(::core::result::Result<#ok, #err>),
    }
}

fn max_size(upload: &Upload<'_>) -> TokenStream {
    match upload.max_size {
        Some(max) => quote!(::core::option::Option::Some(#max)),
        None => quote!(::core::option::Option::None),
    }
}

impl Transfer for Upload<'_> {
    const MODULE: &'static str = "upload";
    const OWN_EVENTS: &'static [OwnEvent] = &[
        OwnEvent::awaited("CHUNK_EVENT", "chunk"),
        OwnEvent::awaited("FINISH_EVENT", "finish"),
        OwnEvent::immediate("CANCEL_EVENT", "cancel"),
        OwnEvent::immediate("RESUME_EVENT", "resume"),
    ];
    const PAYLOAD: &'static str = "meta";
    const DESCRIPTION: &'static str = "UploadDescription";

    fn declared(&self) -> Declared<'_> {
        Declared {
            variant: self.variant,
            name: &self.name,
            payload: self.meta,
            handler: self.method_name(),
            guard: self.guard.then(|| self.guard_name()),
        }
    }

    fn handler_doc(&self) -> String {
        let guarded = if self.guard {
            ", and allowed by the guard"
        } else {
            ""
        };
        format!(
            "Receives the `{}` upload: its metadata (validated{guarded}) and the file's bytes as \
             a stream of chunks. The answer goes to the client when it finishes the upload \
             (after the SHA-256 check); answering before the end stops the transfer.",
            self.name,
        )
    }

    fn guard_doc(&self) -> String {
        format!(
            "Whether this socket may upload `{}` with this metadata, asked before the \
             first byte. `Err` answers the client with a `forbidden` fault.",
            self.name
        )
    }

    fn handler_signature(&self, krate: &Krate) -> (TokenStream, TokenStream) {
        (quote!(upload: #krate::upload::Upload,), ack_type(self))
    }

    fn admit_and_answer(&self, krate: &Krate, trait_ident: &syn::Ident) -> TokenStream {
        let private = quote!(#krate::__private);
        let name = &self.name;
        let method = self.method_name();
        let reply = match &self.ack {
            None => quote!(#private::Answer::none(__answer)),
            Some(Ack::Plain(_)) => quote!(#private::Answer::data(__answer)),
            Some(Ack::Result { .. }) => quote!(#private::Answer::result(__answer)),
        };
        let max_size = max_size(self);
        quote_spanned! {self.meta.span()=>
            let (__upload, __admitted) = match __start.admit(__cx, #name, #max_size) {
                ::core::result::Result::Ok(__admitted) => __admitted,
                ::core::result::Result::Err(__fault) => return __reply.fault(__fault),
            };
            // The handler runs in its own task, its answer going to `finish`.
            let (__handlers, __cx) = (::std::sync::Arc::clone(__handlers), ::core::clone::Clone::clone(__cx));
            __reply.answer(__admitted.run(#name, async move {
                let __answer = <__H as #trait_ident>::#method(&*__handlers, &__cx, __payload, __upload).await;
                #reply
            }))
        }
    }

    fn description_fields(&self, krate: &Krate) -> TokenStream {
        let ack = match &self.ack {
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
        let max_size = max_size(self);
        quote! {
            ack: #ack,
            max_size: #max_size,
        }
    }

    fn sent(&self) -> Vec<&Type> {
        match &self.ack {
            None => Vec::new(),
            Some(Ack::Plain(ty)) => vec![ty],
            Some(Ack::Result { ok, err }) => vec![ok, err],
        }
    }
}
