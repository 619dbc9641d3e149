//! Used by generated code, not public API: nothing here follows semver.

pub use schemars;
pub use serde;

pub use crate::auth::decode_auth;
pub use crate::serve::dispatch::{Dispatch, Reply, Respond};
pub use crate::serve::middleware::Outcome;
pub use crate::validate::check;
pub use crate::wire::incoming::Incoming;

use crate::contract::Contract;
use crate::socket::emit::Outgoing;
use crate::wire::payload::{IncomingPayload, OutgoingPayload};

/// An incoming event from its name and its arguments as JSON text (`["name", ...]`), for
/// fuzzing and tests of the decoding path without a socket.
pub fn incoming(event: &str, arguments: &str) -> Incoming {
    Incoming::new(
        event.to_owned(),
        socketioxide::handler::Value::Str(arguments.to_owned().into(), None),
    )
}

/// An incoming event from its name and raw socket.io value, as the dispatcher builds it
/// (for benchmarks of the decoding path).
pub fn incoming_value(event: String, value: socketioxide::handler::Value) -> Incoming {
    Incoming::new(event, value)
}

/// Builds a server event with a payload.
pub fn outgoing<C: Contract, P: serde::Serialize, R>(
    event: &'static str,
    payload: P,
) -> Outgoing<C, P, R> {
    Outgoing::new(event, payload)
}

/// Builds a server event without payload.
pub fn outgoing_empty<C: Contract, R>(event: &'static str) -> Outgoing<C, (), R> {
    Outgoing::empty(event)
}

/// Compile-time check, placed at the user's type: the server can receive `T`.
pub fn assert_incoming_payload<T: IncomingPayload>() {}

/// Compile-time check, placed at the user's type: the server can send `T`.
pub fn assert_outgoing_payload<T: OutgoingPayload>() {}

/// An identity, described for the connection's span (see `Contract::describe_identity`).
pub struct Describe<'a, T>(pub &'a T);

/// Picked when the identity is `Debug`.
pub trait DescribeDebug {
    /// The `Debug` form.
    fn describe(&self) -> Option<String>;
}

impl<T: std::fmt::Debug> DescribeDebug for Describe<'_, T> {
    fn describe(&self) -> Option<String> {
        Some(format!("{:?}", self.0))
    }
}

/// Picked otherwise (one auto-reference further away).
pub trait DescribeNone {
    /// Nothing to show.
    fn describe(&self) -> Option<String>;
}

impl<T> DescribeNone for &Describe<'_, T> {
    fn describe(&self) -> Option<String> {
        None
    }
}
