//! The attributes of `#[derive(Contract)]`, parsed once into typed values that keep their
//! keyword tokens so errors can point at them.

use syn::parse::ParseStream;
use syn::{LitStr, Type};

use crate::ctxt::Errors;

pub(crate) mod kw {
    syn::custom_keyword!(namespace);
    syn::custom_keyword!(ordered);
    syn::custom_keyword!(client);
    syn::custom_keyword!(server);
    syn::custom_keyword!(ack);
    syn::custom_keyword!(rename);
    syn::custom_keyword!(auth);
    syn::custom_keyword!(identity);
    syn::custom_keyword!(guard);
    syn::custom_keyword!(rate);
    syn::custom_keyword!(expiring);
    syn::custom_keyword!(max_bytes);
}

/// `#[contract(namespace = "/chat", ordered, auth = Login, identity = User)]` on the enum.
#[derive(Default)]
pub(crate) struct ContractAttrs {
    pub(crate) namespace: Option<(kw::namespace, LitStr)>,
    pub(crate) ordered: Option<kw::ordered>,
    /// The handshake auth payload type.
    pub(crate) auth: Option<(kw::auth, Type)>,
    /// What `authenticate` turns it into; the auth type itself when absent.
    pub(crate) identity: Option<(kw::identity, Type)>,
    /// `expiring`: the identity implements `Expiring`; the socket is disconnected when it expires.
    pub(crate) expiring: Option<kw::expiring>,
}

/// Who sends an event. A later kind (live subscriptions) adds a variant here.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub(crate) enum Direction {
    /// `#[client]`: the client emits it, a generated handler method receives it.
    ClientToServer,
    /// `#[server]`: the server emits it through a generated constructor.
    ServerToClient,
}

/// `#[client(ack = T, rename = "x")]` or `#[server(...)]` on a variant.
pub(crate) struct EventAttrs {
    pub(crate) direction: Direction,
    pub(crate) ack: Option<(kw::ack, Type)>,
    pub(crate) rename: Option<(kw::rename, LitStr)>,
    /// `guard`: the handler trait gets an `allow_<event>` hook that may deny the event.
    pub(crate) guard: Option<kw::guard>,
    /// `rate = "5/s"`: at most that many of this event per socket.
    pub(crate) rate: Option<(kw::rate, LitStr)>,
    /// `max_bytes = 4096`: a smaller size limit for this event's arguments.
    pub(crate) max_bytes: Option<(kw::max_bytes, syn::LitInt)>,
}

const CONTRACT_KEYS: &str =
    "`namespace = \"/path\"`, `ordered`, `auth = Type`, `identity = Type`, `expiring`";
const EVENT_KEYS: &str = "`ack = Type`, `rename = \"name\"`, `guard` (client events), `rate = \"5/s\"` (client events), `max_bytes = 4096` (client events)";

pub(crate) fn contract_attrs(errors: &Errors, attrs: &[syn::Attribute]) -> ContractAttrs {
    let mut out = ContractAttrs::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("contract")) {
        let result = attr.parse_args_with(|input: ParseStream<'_>| {
            while !input.is_empty() {
                let lookahead = input.lookahead1();
                if lookahead.peek(kw::namespace) {
                    let key: kw::namespace = input.parse()?;
                    input.parse::<syn::Token![=]>()?;
                    let value: LitStr = input.parse()?;
                    if out.namespace.is_some() {
                        errors.error_at(key, "`namespace` is given twice");
                    }
                    out.namespace = Some((key, value));
                } else if lookahead.peek(kw::auth) {
                    let key: kw::auth = input.parse()?;
                    input.parse::<syn::Token![=]>()?;
                    if out.auth.is_some() {
                        errors.error_at(key, "`auth` is given twice");
                    }
                    out.auth = Some((key, input.parse()?));
                } else if lookahead.peek(kw::identity) {
                    let key: kw::identity = input.parse()?;
                    input.parse::<syn::Token![=]>()?;
                    if out.identity.is_some() {
                        errors.error_at(key, "`identity` is given twice");
                    }
                    out.identity = Some((key, input.parse()?));
                } else if lookahead.peek(kw::expiring) {
                    let key: kw::expiring = input.parse()?;
                    if out.expiring.is_some() {
                        errors.error_at(key, "`expiring` is given twice");
                    }
                    out.expiring = Some(key);
                } else if lookahead.peek(kw::ordered) {
                    let key: kw::ordered = input.parse()?;
                    if out.ordered.is_some() {
                        errors.error_at(key, "`ordered` is given twice");
                    }
                    out.ordered = Some(key);
                } else {
                    return Err(unknown_key(input, "#[contract(...)]", CONTRACT_KEYS));
                }
                if !input.is_empty() {
                    input.parse::<syn::Token![,]>()?;
                }
            }
            Ok(())
        });
        if let Err(error) = result {
            errors.push(error);
        }
    }
    out
}

