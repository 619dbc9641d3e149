//! The attributes of `#[derive(Contract)]`, parsed once into typed values that keep their
//! keyword tokens so errors can point at them.

use quote::ToTokens;
use syn::{LitStr, Type};

use crate::ctxt::Errors;
use crate::keys::{each_key, flag, key_value, unknown_key};
use crate::krate::CratePath;

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
    syn::custom_keyword!(feed);
    syn::custom_keyword!(item);
    syn::custom_keyword!(key);
    syn::custom_keyword!(filter);
    syn::custom_keyword!(mode);
    syn::custom_keyword!(data);
    syn::custom_keyword!(notify);
    syn::custom_keyword!(error);
    syn::custom_keyword!(check);
    syn::custom_keyword!(upload);
    syn::custom_keyword!(max_size);
    syn::custom_keyword!(download);
    syn::custom_keyword!(value);
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
    /// `crate = "path"`: the runtime's path for a user who renamed the dependency.
    pub(crate) krate: Option<(syn::Token![crate], CratePath)>,
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

const CONTRACT_KEYS: &str = "`namespace = \"/path\"`, `ordered`, `auth = Type`, `identity = Type`, `expiring`, `crate = \"path\"`";
const EVENT_KEYS: &str = "`ack = Type`, `rename = \"name\"`, `guard` (client events), `rate = \"5/s\"` (client events), `max_bytes = 4096` (client events)";

