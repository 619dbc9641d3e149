//! The transfers of one server, by id: admitted against the limits, found by the socket
//! that owns them, freed when they end or are abandoned.

use std::any::TypeId;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use socketioxide::socket::Sid;
use tokio::sync::oneshot;

use crate::upload::transfer::{Phase, Transfer};
use crate::upload::{
    DEFAULT_CHUNK_SIZE, DEFAULT_MAX_UPLOAD_BYTES_PER_SOCKET, DEFAULT_MAX_UPLOAD_SIZE,
    DEFAULT_MAX_UPLOADS, DEFAULT_MAX_UPLOADS_PER_SOCKET, DEFAULT_UPLOAD_TIMEOUT,
    DEFAULT_UPLOAD_WINDOW, UploadError,
};
use crate::wire::answer::Answer;

/// The server's upload settings; atomics so the builder sets them after the hub is shared.
pub(crate) struct Limits {
    pub(crate) max_size: AtomicU64,
    pub(crate) max_bytes_per_socket: AtomicU64,
    pub(crate) max_per_socket: AtomicUsize,
    pub(crate) max_total: AtomicUsize,
    pub(crate) chunk_size: AtomicUsize,
    pub(crate) window: AtomicUsize,
    pub(crate) timeout_ms: AtomicU64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_size: AtomicU64::new(DEFAULT_MAX_UPLOAD_SIZE),
            max_bytes_per_socket: AtomicU64::new(DEFAULT_MAX_UPLOAD_BYTES_PER_SOCKET),
            max_per_socket: AtomicUsize::new(DEFAULT_MAX_UPLOADS_PER_SOCKET),
            max_total: AtomicUsize::new(DEFAULT_MAX_UPLOADS),
            chunk_size: AtomicUsize::new(DEFAULT_CHUNK_SIZE),
            window: AtomicUsize::new(DEFAULT_UPLOAD_WINDOW),
            timeout_ms: AtomicU64::new(DEFAULT_UPLOAD_TIMEOUT.as_millis() as u64),
        }
    }
}

impl Limits {
    fn get(value: &AtomicUsize) -> usize {
        value.load(Ordering::Relaxed)
    }

    pub(crate) fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms.load(Ordering::Relaxed))
    }
}

/// A transfer and the contract it belongs to (ids are server-wide, uploads per contract).
struct Entry {
    contract: TypeId,
    transfer: Arc<Transfer>,
}

/// Every transfer of a server.
#[derive(Default)]
pub(crate) struct UploadHub {
    transfers: Mutex<HashMap<String, Entry>>,
    pub(crate) limits: Limits,
}

/// Why a transfer was not admitted, as the client reads it.
pub(crate) struct Refusal(pub(crate) String);

impl UploadHub {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        self.transfers.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Admits a transfer of `size` bytes for socket `owner`, or says which limit refuses
    /// it. `max_size` is the upload's own limit, if it declares one.
    pub(crate) fn admit(
        self: &Arc<Self>,
        contract: TypeId,
        owner: Sid,
        size: u64,
        max_size: Option<u64>,
        window: Option<usize>,
    ) -> Result<(Arc<Transfer>, oneshot::Sender<Answer>), Refusal> {
        let limits = &self.limits;
        let max = limits
            .max_size
            .load(Ordering::Relaxed)
            .min(max_size.unwrap_or(u64::MAX));
        if size > max {
            return Err(Refusal(format!(
                "the file is {size} bytes; at most {max} are accepted"
            )));
        }
        let mut transfers = self.lock();
        let total = Limits::get(&limits.max_total);
        if transfers.len() >= total {
            return Err(Refusal(format!(
                "the server already receives {total} uploads; try again later"
            )));
        }
        let (count, bytes) = transfers
            .values()
            .filter(|entry| entry.transfer.owner() == Some(owner))
            .fold((0usize, 0u64), |(count, bytes), entry| {
                (count + 1, bytes + entry.transfer.size)
            });
        let per_socket = Limits::get(&limits.max_per_socket);
        if count >= per_socket {
            return Err(Refusal(format!(
                "this connection already sends {per_socket} uploads; wait for one to finish"
            )));
        }
        let max_bytes = limits.max_bytes_per_socket.load(Ordering::Relaxed);
        if bytes.saturating_add(size) > max_bytes {
            return Err(Refusal(format!(
                "this connection's uploads would total {} bytes; at most {max_bytes} are accepted at once",
                bytes.saturating_add(size)
            )));
        }
        let chunk_size = Limits::get(&limits.chunk_size).max(1);
        let server_window = Limits::get(&limits.window).max(1);
        let window = window.map_or(server_window, |w| w.clamp(1, server_window));
        let id = new_id();
        let (transfer, answer) = Transfer::new(id.clone(), size, chunk_size, window, owner);
        transfers.insert(
            id,
            Entry {
                contract,
                transfer: transfer.clone(),
            },
        );
        drop(transfers);
        self.watch(&transfer);
        Ok((transfer, answer))
    }

