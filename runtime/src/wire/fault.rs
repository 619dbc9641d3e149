//! Faults: eventwire's own answers when an event cannot be handled.
//!
//! A *fault* is the framework refusing or failing a call (the payload did not parse or
//! validate, the event is unknown, the handler panicked). It is kept apart from the app's
//! own typed error, which a handler returns as `Err(E)`. See [`AckResponse`] for how both
//! travel on the wire.

use std::fmt;

use serde::Serialize;

use crate::validate::Issue;

/// Name of the event that carries a [`Fault`] to a client when the event that failed had
/// no acknowledgement to answer through.
pub const FAULT_EVENT: &str = concat!(eventwire_macros::__own_event_prefix!(), "fault");

/// Why eventwire could not handle an event.
///
/// On the wire (JSON):
///
/// ```json
/// { "code": "invalid_payload", "event": "join", "message": "the payload of `join` is invalid",
///   "issues": [{ "path": ["room"], "code": "length", "message": "must be between 1 and 32 characters long" }] }
/// ```
///
/// ```
/// use eventwire::{Fault, FaultCode};
///
/// let fault = Fault::new(FaultCode::UnknownEvent, "nope", "no event is named `nope`");
/// assert_eq!(
///     serde_json::to_value(&fault).unwrap(),
///     serde_json::json!({ "code": "unknown_event", "event": "nope", "message": "no event is named `nope`", "issues": [] }),
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Fault {
    /// What kind of failure this is.
    pub code: FaultCode,
    /// The event the client sent.
    pub event: String,
    /// A sentence for humans.
    pub message: String,
    /// For `invalid_payload`: each problem with its JSON path. Empty otherwise.
    pub issues: Vec<Issue>,
    /// For `rate_limited`: when the client may send again, in milliseconds.
    #[serde(rename = "retryAfterMs", skip_serializing_if = "Option::is_none")]
    pub retry_after_ms: Option<u64>,
}

impl Fault {
    /// A fault without issues.
    pub fn new(code: FaultCode, event: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code,
            event: event.into(),
            message: message.into(),
            issues: Vec::new(),
            retry_after_ms: None,
        }
    }

    /// The payload of `event` is invalid; `issues` says where and why.
    pub fn invalid_payload(event: impl Into<String>, issues: Vec<Issue>) -> Self {
        let event = event.into();
        let message = format!("the payload of `{event}` is invalid");
        Self {
            code: FaultCode::InvalidPayload,
            event,
            message,
            issues,
            retry_after_ms: None,
        }
    }

    /// No event of the contract has this name.
    pub fn unknown_event(event: impl Into<String>) -> Self {
        let event = event.into();
        let message = format!("no event is named `{event}`");
        Self::new(FaultCode::UnknownEvent, event, message)
    }

    /// A guard denied the event.
    pub fn forbidden(event: impl Into<String>, denied: Forbidden) -> Self {
        Self::new(FaultCode::Forbidden, event, denied.message)
    }

    /// The socket sent this event too often; it may retry after `retry_after`.
    pub fn rate_limited(event: impl Into<String>, retry_after: std::time::Duration) -> Self {
        let ms = u64::try_from(retry_after.as_millis())
            .unwrap_or(u64::MAX)
            .max(1);
        Self {
            retry_after_ms: Some(ms),
            ..Self::new(
                FaultCode::RateLimited,
                event,
                format!("too many events; retry in {ms} ms"),
            )
        }
    }

    /// The handler failed (it panicked); details are in the server's log, not on the wire.
    pub fn internal(event: impl Into<String>) -> Self {
        Self::new(
            FaultCode::Internal,
            event,
            "the server failed to handle this event",
        )
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        for issue in &self.issues {
            write!(f, "; {issue}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Fault {}

/// The kinds of [`Fault`], as `snake_case` strings on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FaultCode {
    /// The payload did not parse as the declared type, or broke a `#[validate]` rule.
    InvalidPayload,
    /// The contract declares no client event with this name (or it is reserved).
    UnknownEvent,
    /// The handler failed; the server logged it and keeps serving.
    Internal,
    /// A guard (`#[client(guard)]`) denied the event; the handler did not run.
    Forbidden,
    /// The socket sent too many events; `retryAfterMs` says when to try again.
    RateLimited,
    /// A subscribe named a feed the contract does not declare.
    UnknownFeed,
    /// The connection already holds as many subscriptions as it may
    /// (`Server::max_subscriptions_per_socket`); unsubscribe from one first.
    SubscriptionLimit,
    /// An upload or download event named a transfer this connection does not send or
    /// receive: never started, finished, cancelled, freed after its timeout, or another
    /// connection's.
    UnknownTransfer,
    /// An upload or download was refused before its first byte: too large, or too many in
    /// progress (`Server::max_upload_size`, `Server::max_downloads_per_socket` and the other
    /// transfer limits); or a download was freed because its client stopped acknowledging
    /// (`Server::download_timeout`).
    TransferLimit,
    /// A chunk broke the upload protocol (out of its window, past the declared size,
    /// overlapping, too large), the upload finished before every byte arrived, or a
    /// download's acknowledgement named bytes not sent; the transfer is ended.
    InvalidChunk,
    /// The uploaded bytes do not match the SHA-256 the client declared, or a download's file
    /// did not have the size it declared (or changed before a resume); the transfer is
    /// ended.
    Integrity,
}

impl FaultCode {
    /// Every fault code, in the order they are declared: what the generated TypeScript's
    /// `FaultCode` union lists and the metrics count.
    ///
    /// ```
    /// use eventwire::FaultCode;
    ///
    /// assert!(FaultCode::ALL.contains(&FaultCode::RateLimited));
    /// ```
    pub const ALL: [FaultCode; 11] = [
        Self::InvalidPayload,
        Self::UnknownEvent,
        Self::Internal,
        Self::Forbidden,
        Self::RateLimited,
        Self::UnknownFeed,
        Self::SubscriptionLimit,
        Self::UnknownTransfer,
        Self::TransferLimit,
        Self::InvalidChunk,
        Self::Integrity,
    ];

    /// The code as it is written on the wire (and in logs and metric labels).
    ///
    /// ```
    /// assert_eq!(eventwire::FaultCode::RateLimited.as_str(), "rate_limited");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::InvalidPayload => "invalid_payload",
            Self::UnknownEvent => "unknown_event",
            Self::Internal => "internal",
            Self::Forbidden => "forbidden",
            Self::RateLimited => "rate_limited",
            Self::UnknownFeed => "unknown_feed",
            Self::SubscriptionLimit => "subscription_limit",
            Self::UnknownTransfer => "unknown_transfer",
            Self::TransferLimit => "transfer_limit",
            Self::InvalidChunk => "invalid_chunk",
            Self::Integrity => "integrity",
        }
    }
}

