//! Downloads: files larger than one message, sent by the server as a stream of chunks over
//! the same connection. The mirror image of [uploads](crate::upload).
//!
//! Declared in the contract with `#[download(error = E, guard)]` on a variant whose payload
//! is the request (which file); see [`Contract`](crate::Contract). The request is validated
//! and the guard (if declared) runs; the server's limits are checked; then the handler
//! authorizes and returns the file, a [`Download`] (its size, optional name and media type,
//! and a `Stream` of `Bytes` or an `AsyncRead`), or the app's typed error. Nothing is sent
//! before the answer.
//!
//! **Backpressure.** The client acknowledges each chunk as it receives it; the server keeps
//! at most a window of chunks unacknowledged
//! ([`Server::download_window`](crate::Server::download_window), default 8, of at most
//! [`Server::download_chunk_size`](crate::Server::download_chunk_size) bytes, default
//! 256 KiB), and reads the handler's stream only when the window has room: a slow client
//! slows the reading, and a download holds at most one window in the socket's queue.
//!
//! **Integrity.** The server hashes every byte it reads (SHA-256) and ends the transfer
//! with the hash; the client checks it against what it received.
//!
//! **Resume.** A download does not outlive its connection: when the socket goes, its
//! downloads are freed at once (their streams dropped). A client that reconnects asks again
//! with the request and the offset it holds; the handler runs again (guard included) and
//! the runtime reads its stream from the start, hashing the first `offset` bytes without
//! sending them, so the hash still covers the whole file, and a file that changed between
//! the two requests fails the check instead of splicing two versions.
//!
//! **Limits and timeouts.** At most
//! [`Server::max_downloads_per_socket`](crate::Server::max_downloads_per_socket) downloads
//! per connection and [`Server::max_downloads`](crate::Server::max_downloads) in all (a
//! `transfer_limit` fault, before the handler runs). A download whose client stops
//! acknowledging for [`Server::download_timeout`](crate::Server::download_timeout) (default
//! 60 s) is freed, its stream dropped.
//!
//! The frames on the wire are in `docs/protocol.md`.

mod body;
pub(crate) mod exchange;
pub(crate) mod hub;
mod sender;

use std::time::Duration;

pub use body::Download;

/// The event carrying one chunk to the client: `["eventwire:download-chunk", {id, offset, data}]`.
pub const CHUNK_EVENT: &str = concat!(eventwire_macros::__own_event_prefix!(), "download-chunk");
/// The event ending a download: `["eventwire:download-end", {id, sha256}]`, or
/// `{id, fault}` when it failed.
pub const END_EVENT: &str = concat!(eventwire_macros::__own_event_prefix!(), "download-end");
/// The client's acknowledgement: `["eventwire:download-ack", {id, offset}]`, every byte up
/// to `offset` received.
pub const ACK_EVENT: &str = concat!(eventwire_macros::__own_event_prefix!(), "download-ack");
/// The event cancelling a download: `["eventwire:download-cancel", {id}]`.
pub const CANCEL_EVENT: &str = concat!(eventwire_macros::__own_event_prefix!(), "download-cancel");

/// Default number of downloads one connection may receive at once: 4.
pub const DEFAULT_MAX_DOWNLOADS_PER_SOCKET: usize = 4;
/// Default number of downloads a server sends at once: 1,000.
pub const DEFAULT_MAX_DOWNLOADS: usize = 1_000;
/// Default largest chunk: 256 KiB.
pub const DEFAULT_CHUNK_SIZE: usize = 256 << 10;
/// Default window: 8 chunks unacknowledged per download.
pub const DEFAULT_DOWNLOAD_WINDOW: usize = 8;
/// Default time a download waits for an acknowledgement: 60 seconds.
pub const DEFAULT_DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(60);