    /// Ends a transfer whose client stays away longer than the timeout.
    fn watch(self: &Arc<Self>, transfer: &Arc<Transfer>) {
        let hub = Arc::downgrade(self);
        let watched = Arc::downgrade(transfer);
        tokio::spawn(async move {
            loop {
                let Some(timeout) = hub.upgrade().map(|hub| hub.limits.timeout()) else {
                    return;
                };
                tokio::time::sleep((timeout / 4).max(Duration::from_millis(5))).await;
                let (Some(hub), Some(transfer)) = (hub.upgrade(), watched.upgrade()) else {
                    return;
                };
                match transfer.phase() {
                    Phase::Open | Phase::Dropped => {}
                    _ => return,
                }
                if transfer.idle_for(timeout) {
                    tracing::debug!(target: "eventwire::upload", transfer = %transfer.id, "freeing an abandoned upload");
                    transfer.fail(UploadError::Abandoned);
                    hub.remove(&transfer.id);
                    return;
                }
            }
        });
    }

    /// The transfer `id` of contract `contract`, if socket `owner` sends it.
    pub(crate) fn find(&self, contract: TypeId, id: &str, owner: Sid) -> Option<Arc<Transfer>> {
        let transfers = self.lock();
        let entry = transfers.get(id)?;
        (entry.contract == contract && entry.transfer.owner() == Some(owner))
            .then(|| entry.transfer.clone())
    }

    /// The transfer `id` of contract `contract`, whoever sent it (a resume from a new
    /// connection: the id, random and known only to its client, is the proof).
    pub(crate) fn claim(&self, contract: TypeId, id: &str) -> Option<Arc<Transfer>> {
        let transfers = self.lock();
        let entry = transfers.get(id)?;
        (entry.contract == contract).then(|| entry.transfer.clone())
    }

    pub(crate) fn remove(&self, id: &str) {
        self.lock().remove(id);
    }

    /// A socket left: its transfers wait, ownerless, for a resume or their timeout.
    pub(crate) fn release(&self, owner: Sid) {
        for entry in self.lock().values() {
            if entry.transfer.owner() == Some(owner) {
                entry.transfer.set_owner(None);
            }
        }
    }
}

/// 128 random bits, as hex: the transfer's id and the capability to resume it.
pub(crate) fn new_id() -> String {
    let mut bytes = [0u8; 16];
    getrandom::getrandom(&mut bytes).expect("the operating system's random generator failed");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The largest chunk, at most `chunk`, that travels within a message limit of `limit` bytes
/// over both transports.
///
/// Over HTTP long-polling a binary attachment is sent as base64 (4/3 of its size), and
/// socket.io-client packs queued packets into one request up to the server's `maxPayload`,
/// estimating base64 as 1.33 times the size: a request of several chunks can exceed the
/// limit by 0.25 % and be refused (HTTP 413, the connection lost). So a chunk is at most 3/4
/// of the limit, and when the client's estimate would fit one chunk more in a request than
/// really fits, chunks shrink until the real count fits.
pub(crate) fn fitting_chunk(chunk: usize, limit: usize) -> usize {
    // A chunk's packets in a request: "b" + base64 and the text packet of its header (the
    // event, the id and the offset), with their separators.
    const HEADER: usize = 256;
    let actual = |c: usize| c.div_ceil(3) * 4 + 2 + HEADER;
    // What socket.io-client counts (`Math.ceil(size * 1.33)`, its header exactly).
    let estimated = |c: usize| (c * 133).div_ceil(100) + 2 + HEADER;
    let mut chunk = chunk.min(limit.saturating_sub(HEADER) / 4 * 3).max(1);
    let fits = limit / actual(chunk);
    let counted = limit / estimated(chunk);
    if counted > fits {
        chunk = ((limit / counted).saturating_sub(2 + HEADER) / 4 * 3).max(1);
    }
    chunk
}

#[cfg(test)]
mod tests {
    use super::fitting_chunk;

    /// As many chunks as socket.io-client packs into one polling request really fit.
    fn fits_in_requests(chunk: usize, limit: usize) -> bool {
        let estimated = |k: usize| k * ((chunk * 133).div_ceil(100) + 2 + 256);
        let actual = |k: usize| k * (chunk.div_ceil(3) * 4 + 2 + 256);
        let packed = (1..)
            .take_while(|k| estimated(*k) <= limit)
            .last()
            .unwrap_or(1);
        actual(packed) <= limit
    }

    #[test]
    fn chunks_fit_polling_requests_as_the_client_packs_them() {
        // 256 KiB chunks in 1 MiB or 2 MiB messages: as socket.io-client counts, one chunk
        // more fits in a request than really does.
        for limit in [1 << 20, 2 << 20] {
            assert!(!fits_in_requests(256 << 10, limit));
            let chunk = fitting_chunk(256 << 10, limit);
            assert!(chunk < 256 << 10 && chunk > 250 << 10, "{chunk}");
            assert!(fits_in_requests(chunk, limit), "{chunk} in {limit}");
        }
        for (chunk, limit) in [
            (64 << 10, 1 << 20),
            (1 << 20, 2 << 20),
            (1 << 30, 1 << 20),
            (100, 1000),
        ] {
            let fitted = fitting_chunk(chunk, limit);
            assert!(
                fitted <= chunk && fits_in_requests(fitted, limit),
                "{chunk} in {limit}: {fitted}"
            );
        }
    }
}
