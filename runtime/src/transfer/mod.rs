//! What uploads and downloads share: the limits every chunked transfer is admitted against,
//! the refusal a client reads when one is reached, transfer ids, and chunk sizes that fit
//! in one message over both transports.
//!
//! Both directions cut a file into windowed chunks over the same connection, so they are
//! bounded by the same five settings; uploads add two byte bounds of their own (see
//! [`upload`](crate::upload)).

mod chunk;
mod limits;

pub(crate) use chunk::fitting_chunk;
pub(crate) use limits::{Defaults, TransferLimits};

/// Why a transfer was not admitted, as the client reads it (a `transfer_limit` fault).
pub(crate) struct Refusal(pub(crate) String);

/// 128 random bits, as hex: a transfer's id, and for uploads the capability to resume it.
pub(crate) fn new_id() -> String {
    let mut bytes = [0u8; 16];
    getrandom::getrandom(&mut bytes).expect("the operating system's random generator failed");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
