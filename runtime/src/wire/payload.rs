//! The bounds on what crosses the wire: what the server can receive and send.

use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::validate::Validate;

/// A type the server can receive: deserialized, validated, described.
///
/// Declare it with [`#[payload]`](crate::payload).
pub trait IncomingPayload: DeserializeOwned + Validate + JsonSchema + Send + 'static {}

impl<T: DeserializeOwned + Validate + JsonSchema + Send + 'static> IncomingPayload for T {}

/// A type the server can send: serialized, described.
///
/// Declare it with [`#[payload]`](crate::payload).
pub trait OutgoingPayload: Serialize + JsonSchema + Send + 'static {}

impl<T: Serialize + JsonSchema + Send + 'static> OutgoingPayload for T {}
