#![doc = include_str!("../docs/overview.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

// `#[payload]` inside this crate names it `::eventwire`, as in users' crates.
extern crate self as eventwire;

// The crate in parts, each depending only on those listed before it.
//
// - `contract`: the core. The `Contract` trait that `#[derive(Contract)]` implements, the
//   description of a contract (`describe`) that code generation reads, its normalized wire
//   shape with its fingerprint and breaking-change rules (`compat`), and `RateLimit`.
//   It depends on nothing else in the crate but one bound of `wire` (`IncomingPayload`,
//   which gives a type that is not a payload one error that says what to do).
// - `validate`: the `Validate` trait, the rules `#[validate(...)]` expands to, and `Issue`,
//   one problem at a JSON path.
// - `wire`: what crosses the wire. Payload bounds, decoding an event's arguments, faults and
//   the three-way acknowledgement, 64-bit integers as strings.
// - `observe`: how an event ended (`Outcome`), as middleware, logs and metrics see it;
//   metric names and handles, the clock events are timed with. Depends only on `wire`
//   (fault codes); `serve`, `socket` and `feed` record into it.
// - `auth`: the handshake. Decoding `auth`, `Refusal`, identities and their expiry, JWT.
// - `recovery`: connection state recovery. Recording server events with offsets, parking
//   a dropped socket's session, and replaying what it missed when it comes back.
// - `socket`: what a handler does with a socket. `Cx`, typed emits and their answers,
//   broadcasts, `Emitter` for code outside handlers.
// - `feed`: live subscriptions. `Filter` (matcher and SQL fragment), the feed index, the
//   subscribe exchange, per-feed offsets and buffers, the bounded history resuming
//   subscribers replay from, and the `Feed` publishing handle.
// - `prop`: shared state. A typed value per scope, read as a one-item feed, written with
//   compare-and-set; built on `feed`.
// - `transfer`: what uploads and downloads share: the limits a chunked transfer is admitted
//   against, its refusal, ids, chunk sizes that fit in one message.
// - `upload`: files larger than one message. A transfer's chunks, windowed and hashed,
//   handed to the handler as a `Stream`; resume, limits and timeouts.
// - `download`: files larger than one message, the other way. The handler's `Download`
//   read into chunks as the client's acknowledgements allow, hashed as it is sent; limits,
//   the timeout, resume by asking again.
// - `serve`: the `Server` builder, the one dispatch entry per socket (route to the event's
//   generated arm, limit, decode, call, answer; started where the packet arrived, a task
//   only once it waits), event middleware, origin and connection checks, rate limiting.
// - `adapter`: several nodes behind one server (Redis, Redis Cluster).
// - `testing`: handlers driven in process, without a network: a test namespace whose
//   clients go through the real dispatch and record what they receive.
// - `outbox`: publish after commit. Messages recorded in the app's own transaction (SQLite,
//   PostgreSQL), a relay that hands committed ones to a sink, a sink that emits them.
// - `__private`: the one door generated code goes through.
mod adapter;
mod auth;
mod contract;
pub mod download;
pub mod feed;
mod observe;
pub mod outbox;
pub mod prop;
mod recovery;
mod serve;
mod socket;
pub mod testing;
mod transfer;
pub mod upload;
mod validate;
pub mod wire;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use auth::{Expiring, Refusal};
pub use contract::{Contract, DEFAULT_RATE_LIMIT, RateLimit, RateLimitError, compat, describe};
pub use download::Download;
#[doc = include_str!("../docs/contract.md")]
pub use eventwire_macros::Contract;
#[doc = include_str!("../docs/filter.md")]
pub use eventwire_macros::Filter;
#[doc = include_str!("../docs/validate.md")]
pub use eventwire_macros::Validate;
#[doc = include_str!("../docs/payload.md")]
pub use eventwire_macros::payload;
pub use feed::{Feed, FeedRef, Feeds, Filter};
pub use observe::names as metrics;
pub use recovery::{RECOVERY_EVENT, Recovery};
pub use serve::{
    ABUSE_WINDOW, BuildError, DEFAULT_DISCONNECT_AFTER, DEFAULT_MAX_BINARY_ATTACHMENTS,
    DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_MESSAGE_SIZE, DEFAULT_PACKET_COMPLETION_TIMEOUT, Event,
    FINGERPRINT_KEY, Handled, Handlers, Middleware, Next, Origins, Outcome, ServeError, Server,
    ServerAdapter, ServerLayer,
};
pub use socket::{
    AckError, AdapterFailure, Broadcast, Cx, EmitError, Emitter, IntoRooms, NoReply, Outgoing,
};
pub use upload::{Upload, UploadError};
pub use validate::{Issue, PathSegment, Report, Step, Validate, ValidationError};
pub use wire::fault::{AckResponse, FAULT_EVENT, False, Fault, FaultCode, Forbidden, True};
pub use wire::payload::{IncomingPayload, OutgoingPayload};

#[cfg(feature = "jwt")]
#[cfg_attr(docsrs, doc(cfg(feature = "jwt")))]
pub use auth::jwt;

#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub use adapter::redis;

/// Re-exported so payloads name binary fields (`eventwire::Bytes`) without a version skew.
pub use bytes;
pub use bytes::Bytes;

/// Re-exported so apps name socket ids, the io handle and adapters without a version skew.
pub use socketioxide;
pub use socketioxide::SocketIo;
pub use socketioxide::socket::Sid;

/// Event names socket.io reserves; a contract cannot declare them and the server answers
/// them with an `unknown_event` fault. The list is the derive's own (a proc-macro crate
/// cannot depend on this one, so it hands the list over), so both always agree.
///
/// ```
/// assert!(eventwire::RESERVED_EVENTS.contains(&"disconnect"));
/// ```
pub const RESERVED_EVENTS: &[&str] = eventwire_macros::__reserved_events!();
