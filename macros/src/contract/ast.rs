//! The typed model of a contract: the enum and its events, keeping syn nodes for spans.

use proc_macro2::Span;
use syn::Type;

use super::attr::{self, ContractAttrs, Direction};
use crate::ctxt::Errors;
use crate::krate::Krate;

pub(crate) struct Contract<'a> {
    pub(crate) input: &'a syn::DeriveInput,
    pub(crate) attrs: ContractAttrs,
    pub(crate) events: Vec<Event<'a>>,
    /// The `#[feed]` variants.
    pub(crate) feeds: Vec<Feed<'a>>,
    /// The `#[upload]` variants.
    pub(crate) uploads: Vec<Upload<'a>>,
    /// The `#[download]` variants.
    pub(crate) downloads: Vec<Download<'a>>,
    /// The runtime's path in the generated code.
    pub(crate) krate: Krate,
}

/// A file the server sends as a stream of chunks, declared with `#[download(...)]`.
pub(crate) struct Download<'a> {
    pub(crate) variant: &'a syn::Variant,
    /// The event name that starts it.
    pub(crate) name: String,
    pub(crate) name_span: Span,
    /// The request type: the variant's payload.
    pub(crate) request: &'a Type,
    /// `error = E`: the handler returns `Result<Download, E>`.
    pub(crate) error: Option<Type>,
    pub(crate) guard: bool,
}

/// A file sent as a stream of chunks, declared with `#[upload(...)]`.
pub(crate) struct Upload<'a> {
    pub(crate) variant: &'a syn::Variant,
    /// The event name that starts it.
    pub(crate) name: String,
    pub(crate) name_span: Span,
    /// The metadata type: the variant's payload.
    pub(crate) meta: &'a Type,
    pub(crate) ack: Option<Ack>,
    pub(crate) guard: bool,
    /// `max_size = N`: the largest file this upload accepts.
    pub(crate) max_size: Option<u64>,
}

/// A live subscription declared with `#[feed(...)]`.
pub(crate) struct Feed<'a> {
    pub(crate) variant: &'a syn::Variant,
    /// The feed name on the wire.
    pub(crate) name: String,
    pub(crate) name_span: Span,
    pub(crate) item: Type,
    pub(crate) key: syn::Ident,
    pub(crate) filter: Type,
    pub(crate) notify: bool,
    pub(crate) error: Option<Type>,
    pub(crate) check: bool,
}

pub(crate) struct Event<'a> {
    pub(crate) variant: &'a syn::Variant,
    /// The event name on the wire.
    pub(crate) name: String,
    /// Where the name came from: the `rename` literal or the variant's ident.
    pub(crate) name_span: Span,
    pub(crate) direction: Direction,
    /// `None` for a unit variant: the event carries no payload.
    pub(crate) payload: Option<&'a Type>,
    pub(crate) ack: Option<Ack>,
    /// Whether the handler trait gets an `allow_<event>` hook.
    pub(crate) guard: bool,
    /// `rate = "N/unit"`: at most `count` events per `period_ms`.
    pub(crate) rate: Option<Rate>,
    /// `max_bytes = N`: the largest arguments this event accepts.
    pub(crate) max_bytes: Option<usize>,
}

/// A per-event rate limit.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Rate {
    pub(crate) count: u32,
    pub(crate) period_ms: u64,
}

impl Rate {
    /// Parses `"5/s"`, `"30/min"`, `"100/h"`.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let usage = "write the rate as \"COUNT/UNIT\" with UNIT one of s, min, h, e.g. \"5/s\"";
        let (count, unit) = text.split_once('/').ok_or_else(|| usage.to_owned())?;
        let count: u32 = count.trim().parse().map_err(|_| usage.to_owned())?;
        if count == 0 {
            return Err("a rate of 0 would refuse every event; remove the event instead".into());
        }
        let period_ms = match unit.trim() {
            "s" => 1_000,
            "min" => 60_000,
            "h" => 3_600_000,
            _ => return Err(usage.to_owned()),
        };
        Ok(Rate { count, period_ms })
    }
}

/// What the receiver answers.
pub(crate) enum Ack {
    /// `ack = T`: the answer is always `T`.
    Plain(Box<Type>),
    /// `ack = Result<T, E>`: a success or the app's typed error, kept apart on the wire.
    Result { ok: Box<Type>, err: Box<Type> },
}

