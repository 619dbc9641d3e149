//! TypeScript names of the described types.
//!
//! The server reads some types and writes others; serde can read and write one type
//! differently (a `#[serde(default)]` field may be omitted by the client but is always sent
//! by the server). Each side has its own definitions: a type whose two sides agree gets one
//! name, a type whose sides differ gets `Name` (what the server sends) and `NameInput` (what
//! the client sends).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::typescript::Resolve;

/// Which side of the wire a schema describes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Side {
    /// Sent by the client, read by the server.
    Input,
    /// Sent by the server.
    Output,
}

/// One TypeScript declaration to emit.
pub(crate) struct Declaration<'a> {
    pub(crate) name: String,
    pub(crate) side: Side,
    pub(crate) schema: &'a Value,
}

pub(crate) struct Names<'a> {
    incoming: &'a Map<String, Value>,
    outgoing: &'a Map<String, Value>,
}

impl<'a> Names<'a> {
    pub(crate) fn new(incoming: &'a Map<String, Value>, outgoing: &'a Map<String, Value>) -> Self {
        Self { incoming, outgoing }
    }

    fn differs(&self, def: &str) -> bool {
        matches!((self.incoming.get(def), self.outgoing.get(def)), (Some(a), Some(b)) if a != b)
    }

    /// The TypeScript name of definition `def` on `side`.
    pub(crate) fn name(&self, def: &str, side: Side) -> String {
        let name = pascal(def);
        if side == Side::Input && self.differs(def) {
            format!("{name}Input")
        } else {
            name
        }
    }

    pub(crate) fn resolver(&'a self, side: Side) -> SideNames<'a> {
        SideNames { names: self, side }
    }

    /// Every declaration, sorted by name.
    pub(crate) fn declarations(&self) -> Vec<Declaration<'a>> {
        let mut out: BTreeMap<String, Declaration<'a>> = BTreeMap::new();
        for (def, schema) in self.outgoing {
            let name = self.name(def, Side::Output);
            out.insert(
                name.clone(),
                Declaration {
                    name,
                    side: Side::Output,
                    schema,
                },
            );
        }
        for (def, schema) in self.incoming {
            let name = self.name(def, Side::Input);
            out.entry(name.clone()).or_insert(Declaration {
                name,
                side: Side::Input,
                schema,
            });
        }
        out.into_values().collect()
    }
}

pub(crate) struct SideNames<'a> {
    names: &'a Names<'a>,
    side: Side,
}

impl Resolve for SideNames<'_> {
    fn resolve(&self, def: &str) -> String {
        self.names.name(def, self.side)
    }
}

/// `PageOf_string` -> `PageOfString`, `chat_error` -> `ChatError`: word starts after
/// non-alphanumerics become capitals, the rest is dropped.
pub(crate) fn pascal(def: &str) -> String {
    let mut out = String::new();
    let mut upper = true;
    for c in def.chars() {
        if c.is_ascii_alphanumeric() {
            if upper {
                out.extend(c.to_uppercase());
            } else {
                out.push(c);
            }
            upper = false;
        } else {
            upper = true;
        }
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

/// `ChatRoom` -> `chatRoom`: the first character in lower case, as the derive names events
/// after their variants (the test below holds the two to the same rule).
pub(crate) fn lower_first(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map(|c| c.to_lowercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The derive names an event after its variant (the macros' `lower_camel`); the
    /// generator names a contract's client the same way. A proc-macro crate cannot share a
    /// function, so the rule is compared on names that tell implementations apart.
    #[test]
    fn lower_first_names_as_the_derive_names_events() {
        #[derive(eventwire::Contract)]
        #[allow(dead_code)]
        enum Probe {
            #[client]
            Join,
            #[client]
            UserTyping,
            #[client]
            Élan,
            #[client]
            X2,
        }
        impl ProbeHandlers for () {
            async fn join(&self, _: &eventwire::Cx<Probe>) {}
            async fn user_typing(&self, _: &eventwire::Cx<Probe>) {}
            async fn élan(&self, _: &eventwire::Cx<Probe>) {}
            async fn x2(&self, _: &eventwire::Cx<Probe>) {}
        }
        let description = eventwire::describe::describe::<Probe>();
        let events = &description.contracts[0].events;
        assert_eq!(events.len(), 4);
        for event in events {
            assert_eq!(lower_first(event.variant), event.name, "{}", event.variant);
        }
    }

    #[test]
    fn pascal_names() {
        assert_eq!(pascal("PageOf_string"), "PageOfString");
        assert_eq!(pascal("PageOf_Array_of_string"), "PageOfArrayOfString");
        assert_eq!(pascal("Joined"), "Joined");
    }
}
