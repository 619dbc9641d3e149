//! Uploads: files larger than one message, sent as a stream of chunks over the same
//! connection.
//!
//! Declared in the contract with `#[upload(ack = T)]` on a variant whose payload is the
//! upload's metadata (see [`Contract`](crate::Contract)). The client starts an upload with
//! the metadata and the size; the metadata is validated and the guard (if declared) runs
//! before the first byte, and the server's limits are checked. The handler then receives
//! the metadata and an [`Upload`], a `Stream` of the chunks in order, and returns the
//! upload's typed answer once it has read what it needs.
//!
//! **Backpressure.** Each chunk is acknowledged once the handler took it; the client keeps
//! at most a window of chunks unacknowledged ([`Server::upload_window`](crate::Server::upload_window),
//! default 8, of at most [`Server::upload_chunk_size`](crate::Server::upload_chunk_size)
//! bytes, default 256 KiB), so the server holds at most one window per upload whatever the
//! client does: a chunk beyond it ends the transfer with an `invalid_chunk` fault.
//!
//! **Integrity.** The client declares the SHA-256 of the whole file when it finishes; the
//! server hashes what the handler took and ends the stream only when both match. A
//! mismatch yields [`UploadError::Integrity`] to the handler and an `integrity` fault to
//! the client.
//!
//! **Resume.** A transfer outlives its connection for
//! [`Server::upload_timeout`](crate::Server::upload_timeout) (default 60 s): a client that
//! reconnects asks for it by id and sends again from the last byte acknowledged. A
//! transfer whose client stays away longer is freed, and the handler's stream yields
//! [`UploadError::Abandoned`].
//!
//! **Limits.** The size is checked before the first byte against
//! [`Server::max_upload_size`](crate::Server::max_upload_size) (and the upload's own
//! `max_size`), the bytes a connection uploads at once against
//! [`Server::max_upload_bytes_per_socket`](crate::Server::max_upload_bytes_per_socket), the
//! transfers against [`Server::max_uploads_per_socket`](crate::Server::max_uploads_per_socket)
//! and [`Server::max_uploads`](crate::Server::max_uploads): each refusal is a
//! `transfer_limit` fault.
//!
//! The frames on the wire are in `docs/protocol.md`.

pub(crate) mod exchange;
pub(crate) mod hub;
mod transfer;

use std::time::Duration;

pub use transfer::Upload;

/// The event carrying one chunk: `["eventwire:chunk", {id, offset, data}]`.
pub const CHUNK_EVENT: &str = "eventwire:chunk";
/// The event ending an upload with its hash: `["eventwire:finish", {id, sha256}]`.
pub const FINISH_EVENT: &str = "eventwire:finish";
/// The event cancelling an upload: `["eventwire:cancel", {id}]`.
pub const CANCEL_EVENT: &str = "eventwire:cancel";
/// The event a reconnected client sends to continue an upload: `["eventwire:resume", {id}]`.
pub const RESUME_EVENT: &str = "eventwire:resume";

/// Default largest upload: 128 MiB.
pub const DEFAULT_MAX_UPLOAD_SIZE: u64 = 128 << 20;
/// Default largest total of one connection's uploads in progress: 512 MiB.
pub const DEFAULT_MAX_UPLOAD_BYTES_PER_SOCKET: u64 = 512 << 20;
/// Default number of uploads one connection may have in progress: 4.
pub const DEFAULT_MAX_UPLOADS_PER_SOCKET: usize = 4;
/// Default number of uploads a server receives at once: 1,000.
pub const DEFAULT_MAX_UPLOADS: usize = 1_000;
/// Default largest chunk: 256 KiB.
pub const DEFAULT_CHUNK_SIZE: usize = 256 << 10;
/// Default window: 8 chunks in flight per upload.
pub const DEFAULT_UPLOAD_WINDOW: usize = 8;
/// Default time a transfer waits for its client: 60 seconds.
pub const DEFAULT_UPLOAD_TIMEOUT: Duration = Duration::from_secs(60);

/// Why an upload's stream failed, as its handler reads it.
///
/// ```
/// use eventwire::upload::UploadError;
///
/// assert_eq!(
///     UploadError::Integrity.to_string(),
///     "the data does not match the SHA-256 the client declared"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UploadError {
    /// The client cancelled the upload.
    #[error("the client cancelled the upload")]
    Cancelled,
    /// The client went away (or stopped sending) longer than the upload timeout.
    #[error("the client abandoned the upload")]
    Abandoned,
    /// The bytes received do not hash to what the client declared.
    #[error("the data does not match the SHA-256 the client declared")]
    Integrity,
    /// The client broke the upload protocol (a chunk out of its window, past the declared
    /// size, or overlapping); it got an `invalid_chunk` fault saying so.
    #[error("the client broke the upload protocol: {0}")]
    Protocol(String),
}
