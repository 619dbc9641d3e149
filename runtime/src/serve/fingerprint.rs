//! The contract fingerprint in the handshake: a generated client sends the fingerprint of
//! the contract it was built from; the server refuses it when its own contract is not
//! compatible with that one.
//!
//! The fingerprint travels in the handshake's `auth` object under the reserved key
//! [`FINGERPRINT_KEY`], removed before the contract's own auth type reads the rest (so an
//! auth type that denies unknown fields is not disturbed). The handshake query would not
//! do: socket.io-client shares one connection (and its query) between the namespaces of a
//! server, while `auth` is sent per namespace.
//!
//! The server knows the fingerprint of the contract it serves, and those of the earlier
//! versions it was given ([`Server::accept_earlier`](crate::Server::accept_earlier)) that
//! the current one is compatible with. Any other fingerprint is refused with
//! `contract_mismatch`; a client that sends none (a plain socket.io client) is not checked.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::auth::Refusal;
use crate::contract::Contract;
use crate::contract::compat::{Shape, ShapeError, breaking_changes};

/// The key of the handshake `auth` object that carries the client's contract fingerprint.
pub const FINGERPRINT_KEY: &str = "eventwire:fingerprint";

/// The fingerprints one mounted contract accepts.
pub(crate) struct Fingerprints {
    namespace: String,
    current: String,
    accepted: BTreeSet<String>,
}

impl Fingerprints {
    /// The current contract's fingerprint, and each earlier document's that it is
    /// compatible with. A document without this contract is skipped; one that does not
    /// parse is an error (with its index among `earlier`), so a broken history is found
    /// when the server starts.
    pub(crate) fn new<C: Contract>(
        path: &str,
        earlier: &[String],
    ) -> Result<Self, (usize, ShapeError)> {
        let shape = Shape::of::<C>();
        let mut accepted = BTreeSet::from([shape.fingerprint().to_owned()]);
        for (index, document) in earlier.iter().enumerate() {
            let old = match Shape::from_schema_document(document, C::NAME) {
                Ok(old) => old,
                Err(ShapeError::NoSuchContract(_)) => continue,
                Err(error) => return Err((index, error)),
            };
            let changes = breaking_changes(&old, &shape);
            if changes.is_empty() {
                accepted.insert(old.fingerprint().to_owned());
            } else {
                let changes: Vec<String> = changes.iter().map(ToString::to_string).collect();
                tracing::warn!(
                    contract = C::NAME,
                    fingerprint = old.fingerprint(),
                    "clients of an earlier description will be refused, it is not compatible: {}",
                    changes.join("; ")
                );
            }
        }
        Ok(Self {
            namespace: path.to_owned(),
            current: shape.fingerprint().to_owned(),
            accepted,
        })
    }

    /// Checks the fingerprint in a handshake `auth` (raw JSON) and returns the auth without
    /// it, for the contract's own auth type.
    pub(crate) fn check(&self, auth: Option<String>) -> Result<Option<String>, Refusal> {
        let Some(text) = auth else {
            return Ok(None);
        };
        // Cheap test first: most handshakes of plain clients carry no fingerprint.
        if !text.contains(FINGERPRINT_KEY) {
            return Ok(Some(text));
        }
        let Ok(Value::Object(mut object)) = serde_json::from_str::<Value>(&text) else {
            return Ok(Some(text));
        };
        let Some(sent) = object.remove(FINGERPRINT_KEY) else {
            return Ok(Some(text));
        };
        let Some(sent) = sent.as_str() else {
            return Err(Refusal::new(format!(
                "invalid auth: `{FINGERPRINT_KEY}` must be a string"
            )));
        };
        if !self.accepted.contains(sent) {
            return Err(mismatch(&self.namespace, sent, &self.current));
        }
        // A generated client given no auth sends the fingerprint alone: for the contract's
        // auth that is no auth at all, as a plain client's would be.
        if object.is_empty() {
            return Ok(None);
        }
        Ok(Some(Value::Object(object).to_string()))
    }
}

/// The refusal of a client built for an incompatible contract. socketioxide's
/// `connect_error` carries only a message (no `data`), so the code and both fingerprints
/// are in it, in a fixed form the generated client parses:
/// `contract_mismatch: <sentence> (client <fp>, server <fp>)`.
fn mismatch(namespace: &str, client: &str, server: &str) -> Refusal {
    // The fingerprint is the client's; keep it printable and short in the message.
    let client: String = client
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(64)
        .collect();
    Refusal::new(format!(
        "contract_mismatch: this page was built for another version of the {namespace} API than this server runs; reload it (client {client}, server {server})"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Contract, payload};

    #[payload]
    struct Join {
        room: String,
    }

    #[derive(Contract)]
    #[contract(namespace = "/chat")]
    enum Chat {
        #[client]
        Join(Join),
    }

    fn current() -> Fingerprints {
        Fingerprints::new::<Chat>("/chat", &[]).expect("no earlier documents")
    }

    fn auth(value: serde_json::Value) -> Option<String> {
        Some(value.to_string())
    }

    #[test]
    fn the_fingerprint_is_removed_before_the_auth_is_read() {
        let fingerprint = Shape::of::<Chat>().fingerprint().to_owned();
        let checked = current()
            .check(auth(
                serde_json::json!({ "token": "t", FINGERPRINT_KEY: fingerprint }),
            ))
            .expect("accepted");
        assert_eq!(checked.as_deref(), Some(r#"{"token":"t"}"#));
        // The fingerprint alone is no auth at all, as a plain client's would be.
        let alone = current().check(auth(serde_json::json!({ FINGERPRINT_KEY: fingerprint })));
        assert_eq!(alone, Ok(None));
    }

    #[test]
    fn handshakes_without_fingerprint_pass_untouched() {
        assert_eq!(current().check(None), Ok(None));
        let text = r#"{ "token": "t" }"#.to_owned();
        assert_eq!(current().check(Some(text.clone())), Ok(Some(text)));
    }

    #[test]
    fn another_fingerprint_is_refused_with_both() {
        let refusal = current()
            .check(auth(serde_json::json!({ FINGERPRINT_KEY: "0000<script>" })))
            .expect_err("refused");
        let server = Shape::of::<Chat>().fingerprint().to_owned();
        assert_eq!(
            refusal.message(),
            format!(
                "contract_mismatch: this page was built for another version of the /chat API than this server runs; reload it (client 0000script, server {server})"
            )
        );
    }
}