impl<'a> Contract<'a> {
    pub(crate) fn from_ast(errors: &Errors, input: &'a syn::DeriveInput) -> Option<Self> {
        let syn::Data::Enum(data) = &input.data else {
            errors.error_at(&input.ident, "`Contract` is derived on an enum with one variant per event, e.g. `enum Chat { #[client] Join(JoinRoom) }`");
            return None;
        };
        let attrs = attr::contract_attrs(errors, &input.attrs);
        let (download_variants, other_variants): (Vec<_>, Vec<_>) = data
            .variants
            .iter()
            .partition(|variant| variant.attrs.iter().any(|a| a.path().is_ident("download")));
        let (upload_variants, other_variants): (Vec<_>, Vec<_>) = other_variants
            .into_iter()
            .partition(|variant| variant.attrs.iter().any(|a| a.path().is_ident("upload")));
        let (feed_variants, event_variants): (Vec<_>, Vec<_>) = other_variants
            .into_iter()
            .partition(|variant| variant.attrs.iter().any(|a| a.path().is_ident("feed")));
        let uploads = upload_variants
            .into_iter()
            .filter_map(|variant| Upload::from_ast(errors, variant))
            .collect();
        let downloads = download_variants
            .into_iter()
            .filter_map(|variant| Download::from_ast(errors, variant))
            .collect();
        let events = event_variants
            .into_iter()
            .filter_map(|variant| Event::from_ast(errors, variant))
            .collect();
        let feeds = feed_variants
            .into_iter()
            .filter_map(|variant| Feed::from_ast(errors, variant))
            .collect();
        let krate = Krate::new(attrs.krate.as_ref().map(|(_, path)| path));
        Some(Contract {
            input,
            krate,
            attrs,
            events,
            feeds,
            uploads,
            downloads,
        })
    }

    /// The namespace path, `/` when not given.
    pub(crate) fn namespace(&self) -> String {
        self.attrs
            .namespace
            .as_ref()
            .map_or_else(|| "/".to_owned(), |(_, lit)| lit.value())
    }
}

impl<'a> Event<'a> {
    fn from_ast(errors: &Errors, variant: &'a syn::Variant) -> Option<Self> {
        let Some(attrs) = attr::event_attrs(errors, variant) else {
            errors.error_at(
                &variant.ident,
                "say who sends this event: `#[client]` (client to server) or `#[server]` (server to client)",
            );
            return None;
        };
        let payload = match &variant.fields {
            syn::Fields::Unit => None,
            syn::Fields::Unnamed(fields) if fields.unnamed.len() == 1 => {
                Some(&fields.unnamed[0].ty)
            }
            fields => {
                errors.error_at(
                    fields,
                    format_args!(
                        "an event carries one payload type: write `{}(MyPayload)` and declare the fields on a `#[payload]` struct",
                        variant.ident
                    ),
                );
                return None;
            }
        };
        let (name, name_span) = wire_name(attrs.rename.as_ref().map(|(_, lit)| lit), variant);
        let ack = attrs.ack.map(|(_, ty)| Ack::from_type(ty));
        let rate = attrs
            .rate
            .and_then(|(_, lit)| match Rate::parse(&lit.value()) {
                Ok(rate) => Some(rate),
                Err(message) => {
                    errors.error_at(&lit, message);
                    None
                }
            });
        let max_bytes = attrs
            .max_bytes
            .and_then(|(_, lit)| match lit.base10_parse::<usize>() {
                Ok(0) | Err(_) => {
                    errors.error_at(
                        &lit,
                        "`max_bytes` is a positive number of bytes, e.g. `max_bytes = 4096`",
                    );
                    None
                }
                Ok(bytes) => Some(bytes),
            });
        Some(Event {
            variant,
            name,
            name_span,
            direction: attrs.direction,
            payload,
            ack,
            guard: attrs.guard.is_some(),
            rate,
            max_bytes,
        })
    }

    /// The guard hook's name: `allow_<method>`.
    pub(crate) fn guard_name(&self) -> syn::Ident {
        syn::Ident::new(
            &format!(
                "allow_{}",
                self.method_name().to_string().trim_start_matches("r#")
            ),
            self.variant.ident.span(),
        )
    }