/// Reads `#[client]` / `#[server]` on a variant; `None` when neither is present.
pub(crate) fn event_attrs(errors: &Errors, variant: &syn::Variant) -> Option<EventAttrs> {
    let mut found: Option<EventAttrs> = None;
    for attr in &variant.attrs {
        let direction = if attr.path().is_ident("client") {
            Direction::ClientToServer
        } else if attr.path().is_ident("server") {
            Direction::ServerToClient
        } else {
            continue;
        };
        let mut event = EventAttrs {
            direction,
            ack: None,
            rename: None,
            guard: None,
            rate: None,
            max_bytes: None,
        };
        if let syn::Meta::List(_) = &attr.meta {
            let result = attr.parse_args_with(|input: ParseStream<'_>| {
                while !input.is_empty() {
                    let lookahead = input.lookahead1();
                    if lookahead.peek(kw::ack) {
                        let key: kw::ack = input.parse()?;
                        input.parse::<syn::Token![=]>()?;
                        if event.ack.is_some() {
                            errors.error_at(key, "`ack` is given twice");
                        }
                        event.ack = Some((key, input.parse()?));
                    } else if lookahead.peek(kw::guard) {
                        let key: kw::guard = input.parse()?;
                        if direction == Direction::ServerToClient {
                            errors.error_at(key, "`guard` checks what a client sends: it applies to `#[client]` events only");
                        }
                        event.guard = Some(key);
                    } else if lookahead.peek(kw::rate) {
                        let key: kw::rate = input.parse()?;
                        input.parse::<syn::Token![=]>()?;
                        if direction == Direction::ServerToClient {
                            errors.error_at(key, "`rate` limits what a client sends: it applies to `#[client]` events only");
                        }
                        event.rate = Some((key, input.parse()?));
                    } else if lookahead.peek(kw::max_bytes) {
                        let key: kw::max_bytes = input.parse()?;
                        input.parse::<syn::Token![=]>()?;
                        if direction == Direction::ServerToClient {
                            errors.error_at(key, "`max_bytes` limits what a client sends: it applies to `#[client]` events only");
                        }
                        event.max_bytes = Some((key, input.parse()?));
                    } else if lookahead.peek(kw::rename) {
                        let key: kw::rename = input.parse()?;
                        input.parse::<syn::Token![=]>()?;
                        if event.rename.is_some() {
                            errors.error_at(key, "`rename` is given twice");
                        }
                        event.rename = Some((key, input.parse()?));
                    } else {
                        let name = if direction == Direction::ClientToServer {
                            "#[client(...)]"
                        } else {
                            "#[server(...)]"
                        };
                        return Err(unknown_key(input, name, EVENT_KEYS));
                    }
                    if !input.is_empty() {
                        input.parse::<syn::Token![,]>()?;
                    }
                }
                Ok(())
            });
            if let Err(error) = result {
                errors.push(error);
            }
        }
        if found.is_some() {
            errors.error_at(
                attr,
                "an event has one direction: keep either `#[client]` (sent by the client) or `#[server]` (sent by the server); declare two variants for an event name used both ways",
            );
            continue;
        }
        found = Some(event);
    }
    found
}

fn unknown_key(input: ParseStream<'_>, attr: &str, allowed: &str) -> syn::Error {
    let found: proc_macro2::TokenTree = match input.parse() {
        Ok(tt) => tt,
        Err(e) => return e,
    };
    syn::Error::new_spanned(
        &found,
        format!("unknown key `{found}` in `{attr}`; expected one of: {allowed}"),
    )
}