crate::wire::message::message_error! {
    /// A guard's denial: the client gets a `forbidden` fault with this message.
    ///
    /// ```
    /// use eventwire::Forbidden;
    ///
    /// let denied = Forbidden::new("only members may post");
    /// assert_eq!(denied.to_string(), "only members may post");
    /// ```
    Forbidden,
    new = "A denial with a message for the client."
}

/// The acknowledgement eventwire sends for a client event that asked for one.
///
/// Exactly one of three JSON objects:
///
/// | outcome | JSON |
/// |---|---|
/// | the handler answered | `{ "ok": true, "data": <ack> }` |
/// | the handler returned `Err(e)` (ack declared as `Result<T, E>`) | `{ "ok": false, "error": <e> }` |
/// | eventwire refused or failed the call | `{ "ok": false, "fault": <Fault> }` |
///
/// An event declared without an ack still answers a client that asked for one, with
/// `{ "ok": true, "data": null }`, so no client waits for nothing.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum AckResponse<T, E> {
    /// `{ "ok": true, "data": ... }`
    Data {
        /// Always `true`.
        ok: True,
        /// The handler's answer.
        data: T,
    },
    /// `{ "ok": false, "error": ... }`
    Error {
        /// Always `false`.
        ok: False,
        /// The app's typed error.
        error: E,
    },
    /// `{ "ok": false, "fault": ... }`
    Fault {
        /// Always `false`.
        ok: False,
        /// eventwire's own error.
        fault: Fault,
    },
}

/// Serializes as `true`: the `ok` of a successful [`AckResponse`].
#[derive(Debug, Clone, Copy, Default)]
pub struct True;

/// Serializes as `false`: the `ok` of a failed [`AckResponse`].
#[derive(Debug, Clone, Copy, Default)]
pub struct False;

impl Serialize for True {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bool(true)
    }
}

impl Serialize for False {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bool(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `ALL` lists every variant (the JSON Schema's `enum`, which the derive writes from
    /// the enum itself, is the complete list), each named as serde writes it.
    #[test]
    fn every_fault_code_is_listed_with_its_wire_name() {
        let schema = serde_json::to_value(schemars::schema_for!(FaultCode)).expect("a schema");
        // Documented variants are written as `oneOf` constants, plain ones as an `enum`.
        let variants: Vec<&str> = match schema.get("oneOf") {
            Some(options) => options
                .as_array()
                .expect("options")
                .iter()
                .map(|option| option["const"].as_str().expect("a constant"))
                .collect(),
            None => schema["enum"]
                .as_array()
                .expect("an enum of strings")
                .iter()
                .map(|name| name.as_str().expect("a string"))
                .collect(),
        };
        let listed: Vec<&str> = FaultCode::ALL.iter().map(|code| code.as_str()).collect();
        assert_eq!(listed, variants);
        for code in FaultCode::ALL {
            let wire = serde_json::to_value(code).expect("serializes");
            assert_eq!(wire, serde_json::Value::from(code.as_str()));
        }
    }
}
