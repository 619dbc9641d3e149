//! The wire: how events, answers and faults look as Socket.IO packets, and the wire forms
//! of values JavaScript cannot hold.
//!
//! A JavaScript `number` holds integers exactly only up to 2^53 − 1. [`U64`] and [`I64`]
//! carry a full 64-bit integer as a decimal string (`"18446744073709551615"`), typed
//! `string` in TypeScript, so no client silently rounds it. The code generator refuses
//! unbounded 64-bit numbers and points here. And whatever the declared bounds, no integer
//! beyond ±(2^53 − 1) leaves the server as a number: an emit that holds one fails with
//! [`EmitError::InexactInteger`](crate::EmitError::InexactInteger) (see [`InexactInteger`]).
//!
//! A [`Bytes`](crate::Bytes) field travels as a Socket.IO binary attachment, described by
//! [`Binary`] (`Uint8Array` in TypeScript).
//!
//! The rest of this part is re-exported at the crate root: [`Fault`](crate::Fault) and
//! [`AckResponse`](crate::AckResponse) (what an answer looks like), the payload bounds
//! [`IncomingPayload`](crate::IncomingPayload) and [`OutgoingPayload`](crate::OutgoingPayload),
//! and the decoding of incoming arguments that generated code uses.

pub(crate) mod answer;
pub(crate) mod bytes;
pub(crate) mod exact;
pub(crate) mod fault;
pub(crate) mod incoming;
mod integers;
pub(crate) mod message;
pub(crate) mod payload;
pub(crate) mod reply;
pub(crate) mod spliced;

pub use bytes::Binary;
pub use exact::{InexactInteger, MAX_SAFE_INTEGER};
pub use integers::{I64, U64};
