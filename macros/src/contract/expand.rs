//! `#[derive(Contract)]`: the handler trait, dispatch, typed emit constructors and the
//! contract's description.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use super::ast::{Ack, Contract, Event};
use super::attr::Direction;
use super::check;

use super::feed_expand;
use super::transfer_expand;
use crate::ctxt::Errors;
use crate::krate::Krate;

pub(crate) fn expand(input: &syn::DeriveInput) -> syn::Result<TokenStream> {
    let errors = Errors::new();
    let input = &super::prop::desugar(&errors, input);
    let contract = Contract::from_ast(&errors, input);
    if let Some(contract) = &contract {
        check::check(&errors, contract);
    }
    match (errors.finish(), contract) {
        (Ok(()), Some(contract)) => Ok(generate(&contract)),
        (Err(error), contract) => {
            // Keep the handler trait and `Contract` impl so code using them reports only the
            // real mistake, not a cascade of "not found" errors.
            let mut out = error.into_compile_error();
            if let Some(contract) = contract {
                out.extend(fallback(&contract));
            }
            Ok(out)
        }
        (Ok(()), None) => unreachable!("a missing model always records an error"),
    }
}

fn generate(contract: &Contract<'_>) -> TokenStream {
    let ident = &contract.input.ident;
    let handlers = handler_trait(contract);
    let contract_impl = contract_impl(contract);
    let dispatch = dispatch_impl(contract);
    let constructors = constructors(contract);
    let asserts = contract
        .events
        .iter()
        .map(|event| assertions(&contract.krate, event));
    let feed_asserts = feed_expand::assertions(contract);
    let upload_asserts = transfer_expand::assertions(contract, &contract.uploads);
    let download_asserts = transfer_expand::assertions(contract, &contract.downloads);
    let declared = declared_variants(contract);
    let client_only = super::client_only::constructors(contract);
    let feed_constructors = feed_expand::constructors(contract);
    quote! {
        #handlers
        #[doc(hidden)]
        #[allow(non_upper_case_globals, unused_attributes, unused_qualifications, clippy::all)]
        const _: () = {
            #client_only
            #contract_impl
            #dispatch
            #(#asserts)*
            #feed_asserts
            #upload_asserts
            #download_asserts
            #declared
        };
        #[automatically_derived]
        impl #ident {
            #constructors
            #feed_constructors
        }
    }
}

fn fallback(contract: &Contract<'_>) -> TokenStream {
    let ident = &contract.input.ident;
    let krate = &contract.krate;
    let handlers = handler_trait(contract);
    let contract_impl = contract_impl(contract);
    quote! {
        #handlers
        const _: () = { #contract_impl };
        // Every handler set "dispatches" so `mount` calls add no errors of their own.
        impl<__H: ::core::marker::Send + ::core::marker::Sync + 'static> #krate::__private::Dispatch<__H> for #ident {
            const CLIENT_EVENTS: &'static [&'static str] = &[];
            fn route<__V: #krate::__private::Route<Self, __H>>(_: __V) -> __V::Output {
                ::core::unreachable!()
            }
            fn authenticate(
                _: ::std::sync::Arc<__H>,
                _: ::core::option::Option<::std::string::String>,
            ) -> impl ::core::future::Future<Output = ::core::result::Result<Self::Identity, #krate::Refusal>> + ::core::marker::Send + 'static {
                async { ::core::unreachable!() }
            }
            fn disconnected(_: ::std::sync::Arc<__H>, _: #krate::Cx<Self>) -> impl ::core::future::Future<Output = ()> + ::core::marker::Send + 'static {
                async {}
            }
        }
    }
}

/// The socket identity type: `identity = T`, else the auth type, else `()`.
fn identity_type(contract: &Contract<'_>) -> TokenStream {
    match (&contract.attrs.identity, &contract.attrs.auth) {
        (Some((_, identity)), _) => quote!(#identity),
        (None, Some((_, auth))) => quote!(#auth),
        (None, None) => quote!(()),
    }
}

fn trait_ident(contract: &Contract<'_>) -> syn::Ident {
    format_ident!("{}Handlers", contract.input.ident)
}

fn docs(attrs: &[syn::Attribute]) -> String {
    let lines: Vec<String> = attrs
        .iter()
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) if nv.path.is_ident("doc") => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        })
        .map(|line| line.strip_prefix(' ').map(str::to_owned).unwrap_or(line))
        .collect();
    lines.join("\n").trim().to_owned()
}

