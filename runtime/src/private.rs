//! Used by generated code, not public API: nothing here follows semver.

pub use schemars;
pub use serde;

pub use crate::auth::decode_auth;
pub use crate::serve::dispatch::{Dispatch, Reply, Respond, task_size};
pub use crate::serve::middleware::Outcome;
pub use crate::serve::route::{Arm, Route};
pub use crate::validate::check;
pub use crate::wire::answer::Answer;
pub use crate::wire::bytes::byte_vec;
pub use crate::wire::incoming::Incoming;

/// The feed exchange, as generated dispatch runs it.
pub mod feed {
    pub use crate::feed::subscribe::{
        Finished, Pending, SubscribeRequest, key_json, release, unknown_feed, unsubscribe,
    };

    /// The per-item check of a subscription: the handlers' `check_<feed>` for this socket.
    pub fn check<I: 'static, H: Send + Sync + 'static, C: crate::Contract>(
        handlers: std::sync::Arc<H>,
        cx: crate::Cx<C>,
        check: fn(&H, &crate::Cx<C>, &I) -> bool,
    ) -> Option<crate::feed::state::Check<I>> {
        Some(std::sync::Arc::new(move |item: &I| {
            check(&handlers, &cx, item)
        }))
    }

    /// The operand of an order operator (`gt`, ..., `between`): a number or a string.
    pub fn ordered<T: crate::feed::Ordered + ?Sized>(value: &T) -> &T {
        value
    }

    /// The operand of `contains`: text.
    pub fn text<T: crate::feed::Text + ?Sized>(value: &T) -> &str {
        value.text()
    }

    /// The schema of an item's key field, its type inferred from the field access.
    pub fn key_schema<I, K: schemars::JsonSchema>(
        describer: &mut crate::describe::Describer,
        _: fn(&I) -> &K,
    ) -> schemars::Schema {
        describer.outgoing::<K>()
    }

    /// Compile-time check, placed at the user's type: `F` filters items of type `I`.
    pub fn assert_filter<F: crate::Filter<Item = I>, I>() {}
}

/// The download exchange, as generated dispatch runs it.
pub mod download {
    pub use crate::download::exchange::{
        Admitted, Begun, Start, StartRequest, ack, cancel, release,
    };
}

/// The upload exchange, as generated dispatch runs it.
pub mod upload {
    pub use crate::upload::exchange::{
        Admitted, Start, StartRequest, cancel, chunk, finish, release, resume,
    };
}

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
