//! Rules across a contract's events: reserved and duplicate names, the namespace, generics.

use std::collections::HashMap;

use super::ast::Contract;
use super::attr::Direction;
use crate::ctxt::Errors;

/// Names socket.io uses for itself: the client refuses to emit or listen to them, and the
/// server's own lifecycle uses `error`. The one list: `eventwire::RESERVED_EVENTS`, which
/// the runtime uses to refuse them at run time, is this one, through `__reserved_events!`.
pub(crate) const RESERVED: &[&str] = &[
    "connect",
    "connect_error",
    "disconnect",
    "disconnecting",
    "newListener",
    "removeListener",
    "error",
];

/// Methods the handler trait has besides the event handlers.
pub(crate) const HOOKS: &[&str] = &["authenticate", "on_disconnect"];

/// Prefix of eventwire's own events (`eventwire:fault`); contracts may not use it. The
/// runtime builds its own event names from it, through `__own_event_prefix!`.
pub(crate) const OWN_PREFIX: &str = "eventwire:";

pub(crate) fn check(errors: &Errors, contract: &Contract<'_>) {
    let generics = &contract.input.generics;
    if !generics.params.is_empty() {
        errors.error_at(generics, "a contract cannot be generic: it names one fixed set of events; make its payload types generic instead");
    }
    if let Some((_, lit)) = &contract.attrs.namespace {
        let ns = lit.value();
        if !ns.starts_with('/') {
            errors.error_at(
                lit,
                format_args!(
                    "a namespace is a path starting with `/`; write `namespace = \"/{ns}\"`"
                ),
            );
        }
    }

    if let (Some(key), None) = (&contract.attrs.expiring, &contract.attrs.auth) {
        errors.error_at(key, "`expiring` disconnects a socket when its identity expires: declare `auth = AuthType` too");
    }
    if let (Some((key, _)), None) = (&contract.attrs.identity, &contract.attrs.auth) {
        errors.error_at(key, "`identity` is what `authenticate` makes of the handshake auth: declare `auth = AuthType` too");
    }
    for event in contract
        .events
        .iter()
        .filter(|e| e.direction == Direction::ClientToServer)
    {
        let method = event.method_name().to_string();
        let method = method.trim_start_matches("r#");
        if HOOKS.contains(&method) {
            errors.error_at(
                &event.variant.ident,
                format_args!("the handler method `{method}` is a hook of the handler trait; rename the variant and keep the wire name with `#[client(rename = \"...\")]`"),
            );
        }
    }

    let guards: Vec<String> = contract
        .events
        .iter()
        .filter(|e| e.guard)
        .map(|e| e.guard_name().to_string())
        .collect();
    for event in contract
        .events
        .iter()
        .filter(|e| e.direction == Direction::ClientToServer)
    {
        let method = event.method_name().to_string();
        if guards.contains(&method) {
            errors.error_at(
                &event.variant.ident,
                format_args!("the handler method `{method}` is the guard hook of another event; rename the variant and keep the wire name with `#[client(rename = \"...\")]`"),
            );
        }
    }

    check_feeds(errors, contract);
    check_transfers(errors, contract);

    let mut seen: HashMap<(Direction, &str), &syn::Ident> = HashMap::new();
    for event in &contract.events {
        let name = event.name.as_str();
        if name.is_empty() {
            errors.push(syn::Error::new(
                event.name_span,
                "an event name cannot be empty",
            ));
        } else if RESERVED.contains(&name) {
            errors.push(syn::Error::new(
                event.name_span,
                format_args!(
                    "`{name}` is reserved by socket.io and cannot be an event name; rename the event, e.g. `#[{}(rename = \"{name}Event\")]`",
                    if event.direction == Direction::ClientToServer { "client" } else { "server" }
                ),
            ));
        } else if name.starts_with(OWN_PREFIX) {
            errors.push(syn::Error::new(
                event.name_span,
                format_args!("names starting with `{OWN_PREFIX}` are eventwire's own events; choose another name"),
            ));
        }
        if let Some(first) = seen.insert((event.direction, name), &event.variant.ident) {
            let who = if event.direction == Direction::ClientToServer {
                "client"
            } else {
                "server"
            };
            errors.push(syn::Error::new(
                event.name_span,
                format_args!(
                    "two {who} events are named `{name}` (`{first}` and `{}`); give one of them another name with `#[{who}(rename = \"...\")]`",
                    event.variant.ident
                ),
            ));
        }
    }
}

