//! Constructors for client events that say why they cannot be emitted.
//!
//! Server events get constructors (`Chat::message(msg)`) that `emit` accepts. A client event
//! has none, and without one rustc points at the enum's variant (`Chat::Join(..)`) and then
//! reports a type mismatch against `Outgoing`. So each client event gets a hidden
//! constructor with a bound that never holds, on a trait whose `on_unimplemented` message
//! names the event: calling it fails with "`join` is an event the client sends".

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};

use super::ast::Contract;
use super::attr::Direction;

pub(crate) fn constructors(contract: &Contract<'_>) -> TokenStream {
    let ident = &contract.input.ident;
    let vis = &contract.input.vis;
    let krate = &contract.krate;
    let items = contract
        .events
        .iter()
        .filter(|e| e.direction == Direction::ClientToServer)
        .map(|event| {
            let method = event.method_name();
            let name = &event.name;
            let marker = format_ident!("__EventwireClientEvent_{}", method.to_string().trim_start_matches("r#"));
            let message = format!(
                "`{name}` is an event the client sends; the server cannot emit it"
            );
            let label = format!("`{name}` is declared `#[client]` in `{ident}`");
            let note = format!(
                "to send it from the server, declare a `#[server]` event in `{ident}`; `{name}` reaches the server through `{ident}Handlers::{method}`",
                method = method.to_string().trim_start_matches("r#"),
            );
            let (param, payload_ty) = match event.payload {
                Some(ty) => (quote!(_: #ty), quote!(#ty)),
                None => (quote!(), quote!(())),
            };
            // The bound names a lifetime parameter, so it is checked where the constructor
            // is called, not (as a bound on concrete types would be) where it is declared.
            quote_spanned! {event.name_span=>
                #[diagnostic::on_unimplemented(message = #message, label = #label, note = #note)]
                #[allow(non_camel_case_types)]
                #vis trait #marker {}

                #[automatically_derived]
                impl #ident {
                    #[doc(hidden)]
                    #[allow(dead_code, clippy::extra_unused_lifetimes)]
                    #vis fn #method<'__eventwire>(#param) -> #krate::Outgoing<Self, #payload_ty, #krate::NoReply>
                    where
                        &'__eventwire (): #marker,
                    {
                        ::core::unreachable!("no type implements the marker trait")
                    }
                }
            }
        });
    quote!(#(#items)*)
}
