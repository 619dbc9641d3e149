//! What `#[download]` variants add to `#[derive(Contract)]`'s output: handler methods (and
//! guards), the start dispatch and the runtime's acknowledgement and cancel arms, the
//! descriptions and the bound checks. The structure is the one uploads share
//! (`transfer_expand`); a download's own parts are the file its handler returns (or the
//! app's error) and the answer that starts the sending.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::Type;
use syn::spanned::Spanned;

use super::ast::Download;
use super::transfer_expand::{Declared, OwnEvent, Transfer};
use crate::krate::Krate;

impl Transfer for Download<'_> {
    const MODULE: &'static str = "download";
    const OWN_EVENTS: &'static [OwnEvent] = &[
        OwnEvent::immediate("ACK_EVENT", "ack"),
        OwnEvent::immediate("CANCEL_EVENT", "cancel"),
    ];
    const PAYLOAD: &'static str = "request";
    const DESCRIPTION: &'static str = "DownloadDescription";

    fn declared(&self) -> Declared<'_> {
        Declared {
            variant: self.variant,
            name: &self.name,
            payload: self.request,
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
        let or_error = self.error.as_ref().map_or("", |_| ", or the app's error");
        format!(
            "Answers the `{}` download: the request (validated{guarded}) names a file; return it \
             as a `Download` (its size and a stream of its bytes){or_error}. Nothing is sent \
             before this answer. A client resuming after a lost connection asks again: this runs \
             again, and the stream is read from the start (the bytes it holds are hashed, \
             not sent).",
            self.name,
        )
    }

    fn guard_doc(&self) -> String {
        format!(
            "Whether this socket may download `{}` with this request, asked before the \
             handler. `Err` answers the client with a `forbidden` fault.",
            self.name
        )
    }

    /// The handler takes the request only, and returns `Download`, or
    /// `Result<Download, E>` with `error = E`.
    fn handler_signature(&self, krate: &Krate) -> (TokenStream, TokenStream) {
        let output = match &self.error {
            None => quote!(#krate::download::Download),
            Some(error) => quote!(::core::result::Result<#krate::download::Download, #error>),
        };
        (TokenStream::new(), output)
    }

    fn admit_and_answer(&self, krate: &Krate, trait_ident: &syn::Ident) -> TokenStream {
        let private = quote!(#krate::__private);
        let name = &self.name;
        let method = self.method_name();
        let file = match &self.error {
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
        quote_spanned! {self.request.span()=>
            let __admitted = match __start.admit(__cx, #name) {
                ::core::result::Result::Ok(__admitted) => __admitted,
                ::core::result::Result::Err(__fault) => return __reply.fault(__fault),
            };
            let __reply = __reply.handling();
            let __answer = <__H as #trait_ident>::#method(&*__handlers, __cx, __payload).await;
            let __file = #file;
            let __begun = __admitted.begin(__cx, #name, __file);
            __reply.answer_then(__begun.answer, __begun.then)
        }
    }

    fn description_fields(&self, _: &Krate) -> TokenStream {
        let error = match &self.error {
            None => quote!(::core::option::Option::None),
            Some(error) => quote!(::core::option::Option::Some(__describer.outgoing::<#error>())),
        };
        quote!(error: #error,)
    }

    fn sent(&self) -> Vec<&Type> {
        self.error.iter().collect()
    }
}
