//! The server's download settings, on the [`Server`] builder (apart from `server.rs`,
//! which holds the rest of the builder).

use std::time::Duration;

use crate::serve::server::{Server, ServerAdapter};

impl<A: ServerAdapter> Server<A> {
    /// The largest chunk of a download, in bytes; the server cuts files into chunks of this
    /// size (the start's answer tells the client). Capped, as uploads' chunks are, to fit
    /// in [`max_message_size`](Self::max_message_size) over both transports. Defaults to
    /// 256 KiB (about 255 KiB under the default 1 MiB message limit).
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let server = eventwire::Server::new()
    ///     .download_chunk_size(64 * 1024)
    ///     .download_window(16)
    ///     .download_timeout(Duration::from_secs(30));
    /// # let _ = server;
    /// ```
    pub fn download_chunk_size(self, bytes: usize) -> Self {
        self.downloads.limits.set_chunk_size(bytes);
        self
    }

    /// How many chunks of one download may be unacknowledged by the client; a client may
    /// ask for fewer. The server reads the handler's stream only when the window has room.
    /// Defaults to 8.
    pub fn download_window(self, chunks: usize) -> Self {
        self.downloads.limits.set_window(chunks);
        self
    }

    /// How long a download waits for its client's acknowledgement before it is freed (its
    /// stream dropped, the client told with a `transfer_limit` fault). Time the handler's
    /// stream takes does not count. Defaults to 60 seconds.
    pub fn download_timeout(self, timeout: Duration) -> Self {
        self.downloads.limits.set_timeout(timeout);
        self
    }

    /// How many downloads one connection may receive at once; one more is refused with a
    /// `transfer_limit` fault before its handler runs. Defaults to 4.
    pub fn max_downloads_per_socket(self, max: usize) -> Self {
        self.downloads.limits.set_max_per_socket(max);
        self
    }

    /// How many downloads the server sends at once, to all connections; one more is refused
    /// with a `transfer_limit` fault. Defaults to 1,000.
    pub fn max_downloads(self, max: usize) -> Self {
        self.downloads.limits.set_max_total(max);
        self
    }
}