    /// The handler method or constructor name: the variant in snake_case.
    pub(crate) fn method_name(&self) -> syn::Ident {
        let name = snake(&self.variant.ident.to_string());
        syn::Ident::new_raw(&name, self.variant.ident.span())
    }
}

impl<'a> Feed<'a> {
    fn from_ast(errors: &Errors, variant: &'a syn::Variant) -> Option<Self> {
        let attrs = attr::feed_attrs(errors, variant)?;
        if let Some(other) = variant
            .attrs
            .iter()
            .find(|a| a.path().is_ident("client") || a.path().is_ident("server"))
        {
            errors.error_at(
                other,
                "a feed is not an event: keep `#[feed(...)]` and declare the events on other variants",
            );
        }
        if !matches!(variant.fields, syn::Fields::Unit) {
            errors.error_at(
                &variant.fields,
                format_args!(
                    "a feed variant carries no payload: write `{}` and name the types in `#[feed(item = Item, key = field, filter = Filter)]`",
                    variant.ident
                ),
            );
        }
        let missing = |what: &str, example: &str| {
            errors.error_at(
                &attrs.attr,
                format_args!("a feed names its {what}: add `{example}` to `#[feed(...)]`"),
            );
        };
        if attrs.item.is_none() {
            missing("item type", "item = MyItem");
        }
        if attrs.key.is_none() {
            missing("item's key field", "key = id");
        }
        if attrs.filter.is_none() {
            missing("filter type", "filter = MyFilter");
        }
        let (name, name_span) = wire_name(attrs.rename.as_ref().map(|(_, lit)| lit), variant);
        Some(Feed {
            variant,
            name,
            name_span,
            item: attrs.item?.1,
            key: attrs.key?.1,
            filter: attrs.filter?.1,
            notify: attrs.notify.is_some(),
            error: attrs.error.map(|(_, ty)| ty),
            check: attrs.check.is_some(),
        })
    }

    /// The handler method that authorizes a subscription and loads its snapshot.
    pub(crate) fn subscribe_name(&self) -> syn::Ident {
        syn::Ident::new(
            &format!("subscribe_{}", snake(&self.variant.ident.to_string())),
            self.variant.ident.span(),
        )
    }

    /// The handler method run before every push (`check`).
    pub(crate) fn check_name(&self) -> syn::Ident {
        syn::Ident::new(
            &format!("check_{}", snake(&self.variant.ident.to_string())),
            self.variant.ident.span(),
        )
    }

    /// The constructor of the feed's name: the variant in snake_case.
    pub(crate) fn method_name(&self) -> syn::Ident {
        syn::Ident::new_raw(
            &snake(&self.variant.ident.to_string()),
            self.variant.ident.span(),
        )
    }
}

impl<'a> Download<'a> {
    fn from_ast(errors: &Errors, variant: &'a syn::Variant) -> Option<Self> {
        let attrs = attr::download_attrs(errors, variant)?;
        if let Some(other) = variant.attrs.iter().find(|a| {
            ["client", "server", "feed", "upload"]
                .iter()
                .any(|kind| a.path().is_ident(kind))
        }) {
            errors.error_at(
                other,
                "a download is not an event, a feed or an upload: keep `#[download(...)]` and declare the others on other variants",
            );
        }
        let request = match &variant.fields {
            syn::Fields::Unnamed(fields) if fields.unnamed.len() == 1 => &fields.unnamed[0].ty,
            fields => {
                errors.error_at(
                    fields,
                    format_args!(
                        "a download carries its request as one payload type: write `{}(FileRequest)` with a `#[payload]` struct",
                        variant.ident
                    ),
                );
                return None;
            }
        };
        let (name, name_span) = wire_name(attrs.rename.as_ref().map(|(_, lit)| lit), variant);
        Some(Download {
            variant,
            name,
            name_span,
            request,
            error: attrs.error.map(|(_, ty)| ty),
            guard: attrs.guard.is_some(),
        })
    }

    /// The handler method: the variant in snake_case.
    pub(crate) fn method_name(&self) -> syn::Ident {
        transfer_method(self.variant)
    }

