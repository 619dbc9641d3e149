//! Used by generated code, not public API: nothing here follows semver.

pub use schemars;
pub use serde;

pub use crate::auth::decode_auth;
pub use crate::serve::dispatch::{Dispatch, Outcome};
pub use crate::validate::check;
pub use crate::wire::incoming::Incoming;

use crate::contract::Contract;
use crate::contract::describe::Describer;
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

/// The schema of a type the server receives. Generated descriptions go through this rather
/// than [`Describer::incoming`] so that a type that is not a payload is reported as such,
/// once, instead of as a missing `JsonSchema`.
pub fn describe_incoming<T: IncomingPayload>(describer: &mut Describer) -> schemars::Schema {
    describer.incoming::<T>()
}

/// The schema of a type the server sends; see [`describe_incoming`].
pub fn describe_outgoing<T: OutgoingPayload>(describer: &mut Describer) -> schemars::Schema {
    describer.outgoing::<T>()
}

/// Compile-time check, placed at the user's type: the server can send `T`.
pub fn assert_outgoing_payload<T: OutgoingPayload>() {}
