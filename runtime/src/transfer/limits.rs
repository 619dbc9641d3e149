//! The settings every chunked transfer is admitted against, in one direction.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use crate::transfer::fitting_chunk;

/// A direction's defaults, from its module's public constants.
pub(crate) struct Defaults {
    pub(crate) max_per_socket: usize,
    pub(crate) max_total: usize,
    pub(crate) chunk_size: usize,
    pub(crate) window: usize,
    pub(crate) timeout: Duration,
}

/// How many transfers a socket and the server may run at once, how large a chunk is, how
/// many chunks may be unacknowledged, and how long a transfer waits for its client.
/// Atomics, so the builder sets them after the hub is shared.
pub(crate) struct TransferLimits {
    max_per_socket: AtomicUsize,
    max_total: AtomicUsize,
    chunk_size: AtomicUsize,
    window: AtomicUsize,
    timeout_ms: AtomicU64,
}

impl TransferLimits {
    pub(crate) fn new(defaults: Defaults) -> Self {
        let limits = Self {
            max_per_socket: AtomicUsize::new(defaults.max_per_socket),
            max_total: AtomicUsize::new(defaults.max_total),
            chunk_size: AtomicUsize::new(defaults.chunk_size),
            window: AtomicUsize::new(defaults.window),
            timeout_ms: AtomicU64::new(0),
        };
        limits.set_timeout(defaults.timeout);
        limits
    }

    /// How many transfers one socket may run at once.
    pub(crate) fn max_per_socket(&self) -> usize {
        self.max_per_socket.load(Ordering::Relaxed)
    }

    /// How many transfers the server runs at once, for all sockets.
    pub(crate) fn max_total(&self) -> usize {
        self.max_total.load(Ordering::Relaxed)
    }

    /// The largest chunk, in bytes (at least one).
    pub(crate) fn chunk_size(&self) -> usize {
        self.chunk_size.load(Ordering::Relaxed).max(1)
    }

    /// The window a transfer gets: the client's wish, capped by the server's.
    pub(crate) fn window(&self, asked: Option<usize>) -> usize {
        let server = self.window.load(Ordering::Relaxed).max(1);
        asked.map_or(server, |w| w.clamp(1, server))
    }

    /// How long a transfer waits for its client.
    pub(crate) fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms.load(Ordering::Relaxed))
    }

    pub(crate) fn set_max_per_socket(&self, max: usize) {
        self.max_per_socket.store(max, Ordering::Relaxed);
    }

    pub(crate) fn set_max_total(&self, max: usize) {
        self.max_total.store(max, Ordering::Relaxed);
    }

    pub(crate) fn set_chunk_size(&self, bytes: usize) {
        self.chunk_size.store(bytes.max(1), Ordering::Relaxed);
    }

    pub(crate) fn set_window(&self, chunks: usize) {
        self.window.store(chunks.max(1), Ordering::Relaxed);
    }

    /// At least a millisecond: a zero timeout would free every transfer at once.
    pub(crate) fn set_timeout(&self, timeout: Duration) {
        let millis = u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX);
        self.timeout_ms.store(millis.max(1), Ordering::Relaxed);
    }

    /// Shrinks the chunk size to what travels in a message of `max_message_size` bytes
    /// (see [`fitting_chunk`]); the server does it once, when it is built.
    pub(crate) fn fit_chunks_to(&self, max_message_size: usize) {
        let fitting = fitting_chunk(self.chunk_size.load(Ordering::Relaxed), max_message_size);
        self.chunk_size.store(fitting, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{Defaults, TransferLimits};

    fn limits() -> TransferLimits {
        TransferLimits::new(Defaults {
            max_per_socket: 4,
            max_total: 1_000,
            chunk_size: 256 << 10,
            window: 8,
            timeout: Duration::from_secs(60),
        })
    }

    #[test]
    fn the_client_window_is_capped_by_the_server() {
        let limits = limits();
        assert_eq!(limits.window(None), 8);
        assert_eq!(limits.window(Some(3)), 3);
        assert_eq!(limits.window(Some(0)), 1);
        assert_eq!(limits.window(Some(100)), 8);
    }

    #[test]
    fn settings_stay_usable() {
        let limits = limits();
        limits.set_window(0);
        limits.set_chunk_size(0);
        limits.set_timeout(Duration::ZERO);
        assert_eq!(limits.window(None), 1);
        assert_eq!(limits.chunk_size(), 1);
        assert_eq!(limits.timeout(), Duration::from_millis(1));
        limits.set_timeout(Duration::MAX);
        assert_eq!(limits.timeout(), Duration::from_millis(u64::MAX));
    }
}
