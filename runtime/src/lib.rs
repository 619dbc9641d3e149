#![doc = include_str!("../../docs/overview.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

// `#[payload]` inside this crate names it `::eventwire`, as in users' crates.
extern crate self as eventwire;

mod access;
mod auth;
mod contract;
mod cx;
pub mod describe;
mod dispatch;
mod emit;
mod emitter;
mod fault;
mod incoming;
#[cfg(feature = "jwt")]
#[cfg_attr(docsrs, doc(cfg(feature = "jwt")))]
pub mod jwt;
mod limit;
mod message;
mod ops;
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub mod redis;
mod server;
mod validate;
pub mod wire;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use access::Origins;
pub use auth::{Expiring, Refusal};
pub use contract::{Contract, Handlers, IncomingPayload, OutgoingPayload};
pub use cx::Cx;
pub use emit::{AckError, Broadcast, EmitError, IntoRooms, NoReply, Outgoing};
pub use emitter::Emitter;
#[doc = include_str!("../../docs/contract.md")]
pub use eventwire_macros::Contract;
#[doc = include_str!("../../docs/validate.md")]
pub use eventwire_macros::Validate;
#[doc = include_str!("../../docs/payload.md")]
pub use eventwire_macros::payload;
pub use fault::{
    AckResponse, FAULT_EVENT, False, Fault, FaultCode, Forbidden, Issue, PathSegment, True,
};
pub use limit::{ABUSE_WINDOW, DEFAULT_DISCONNECT_AFTER, DEFAULT_RATE_LIMIT, RateLimit};
pub use server::{
    BuildError, DEFAULT_MAX_BINARY_ATTACHMENTS, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_MESSAGE_SIZE,
    ServeError, Server, ServerAdapter,
};
pub use validate::{Report, Step, Validate, ValidationError};

/// Re-exported so apps name socket ids, the io handle and adapters without a version skew.
pub use socketioxide;
pub use socketioxide::SocketIo;
pub use socketioxide::socket::Sid;

/// Event names socket.io reserves; a contract cannot declare them and the server answers
/// them with an `unknown_event` fault. (The derive keeps its own copy of this list in
/// `macros/src/contract/check.rs`: a proc-macro crate cannot depend on this one.)
pub const RESERVED_EVENTS: &[&str] = &[
    "connect",
    "connect_error",
    "disconnect",
    "disconnecting",
    "newListener",
    "removeListener",
    "error",
];