fn doc_attrs(attrs: &[syn::Attribute]) -> impl Iterator<Item = &syn::Attribute> {
    attrs.iter().filter(|a| a.path().is_ident("doc"))
}

fn ack_type(event: &Event<'_>) -> TokenStream {
    match &event.ack {
        None => quote!(()),
        Some(Ack::Plain(ty)) => quote!(#ty),
        Some(Ack::Result { ok, err }) => quote!(::core::result::Result<#ok, #err>),
    }
}

fn handler_trait(contract: &Contract<'_>) -> TokenStream {
    let ident = &contract.input.ident;
    let krate = &contract.krate;
    let vis = &contract.input.vis;
    let trait_ident = trait_ident(contract);
    let summary = format!(
        "The handlers of [`{ident}`]'s client events: one async method per `#[client]` event.\n\n\
         Generated by `#[derive(Contract)]`. Implement it for your app type (which is also the app \
         state handlers see as `&self`) and mount it with [`eventwire::Server::contract`]({}).",
        krate.join("Server::contract"),
    );
    let on_unimplemented_message =
        format!("`{{Self}}` does not handle the client events of `{ident}`");
    let on_unimplemented_note = format!(
        "implement `{trait_ident}` for `{{Self}}`: one async method per `#[client]` event of `{ident}`"
    );
    let methods = contract
        .events
        .iter()
        .filter(|e| e.direction == Direction::ClientToServer)
        // A method named like a hook is reported by `check`; leaving it out keeps the
        // fallback trait free of a second, confusing error.
        .filter(|e| {
            !super::check::HOOKS.contains(&e.method_name().to_string().trim_start_matches("r#"))
        })
        .map(|event| {
            let method = event.method_name();
            let docs = doc_attrs(&event.variant.attrs);
            let name = &event.name;
            let header = format!("Handles the `{name}` event.");
            let payload = event.payload.map(|ty| quote!(, payload: #ty));
            let ack = ack_type(event);
            quote_spanned! {event.variant.span()=>
                #[doc = #header]
                #[doc = ""]
                #(#docs)*
                fn #method(
                    &self,
                    cx: &#krate::Cx<#ident>
                    #payload
                ) -> impl ::core::future::Future<Output = #ack> + ::core::marker::Send;
            }
        });
    let guards = contract.events.iter().filter(|e| e.guard).map(|event| {
        let guard = event.guard_name();
        let doc = format!(
            "Whether this socket may send `{}` with this payload. `Err` answers the client with a \
             `forbidden` fault and the handler does not run.",
            event.name
        );
        let payload = event.payload.map(|ty| quote!(, payload: &#ty));
        quote! {
            #[doc = #doc]
            fn #guard(
                &self,
                cx: &#krate::Cx<#ident>
                #payload
            ) -> impl ::core::future::Future<Output = ::core::result::Result<(), #krate::Forbidden>> + ::core::marker::Send;
        }
    });
    let feed_methods = feed_expand::trait_methods(contract);
    let upload_methods = transfer_expand::trait_methods(contract, &contract.uploads);
    let download_methods = transfer_expand::trait_methods(contract, &contract.downloads);
    let authenticate = contract.attrs.auth.as_ref().map(|(_, auth)| {
        let identity = identity_type(contract);
        let (param, body) = match &contract.attrs.identity {
            // Without an identity type, the validated auth payload is the identity.
            None => (
                quote!(__auth),
                quote!({ async move { ::core::result::Result::Ok(__auth) } }),
            ),
            Some(_) => (quote!(auth), quote!(;)),
        };
        quote! {
            /// Turns the handshake auth (already deserialized and validated) into the
            /// socket's identity, or refuses the connection: the client gets `connect_error`
            /// with the refusal's message. Handlers read the identity with `cx.identity()`.
            fn authenticate(
                &self,
                #param: #auth,
            ) -> impl ::core::future::Future<Output = ::core::result::Result<#identity, #krate::Refusal>> + ::core::marker::Send
            #body
        }
    });
    quote! {
        #[doc = #summary]
        #[diagnostic::on_unimplemented(message = #on_unimplemented_message, note = #on_unimplemented_note)]
        #vis trait #trait_ident: ::core::marker::Send + ::core::marker::Sync + 'static {
            #(#methods)*

            #(#guards)*

            #feed_methods

            #upload_methods

            #download_methods

            #authenticate

            /// Runs once when a socket's connection to the namespace ends (whatever the
            /// reason), while it is still in its rooms. Does nothing unless overridden.
            fn on_disconnect(&self, __cx: &#krate::Cx<#ident>) -> impl ::core::future::Future<Output = ()> + ::core::marker::Send {
                async {}
            }
        }
    }
}

fn contract_impl(contract: &Contract<'_>) -> TokenStream {
    let ident = &contract.input.ident;
    let krate = &contract.krate;
    let name = ident.to_string();
    let namespace = contract.namespace();
    let ordered = contract.attrs.ordered.is_some();
    let contract_docs = docs(&contract.input.attrs);
    let identity = identity_type(contract);
    // A contract without auth has the identity `()`: nothing to show.
    let describe_identity = (contract.attrs.auth.is_some() || contract.attrs.identity.is_some()).then(|| {
        quote! {
            fn describe_identity(__identity: &Self::Identity) -> ::core::option::Option<::std::string::String> {
                // Its `Debug` form if it has one (autoref specialization: the type is concrete here).
                #[allow(unused_imports)]
                use #krate::__private::{DescribeDebug as _, DescribeNone as _};
                (&#krate::__private::Describe(__identity)).describe()
            }
        }
    });
    let expires_at = contract.attrs.expiring.as_ref().map(|_| {
        quote! {
            fn expires_at(__identity: &Self::Identity) -> ::core::option::Option<::std::time::SystemTime> {
                #krate::Expiring::expires_at(__identity)
            }
        }
    });
    let rates = contract.events.iter().filter_map(|event| {
        let rate = event.rate.as_ref()?;
        let (name, count, period_ms) = (&event.name, rate.count, rate.period_ms);
        Some(quote! {
            // The count and period were checked to be non-zero when the attribute was parsed.
            #name => #krate::RateLimit::new(
                #count,
                ::core::time::Duration::from_millis(#period_ms),
            ).ok(),
        })
    });
    let auth = match &contract.attrs.auth {
        Some((_, auth)) => quote!(::core::option::Option::Some(__describer.incoming::<#auth>())),
        None => quote!(::core::option::Option::None),
    };
    let events = contract.events.iter().map(|event| {
        let name = &event.name;
        let variant = event.variant.ident.to_string();
        let docs = docs(&event.variant.attrs);
        // The server reads what the client sends (deserialize side) and writes the rest.
        let (direction, read, write) = match event.direction {
            Direction::ClientToServer => {
                (quote!(ClientToServer), quote!(incoming), quote!(outgoing))
            }
            Direction::ServerToClient => {
                (quote!(ServerToClient), quote!(outgoing), quote!(incoming))
            }
        };
        let payload = match event.payload {
            Some(ty) => quote!(::core::option::Option::Some(__describer.#read::<#ty>())),
            None => quote!(::core::option::Option::None),
        };
        let ack = match &event.ack {
            None => quote!(::core::option::Option::None),
            Some(Ack::Plain(ty)) => quote! {
                ::core::option::Option::Some(#krate::describe::AckDescription {
                    data: __describer.#write::<#ty>(),
                    error: ::core::option::Option::None,
                })
            },
            Some(Ack::Result { ok, err }) => quote! {
                ::core::option::Option::Some(#krate::describe::AckDescription {
                    data: __describer.#write::<#ok>(),
                    error: ::core::option::Option::Some(__describer.#write::<#err>()),
                })
            },
        };
        quote! {
            #krate::describe::EventDescription {
                name: #name,
                variant: #variant,
                docs: #docs,
                direction: #krate::describe::Direction::#direction,
                payload: #payload,
                ack: #ack,
            }
        }
    });
    let feeds = feed_expand::descriptions(contract, docs);
    let uploads = transfer_expand::descriptions(contract, &contract.uploads, docs);
    let downloads = transfer_expand::descriptions(contract, &contract.downloads, docs);
    quote! {
        #[automatically_derived]
        impl #krate::Contract for #ident {
            const NAME: &'static str = #name;
            const NAMESPACE: &'static str = #namespace;
            const ORDERED: bool = #ordered;
            type Identity = #identity;

            #expires_at

            #describe_identity

            fn rate_limit(__event: &str) -> ::core::option::Option<#krate::RateLimit> {
                match __event {
                    #(#rates)*
                    _ => ::core::option::Option::None,
                }
            }

            fn describe(__describer: &mut #krate::describe::Describer) -> #krate::describe::ContractDescription {
                #krate::describe::ContractDescription {
                    name: #name,
                    namespace: #namespace,
                    docs: #contract_docs,
                    ordered: #ordered,
                    auth: #auth,
                    events: ::std::vec![#(#events),*],
                    feeds: ::std::vec![#(#feeds),*],
                    uploads: ::std::vec![#(#uploads),*],
                    downloads: ::std::vec![#(#downloads),*],
                }
            }
        }
    }
}

fn dispatch_impl(contract: &Contract<'_>) -> TokenStream {
    let ident = &contract.input.ident;
    let krate = &contract.krate;
    let trait_ident = trait_ident(contract);
    let authenticate = match &contract.attrs.auth {
        Some((_, auth)) => quote! {
            async move {
                let __auth: #auth = #krate::__private::decode_auth(__auth.as_deref())?;
                <__H as #trait_ident>::authenticate(&*__handlers, __auth).await
            }
        },
        // No auth declared: whatever the client sends is ignored.
        None => quote! {
            async move {
                let _ = (__handlers, __auth);
                ::core::result::Result::Ok(())
            }
        },
    };
    let client_events: Vec<_> = contract
        .events
        .iter()
        .filter(|e| e.direction == Direction::ClientToServer)
        .collect();
    // `Reply::event` numbers the events as `CLIENT_EVENTS` lists them.
    let names = client_events
        .iter()
        .map(|event| {
            let name = &event.name;
            quote!(#name)
        })
        .chain(feed_expand::event_names(contract));
    // One arm type per client event, so each event's future is sized for its own
    // handler: routing on the name picks the type, and the caller spawns that arm's future.
    let (arms, routes): (Vec<_>, Vec<_>) = client_events
        .iter()
        .enumerate()
        .map(|(index, event)| {
            let name = &event.name;
            let method = event.method_name();
            let (decode, arg) = match event.payload {
                Some(ty) => (
                    quote_spanned!(ty.span()=> let __payload: #ty = match __incoming.decode() {
                        ::core::result::Result::Ok(__payload) => __payload,
                        ::core::result::Result::Err(__fault) => return __reply.fault(__fault),
                    };),
                    quote!(, __payload),
                ),
                None => (
                    quote!(if let ::core::result::Result::Err(__fault) = __incoming.expect_empty() {
                        return __reply.fault(__fault);
                    }),
                    quote!(),
                ),
            };
            let guard = event.guard.then(|| {
                let guard = event.guard_name();
                let payload = event.payload.map(|_| quote!(, &__payload));
                quote! {
                    if let ::core::result::Result::Err(__denied) = <__H as #trait_ident>::#guard(__handlers, __cx #payload).await {
                        return __reply.forbidden(#name, __denied);
                    }
                }
            });
            // The answer is serialized with its own type: no boxing, no type erasure.
            let answer = match &event.ack {
                None => quote!(__reply.none(__answer)),
                Some(Ack::Plain(_)) => quote!(__reply.data(__answer)),
                Some(Ack::Result { .. }) => quote!(__reply.result(__answer)),
            };
            let size = event.max_bytes.map(|max| {
                quote! {
                    if let ::core::result::Result::Err(__fault) = __incoming.limit_size(#max) {
                        return __reply.fault(__fault);
                    }
                }
            });
            let arm = format_ident!("__{}Arm", event.variant.ident);
            let body = quote! {
                let __reply = __reply.event(#index);
                #size
                #decode
                #guard
                let __reply = __reply.handling();
                let __answer = <__H as #trait_ident>::#method(__handlers, __cx #arg).await;
                #answer
            };
            let route = quote!(#name => #krate::__private::Route::to::<#arm>(__route),);
            (arm_impl(contract, &arm, body), route)
        })
        .unzip();
    let feed_arms = feed_expand::dispatch_arms(contract, &trait_ident, client_events.len());
    let upload_arms = transfer_expand::dispatch_arms(contract, &contract.uploads, &trait_ident);
    let download_arms = transfer_expand::dispatch_arms(contract, &contract.downloads, &trait_ident);
    let release = feed_expand::release(contract);
    let upload_release = transfer_expand::release(contract, &contract.uploads);
    let download_release = transfer_expand::release(contract, &contract.downloads);
    // The feed, upload and download exchanges and unknown names share one arm: the
    // contract type itself (so the exchanges' code may name the contract as `Self`).
    let exchanges = arm_impl(
        contract,
        ident,
        quote! {
            match __incoming.event() {
                #feed_arms
                #upload_arms
                #download_arms
                _ => __reply.unknown_event(&__incoming),
            }
        },
    );
    quote! {
        #(#arms)*
        #exchanges

        #[automatically_derived]
        impl<__H: #trait_ident> #krate::__private::Dispatch<__H> for #ident {
            const CLIENT_EVENTS: &'static [&'static str] = &[#(#names),*];

            fn route<__V: #krate::__private::Route<Self, __H>>(__route: __V) -> __V::Output {
                match #krate::__private::Route::event(&__route) {
                    #(#routes)*
                    _ => #krate::__private::Route::to::<Self>(__route),
                }
            }

            fn authenticate(
                __handlers: ::std::sync::Arc<__H>,
                __auth: ::core::option::Option<::std::string::String>,
            ) -> impl ::core::future::Future<Output = ::core::result::Result<Self::Identity, #krate::Refusal>> + ::core::marker::Send + 'static {
                #authenticate
            }

            fn disconnected(
                __handlers: ::std::sync::Arc<__H>,
                __cx: #krate::Cx<Self>,
            ) -> impl ::core::future::Future<Output = ()> + ::core::marker::Send + 'static {
                async move {
                    #release
                    #upload_release
                    #download_release
                    <__H as #trait_ident>::on_disconnect(&*__handlers, &__cx).await
                }
            }
        }
    }
}

/// One arm of the dispatch: type `arm` runs `body`, which sees `__handlers`, `__cx`,
/// `__incoming` and `__reply` and evaluates to the event's `Outcome`.
fn arm_impl(contract: &Contract<'_>, arm: &syn::Ident, body: TokenStream) -> TokenStream {
    let ident = &contract.input.ident;
    let krate = &contract.krate;
    let trait_ident = trait_ident(contract);
    // The contract's own type is the exchanges' arm; every other arm is declared here.
    let declare = (arm != ident).then(|| quote!(struct #arm;));
    quote! {
        #declare
        #[automatically_derived]
        impl<__H: #trait_ident> #krate::__private::Arm<#ident, __H> for #arm {
            // `mut` is unused by an event with neither payload nor size limit.
            #[allow(unused_mut)]
            fn run<'__a, __R: #krate::__private::Respond>(
                __handlers: &'__a ::std::sync::Arc<__H>,
                __cx: &'__a #krate::Cx<#ident>,
                mut __incoming: #krate::__private::Incoming,
                __reply: #krate::__private::Reply<'__a, __R>,
            ) -> impl ::core::future::Future<Output = #krate::__private::Outcome> + ::core::marker::Send + '__a {
                async move { #body }
            }
        }
    }
}

fn constructors(contract: &Contract<'_>) -> TokenStream {
    let vis = &contract.input.vis;
    let krate = &contract.krate;
    contract
        .events
        .iter()
        .filter(|e| e.direction == Direction::ServerToClient)
        .map(|event| {
            let method = event.method_name();
            let name = &event.name;
            let docs = doc_attrs(&event.variant.attrs);
            let reply = match &event.ack {
                None => quote!(#krate::NoReply),
                Some(Ack::Plain(ty)) => quote!(#ty),
                Some(Ack::Result { ok, err }) => quote!(::core::result::Result<#ok, #err>),
            };
            let header = match &event.ack {
                None => format!("The `{name}` event, ready to emit with `emit`."),
                Some(_) => format!(
                    "The `{name}` event, ready to emit with `emit_with_ack`: the client answers it."
                ),
            };
            let (param, build) = match event.payload {
                Some(ty) => (
                    quote!(__payload: #ty),
                    quote!(#krate::__private::outgoing(#name, __payload)),
                ),
                None => (quote!(), quote!(#krate::__private::outgoing_empty(#name))),
            };
            let payload_ty = match event.payload {
                Some(ty) => quote!(#ty),
                None => quote!(()),
            };
            quote! {
                #[doc = #header]
                #[doc = ""]
                #(#docs)*
                #[must_use = "an event does nothing until it is emitted"]
                #vis fn #method(#param) -> #krate::Outgoing<Self, #payload_ty, #reply> {
                    #build
                }
            }
        })
        .collect()
}

/// Bound checks placed at the user's types, so a type that is not a payload is reported
/// where it is written.
fn assertions(krate: &Krate, event: &Event<'_>) -> TokenStream {
    let (payload_check, reply_check) = match event.direction {
        Direction::ClientToServer => (
            quote!(assert_incoming_payload),
            quote!(assert_outgoing_payload),
        ),
        Direction::ServerToClient => (
            quote!(assert_outgoing_payload),
            quote!(assert_incoming_payload),
        ),
    };
    let assert = |ty: &syn::Type, check: &TokenStream| {
        quote_spanned! {ty.span()=>
            const _: fn() = || { #krate::__private::#check::<#ty>(); };
        }
    };
    let mut out = TokenStream::new();
    // A client event's payload is already required to be an `IncomingPayload` where it is
    // decoded, at the same type; checking it here too would report it twice.
    if let Some(ty) = event
        .payload
        .filter(|_| event.direction == Direction::ServerToClient)
    {
        out.extend(assert(ty, &payload_check));
    }
    match &event.ack {
        None => {}
        Some(Ack::Plain(ty)) => out.extend(assert(ty, &reply_check)),
        Some(Ack::Result { ok, err }) => {
            out.extend(assert(ok, &reply_check));
            out.extend(assert(err, &reply_check));
        }
    }
    out
}

/// The variants are a declaration, never values: name each constructor and read each
/// payload once in a function marked live, so the user's crate gets no "variant never
/// constructed" or "field never read" warning (a private contract in a binary would).
fn declared_variants(contract: &Contract<'_>) -> TokenStream {
    let ident = &contract.input.ident;
    // A prop's write event is not a variant of the user's enum.
    let declared = || {
        contract
            .events
            .iter()
            .filter(|event| !super::prop::is_write(event.variant))
    };
    let uses = declared().map(|event| {
        let variant = &event.variant.ident;
        match event.payload {
            Some(ty) => quote!(let _ = #ident::#variant as fn(#ty) -> #ident;),
            None => quote!(let _ = #ident::#variant;),
        }
    });
    let reads = declared().map(|event| {
        let variant = &event.variant.ident;
        match event.payload {
            Some(_) => quote!(#ident::#variant(__payload) => { let _ = __payload; }),
            None => quote!(#ident::#variant => {}),
        }
    });
    let feed_uses = contract.feeds.iter().map(|feed| {
        let variant = &feed.variant.ident;
        quote!(let _ = #ident::#variant;)
    });
    let feed_reads = contract.feeds.iter().map(|feed| {
        let variant = &feed.variant.ident;
        quote!(#ident::#variant => {})
    });
    let (upload_uses, upload_reads) = transfer_expand::declared(contract, &contract.uploads);
    let (download_uses, download_reads) = transfer_expand::declared(contract, &contract.downloads);
    quote! {
        #[allow(dead_code)]
        fn __declared_variants(__value: &#ident) {
            #(#uses)*
            #(#feed_uses)*
            #(#upload_uses)*
            #(#download_uses)*
            match __value {
                #(#reads)*
                #(#feed_reads)*
                #(#upload_reads)*
                #(#download_reads)*
            }
        }
    }
}