    /// The guard method: `allow_` and the handler method.
    pub(crate) fn guard_name(&self) -> syn::Ident {
        transfer_guard(self.variant)
    }
}

/// The name on the wire: the `rename` literal, or the variant in lowerCamelCase.
fn wire_name(rename: Option<&syn::LitStr>, variant: &syn::Variant) -> (String, Span) {
    match rename {
        Some(lit) => (lit.value(), lit.span()),
        None => (
            lower_camel(&variant.ident.to_string()),
            variant.ident.span(),
        ),
    }
}

/// A transfer's handler method: the variant in snake_case.
fn transfer_method(variant: &syn::Variant) -> syn::Ident {
    syn::Ident::new_raw(&snake(&variant.ident.to_string()), variant.ident.span())
}

/// A transfer's guard method: `allow_` and the handler method.
fn transfer_guard(variant: &syn::Variant) -> syn::Ident {
    syn::Ident::new(
        &format!("allow_{}", snake(&variant.ident.to_string())),
        variant.ident.span(),
    )
}

impl<'a> Upload<'a> {
    fn from_ast(errors: &Errors, variant: &'a syn::Variant) -> Option<Self> {
        let attrs = attr::upload_attrs(errors, variant)?;
        if let Some(other) = variant.attrs.iter().find(|a| {
            a.path().is_ident("client") || a.path().is_ident("server") || a.path().is_ident("feed")
        }) {
            errors.error_at(
                other,
                "an upload is not an event or a feed: keep `#[upload(...)]` and declare the others on other variants",
            );
        }
        let meta = match &variant.fields {
            syn::Fields::Unnamed(fields) if fields.unnamed.len() == 1 => &fields.unnamed[0].ty,
            fields => {
                let message = format!(
                    "an upload carries its metadata as one payload type: write `{}(FileMeta)` with a `#[payload]` struct",
                    variant.ident
                );
                // A unit variant has no fields to point at: point at its name.
                match fields {
                    syn::Fields::Unit => errors.error_at(&variant.ident, message),
                    fields => errors.error_at(fields, message),
                }
                return None;
            }
        };
        // A literal only: the size is also written into the description (the TypeScript
        // docs, the schemas, the fingerprint), which a constant's value cannot reach.
        let max_size = attrs.max_size.and_then(|(_, expr)| {
            let bytes = match &expr {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Int(int),
                    ..
                }) => int.base10_parse::<u64>().ok(),
                _ => None,
            };
            match bytes {
                Some(0) | None => {
                    errors.error_at(
                        &expr,
                        "`max_size` is a positive number of bytes written as an integer literal, e.g. `max_size = 10_485_760`",
                    );
                    None
                }
                Some(bytes) => Some(bytes),
            }
        });
        let (name, name_span) = wire_name(attrs.rename.as_ref().map(|(_, lit)| lit), variant);
        Some(Upload {
            variant,
            name,
            name_span,
            meta,
            ack: attrs.ack.map(|(_, ty)| Ack::from_type(ty)),
            guard: attrs.guard.is_some(),
            max_size,
        })
    }

    /// The handler method: the variant in snake_case.
    pub(crate) fn method_name(&self) -> syn::Ident {
        transfer_method(self.variant)
    }

    /// The guard hook's name: `allow_<method>`.
    pub(crate) fn guard_name(&self) -> syn::Ident {
        transfer_guard(self.variant)
    }
}

impl Ack {
    /// `Result<T, E>` written out is the typed-error form; anything else is a plain answer.
    fn from_type(ty: Type) -> Self {
        if let Type::Path(path) = &ty
            && path.qself.is_none()
            && let Some(last) = path.path.segments.last()
            && last.ident == "Result"
            && let syn::PathArguments::AngleBracketed(args) = &last.arguments
            && args.args.len() == 2
            && let (syn::GenericArgument::Type(ok), syn::GenericArgument::Type(err)) =
                (&args.args[0], &args.args[1])
        {
            return Ack::Result {
                ok: Box::new(ok.clone()),
                err: Box::new(err.clone()),
            };
        }
        Ack::Plain(Box::new(ty))
    }
}