/// Feed names: not empty, not eventwire's, not an event's, not another feed's; handler
/// methods that do not collide.
fn check_feeds(errors: &Errors, contract: &Contract<'_>) {
    let mut seen: HashMap<&str, &syn::Ident> = HashMap::new();
    let methods: Vec<String> = contract
        .events
        .iter()
        .filter(|e| e.direction == Direction::ClientToServer)
        .map(|e| {
            e.method_name()
                .to_string()
                .trim_start_matches("r#")
                .to_owned()
        })
        .collect();
    for feed in &contract.feeds {
        let name = feed.name.as_str();
        if name.is_empty() {
            errors.push(syn::Error::new(
                feed.name_span,
                "a feed name cannot be empty",
            ));
        } else if name.starts_with(OWN_PREFIX) {
            errors.push(syn::Error::new(
                feed.name_span,
                format_args!(
                    "names starting with `{OWN_PREFIX}` are eventwire's own; choose another name"
                ),
            ));
        }
        if let Some(event) = contract.events.iter().find(|e| e.name == name) {
            errors.push(syn::Error::new(
                feed.name_span,
                format_args!(
                    "the feed `{name}` has the name of the event `{}`: a client could not tell them apart in the generated client; rename one, e.g. `#[feed(..., rename = \"{name}Feed\")]`",
                    event.variant.ident
                ),
            ));
        }
        if let Some(first) = seen.insert(name, &feed.variant.ident) {
            errors.push(syn::Error::new(
                feed.name_span,
                format_args!(
                    "two feeds are named `{name}` (`{first}` and `{}`); give one another name with `#[feed(..., rename = \"...\")]`",
                    feed.variant.ident
                ),
            ));
        }
        for method in [feed.subscribe_name(), feed.check_name()] {
            let method = method.to_string();
            if methods.contains(&method) {
                errors.error_at(
                    &feed.variant.ident,
                    format_args!("the handler method `{method}` belongs to this feed, and an event has it too; rename that event's variant and keep its wire name with `#[client(rename = \"...\")]`"),
                );
            }
        }
    }
}

/// One upload or download, as the name rules see it.
struct Transfer<'a> {
    /// `upload` or `download`: the attribute, and the word in messages.
    kind: &'static str,
    name: &'a str,
    name_span: proc_macro2::Span,
    variant: &'a syn::Ident,
    method: String,
}

/// Upload and download names: not empty, not reserved or eventwire's, not an event's, a
/// feed's or another transfer's; handler methods that do not collide.
fn check_transfers(errors: &Errors, contract: &Contract<'_>) {
    let uploads = contract.uploads.iter().map(|upload| Transfer {
        kind: "upload",
        name: &upload.name,
        name_span: upload.name_span,
        variant: &upload.variant.ident,
        method: upload.method_name().to_string(),
    });
    let downloads = contract.downloads.iter().map(|download| Transfer {
        kind: "download",
        name: &download.name,
        name_span: download.name_span,
        variant: &download.variant.ident,
        method: download.method_name().to_string(),
    });
    let mut seen: HashMap<&str, &syn::Ident> = HashMap::new();
    let mut methods: Vec<String> = contract
        .events
        .iter()
        .filter(|e| e.direction == Direction::ClientToServer)
        .flat_map(|e| [e.method_name().to_string(), e.guard_name().to_string()])
        .map(|m| m.trim_start_matches("r#").to_owned())
        .collect();
    for transfer in uploads.chain(downloads) {
        let Transfer {
            kind,
            name,
            name_span,
            variant,
            ..
        } = transfer;
        let taken = contract
            .events
            .iter()
            .filter(|e| e.direction == Direction::ClientToServer)
            .map(|e| (e.name.as_str(), &e.variant.ident))
            .chain(
                contract
                    .feeds
                    .iter()
                    .map(|f| (f.name.as_str(), &f.variant.ident)),
            )
            .find(|(other, _)| *other == name);
        if name.is_empty() {
            errors.push(syn::Error::new(
                name_span,
                format_args!(
                    "{} {kind} name cannot be empty",
                    if kind == "upload" { "an" } else { "a" }
                ),
            ));
        } else if RESERVED.contains(&name) || name.starts_with(OWN_PREFIX) {
            errors.push(syn::Error::new(
                name_span,
                format_args!(
                    "`{name}` is reserved; rename the {kind} with `#[{kind}(rename = \"...\")]`"
                ),
            ));
        } else if let Some((_, other)) = taken {
            errors.push(syn::Error::new(
                name_span,
                format_args!("the {kind} `{name}` has the name of `{other}`; rename one, e.g. `#[{kind}(rename = \"{name}{}\")]`", capitalized(kind)),
            ));
        }
        if let Some(first) = seen.insert(name, variant) {
            errors.push(syn::Error::new(
                name_span,
                format_args!("two transfers are named `{name}` (`{first}` and `{variant}`); rename one with `#[{kind}(rename = \"...\")]`"),
            ));
        }
        let method = transfer.method.trim_start_matches("r#");
        if HOOKS.contains(&method) || methods.iter().any(|m| m == method) {
            errors.error_at(
                variant,
                format_args!("the handler method `{method}` is taken by a hook or another event; rename the variant and keep the wire name with `#[{kind}(rename = \"...\")]`"),
            );
        }
        methods.push(method.to_owned());
    }
}

/// `upload` → `Upload`.
fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