pub(crate) fn contract_attrs(errors: &Errors, attrs: &[syn::Attribute]) -> ContractAttrs {
    let mut out = ContractAttrs::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("contract")) {
        each_key(errors, attr, |input, lookahead| {
            if lookahead.peek(kw::namespace) {
                key_value(input, errors, &mut out.namespace, "namespace")?;
            } else if lookahead.peek(kw::auth) {
                key_value(input, errors, &mut out.auth, "auth")?;
            } else if lookahead.peek(kw::identity) {
                key_value(input, errors, &mut out.identity, "identity")?;
            } else if lookahead.peek(kw::expiring) {
                flag(input, errors, &mut out.expiring, "expiring")?;
            } else if lookahead.peek(kw::ordered) {
                flag(input, errors, &mut out.ordered, "ordered")?;
            } else if lookahead.peek(syn::Token![crate]) {
                key_value(input, errors, &mut out.krate, "crate")?;
            } else {
                return Err(unknown_key(input, "#[contract(...)]", CONTRACT_KEYS));
            }
            Ok(())
        });
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
        // Keys about what a client sends make no sense on a server event.
        let client_only = |key: &dyn ToTokens, what: &str| {
            if direction == Direction::ServerToClient {
                errors.error_at(
                    key.to_token_stream(),
                    format_args!("{what}: it applies to `#[client]` events only"),
                );
            }
        };
        each_key(errors, attr, |input, lookahead| {
            if lookahead.peek(kw::ack) {
                key_value(input, errors, &mut event.ack, "ack")?;
            } else if lookahead.peek(kw::rename) {
                key_value(input, errors, &mut event.rename, "rename")?;
            } else if lookahead.peek(kw::guard) {
                let key = flag(input, errors, &mut event.guard, "guard")?;
                client_only(key, "`guard` checks what a client sends");
            } else if lookahead.peek(kw::rate) {
                let key = key_value(input, errors, &mut event.rate, "rate")?;
                client_only(key, "`rate` limits what a client sends");
            } else if lookahead.peek(kw::max_bytes) {
                let key = key_value(input, errors, &mut event.max_bytes, "max_bytes")?;
                client_only(key, "`max_bytes` limits what a client sends");
            } else {
                let name = if direction == Direction::ClientToServer {
                    "#[client(...)]"
                } else {
                    "#[server(...)]"
                };
                return Err(unknown_key(input, name, EVENT_KEYS));
            }
            Ok(())
        });
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

/// `#[feed(item = T, key = field, filter = F, mode = data, error = E, check, rename = "x")]`
/// on a unit variant: a live subscription.
pub(crate) struct FeedAttrs {
    pub(crate) attr: syn::Attribute,
    pub(crate) item: Option<(kw::item, Type)>,
    pub(crate) key: Option<(kw::key, syn::Ident)>,
    pub(crate) filter: Option<(kw::filter, Type)>,
    /// `mode = notify`; `data` (the default) otherwise.
    pub(crate) notify: Option<kw::notify>,
    pub(crate) error: Option<(kw::error, Type)>,
    /// `check`: the handler trait gets `check_<feed>`, run before every push.
    pub(crate) check: Option<kw::check>,
    pub(crate) rename: Option<(kw::rename, LitStr)>,
}

const FEED_KEYS: &str = "`item = Type`, `key = field`, `filter = FilterType`, `mode = data` or `mode = notify`, `error = Type`, `check`, `rename = \"name\"`";

/// Reads `#[feed(...)]` on a variant; `None` when absent.
pub(crate) fn feed_attrs(errors: &Errors, variant: &syn::Variant) -> Option<FeedAttrs> {
    let attr = variant.attrs.iter().find(|a| a.path().is_ident("feed"))?;
    let mut out = FeedAttrs {
        attr: attr.clone(),
        item: None,
        key: None,
        filter: None,
        notify: None,
        error: None,
        check: None,
        rename: None,
    };
    each_key(errors, attr, |input, lookahead| {
        if lookahead.peek(kw::item) {
            key_value(input, errors, &mut out.item, "item")?;
        } else if lookahead.peek(kw::key) {
            key_value(input, errors, &mut out.key, "key")?;
        } else if lookahead.peek(kw::filter) {
            key_value(input, errors, &mut out.filter, "filter")?;
        } else if lookahead.peek(kw::error) {
            key_value(input, errors, &mut out.error, "error")?;
        } else if lookahead.peek(kw::rename) {
            key_value(input, errors, &mut out.rename, "rename")?;
        } else if lookahead.peek(kw::check) {
            flag(input, errors, &mut out.check, "check")?;
        } else if lookahead.peek(kw::mode) {
            input.parse::<kw::mode>()?;
            input.parse::<syn::Token![=]>()?;
            let lookahead = input.lookahead1();
            if lookahead.peek(kw::notify) {
                out.notify = Some(input.parse()?);
            } else if lookahead.peek(kw::data) {
                input.parse::<kw::data>()?;
            } else {
                return Err(lookahead.error());
            }
        } else {
            return Err(unknown_key(input, "#[feed(...)]", FEED_KEYS));
        }
        Ok(())
    });
    at_most_once(errors, variant, attr, "feed");
    Some(out)
}

/// `#[upload(ack = T, guard, max_size = N, rename = "x")]` on a variant whose payload is the
/// upload's metadata: a file sent as a stream of chunks.
pub(crate) struct UploadAttrs {
    pub(crate) ack: Option<(kw::ack, Type)>,
    pub(crate) guard: Option<kw::guard>,
    /// Any expression, so that `max_size = "8 MB"` or `max_size = 8 << 20` gets an error
    /// that says what is expected rather than the parser's "expected integer literal".
    pub(crate) max_size: Option<(kw::max_size, syn::Expr)>,
    pub(crate) rename: Option<(kw::rename, LitStr)>,
}

const UPLOAD_KEYS: &str =
    "`ack = Type`, `guard`, `max_size = 1048576` (bytes), `rename = \"name\"`";

/// Reads `#[upload(...)]` on a variant; `None` when absent.
pub(crate) fn upload_attrs(errors: &Errors, variant: &syn::Variant) -> Option<UploadAttrs> {
    let attr = variant.attrs.iter().find(|a| a.path().is_ident("upload"))?;
    let mut out = UploadAttrs {
        ack: None,
        guard: None,
        max_size: None,
        rename: None,
    };
    each_key(errors, attr, |input, lookahead| {
        if lookahead.peek(kw::ack) {
            key_value(input, errors, &mut out.ack, "ack")?;
        } else if lookahead.peek(kw::rename) {
            key_value(input, errors, &mut out.rename, "rename")?;
        } else if lookahead.peek(kw::max_size) {
            key_value(input, errors, &mut out.max_size, "max_size")?;
        } else if lookahead.peek(kw::guard) {
            flag(input, errors, &mut out.guard, "guard")?;
        } else {
            return Err(unknown_key(input, "#[upload(...)]", UPLOAD_KEYS));
        }
        Ok(())
    });
    at_most_once(errors, variant, attr, "upload");
    Some(out)
}

/// `#[download(error = E, guard, rename = "x")]` on a variant whose payload is the
/// download's request: a file the server sends as a stream of chunks.
pub(crate) struct DownloadAttrs {
    pub(crate) error: Option<(kw::error, Type)>,
    pub(crate) guard: Option<kw::guard>,
    pub(crate) rename: Option<(kw::rename, LitStr)>,
}

const DOWNLOAD_KEYS: &str = "`error = Type`, `guard`, `rename = \"name\"`";

/// Reads `#[download(...)]` on a variant; `None` when absent.
pub(crate) fn download_attrs(errors: &Errors, variant: &syn::Variant) -> Option<DownloadAttrs> {
    let attr = variant
        .attrs
        .iter()
        .find(|a| a.path().is_ident("download"))?;
    let mut out = DownloadAttrs {
        error: None,
        guard: None,
        rename: None,
    };
    each_key(errors, attr, |input, lookahead| {
        if lookahead.peek(kw::error) {
            key_value(input, errors, &mut out.error, "error")?;
        } else if lookahead.peek(kw::rename) {
            key_value(input, errors, &mut out.rename, "rename")?;
        } else if lookahead.peek(kw::guard) {
            flag(input, errors, &mut out.guard, "guard")?;
        } else {
            return Err(unknown_key(input, "#[download(...)]", DOWNLOAD_KEYS));
        }
        Ok(())
    });
    at_most_once(errors, variant, attr, "download");
    Some(out)
}

/// `#[prop(value = T, error = E)]` on a unit variant: shared state.
pub(crate) struct PropAttrs {
    pub(crate) attr: syn::Attribute,
    pub(crate) value: Option<(kw::value, Type)>,
    pub(crate) error: Option<(kw::error, Type)>,
}

const PROP_KEYS: &str = "`value = Type`, `error = Type`";

/// Reads `#[prop(...)]` on a variant; `None` when absent.
pub(crate) fn prop_attrs(errors: &Errors, variant: &syn::Variant) -> Option<PropAttrs> {
    let attr = variant.attrs.iter().find(|a| a.path().is_ident("prop"))?;
    let mut out = PropAttrs {
        attr: attr.clone(),
        value: None,
        error: None,
    };
    each_key(errors, attr, |input, lookahead| {
        if lookahead.peek(kw::value) {
            key_value(input, errors, &mut out.value, "value")?;
        } else if lookahead.peek(kw::error) {
            key_value(input, errors, &mut out.error, "error")?;
        } else {
            return Err(unknown_key(input, "#[prop(...)]", PROP_KEYS));
        }
        Ok(())
    });
    at_most_once(errors, variant, attr, "prop");
    Some(out)
}

/// Reports a second `#[name]` attribute on one variant.
fn at_most_once(errors: &Errors, variant: &syn::Variant, attr: &syn::Attribute, name: &str) {
    if variant
        .attrs
        .iter()
        .filter(|a| a.path().is_ident(name))
        .count()
        > 1
    {
        errors.error_at(
            attr,
            format_args!("`#[{name}]` is given twice on one variant"),
        );
    }
}