/// `UserTyping` -> `userTyping`, as event names read in JavaScript.
pub(crate) fn lower_camel(ident: &str) -> String {
    let mut chars = ident.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `UserTyping` -> `user_typing`, as Rust method names read.
pub(crate) fn snake(ident: &str) -> String {
    let mut out = String::new();
    for (i, ch) in ident.char_indices() {
        if ch.is_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.extend(ch.to_lowercase());
        } else {
            out.push(ch);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(input: syn::DeriveInput) -> Vec<(String, Direction, bool)> {
        let errors = Errors::new();
        let contract = Contract::from_ast(&errors, &input).expect("an enum");
        let events = contract
            .events
            .iter()
            .map(|e| {
                (
                    e.name.clone(),
                    e.direction,
                    matches!(e.ack, Some(Ack::Result { .. })),
                )
            })
            .collect();
        errors.finish().expect("no errors");
        events
    }

    #[test]
    fn names_default_to_camel_case_and_can_be_renamed() {
        let events = model(syn::parse_quote! {
            enum Chat {
                #[client(ack = Result<Joined, ChatError>)] JoinRoom(JoinRoom),
                #[client] Typing(Typing),
                #[server(rename = "typing")] UserTyping(UserTyping),
                #[server(ack = Pong)] Ping,
            }
        });
        assert_eq!(
            events,
            vec![
                ("joinRoom".into(), Direction::ClientToServer, true),
                ("typing".into(), Direction::ClientToServer, false),
                ("typing".into(), Direction::ServerToClient, false),
                ("ping".into(), Direction::ServerToClient, false),
            ]
        );
    }

    #[test]
    fn result_ack_is_recognised_by_its_two_arguments() {
        assert!(matches!(
            Ack::from_type(syn::parse_quote!(Result<A, B>)),
            Ack::Result { .. }
        ));
        assert!(matches!(
            Ack::from_type(syn::parse_quote!(std::result::Result<A, B>)),
            Ack::Result { .. }
        ));
        assert!(matches!(
            Ack::from_type(syn::parse_quote!(Vec<A>)),
            Ack::Plain(_)
        ));
        assert!(matches!(
            Ack::from_type(syn::parse_quote!(io::Result<A>)),
            Ack::Plain(_)
        ));
    }

    #[test]
    fn rates_parse_with_their_unit() {
        assert_eq!(
            Rate::parse("5/s"),
            Ok(Rate {
                count: 5,
                period_ms: 1_000
            })
        );
        assert_eq!(
            Rate::parse("30/min"),
            Ok(Rate {
                count: 30,
                period_ms: 60_000
            })
        );
        assert_eq!(
            Rate::parse("100 / h"),
            Ok(Rate {
                count: 100,
                period_ms: 3_600_000
            })
        );
        assert!(Rate::parse("5").is_err());
        assert!(Rate::parse("5/day").is_err());
        assert!(
            Rate::parse("0/s")
                .unwrap_err()
                .contains("refuse every event")
        );
    }

    #[test]
    fn case_conversions() {
        assert_eq!(snake("UserTyping"), "user_typing");
        assert_eq!(snake("Join"), "join");
        assert_eq!(lower_camel("UserTyping"), "userTyping");
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let input: syn::DeriveInput = syn::parse_quote! {
            #[contract(namespace = "/x", colour = "red")]
            enum Chat {
                Join(JoinRoom),
                #[client] #[server] Both(Both),
                #[client(ack = A, ack = B)] Twice(Twice),
                #[client] Fields { a: u32 },
            }
        };
        let errors = Errors::new();
        let _ = Contract::from_ast(&errors, &input);
        let error = errors.finish().expect_err("problems");
        let messages: Vec<String> = error.into_iter().map(|e| e.to_string()).collect();
        assert_eq!(messages.len(), 5, "{messages:#?}");
        assert!(
            messages[0].contains("unknown key `colour`"),
            "{}",
            messages[0]
        );
        assert!(
            messages
                .iter()
                .any(|m| m.contains("say who sends this event"))
        );
        assert!(
            messages
                .iter()
                .any(|m| m.contains("an event has one direction"))
        );
        assert!(messages.iter().any(|m| m.contains("`ack` is given twice")));
        assert!(
            messages
                .iter()
                .any(|m| m.contains("an event carries one payload type"))
        );
    }
}
