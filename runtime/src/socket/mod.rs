//! The socket side: what a handler can do with the socket that sent an event ([`Cx`]),
//! typed server events and their answers ([`Outgoing`], [`Broadcast`]), and emitting from
//! outside a handler ([`Emitter`]).

pub(crate) mod cx;
pub(crate) mod deferred;
pub(crate) mod emit;
pub(crate) mod emitter;
mod everyone;
pub(crate) mod ops;

pub use cx::Cx;
pub use emit::{AckError, AdapterFailure, Broadcast, EmitError, IntoRooms, NoReply, Outgoing};
pub use emitter::Emitter;
