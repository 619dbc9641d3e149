//! The transfers of one server, by id: admitted against the limits, found by the socket
//! that owns them, freed when they end or are abandoned.

use std::any::TypeId;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use socketioxide::socket::Sid;
use tokio::sync::oneshot;

use crate::transfer::{Defaults, Refusal, TransferLimits, new_id};
use crate::upload::transfer::{Phase, Transfer};
use crate::upload::{
    DEFAULT_CHUNK_SIZE, DEFAULT_MAX_UPLOAD_BYTES_PER_SOCKET, DEFAULT_MAX_UPLOAD_SIZE,
    DEFAULT_MAX_UPLOADS, DEFAULT_MAX_UPLOADS_PER_SOCKET, DEFAULT_UPLOAD_TIMEOUT,
    DEFAULT_UPLOAD_WINDOW, UploadError,
};
use crate::wire::answer::Answer;

/// The server's upload settings: those of every transfer, and two byte bounds of uploads'
/// own (a client declares its upload's size before the first byte).
pub(crate) struct Limits {
    pub(crate) transfer: TransferLimits,
    pub(crate) max_size: AtomicU64,
    pub(crate) max_bytes_per_socket: AtomicU64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            transfer: TransferLimits::new(Defaults {
                max_per_socket: DEFAULT_MAX_UPLOADS_PER_SOCKET,
                max_total: DEFAULT_MAX_UPLOADS,
                chunk_size: DEFAULT_CHUNK_SIZE,
                window: DEFAULT_UPLOAD_WINDOW,
                timeout: DEFAULT_UPLOAD_TIMEOUT,
            }),
            max_size: AtomicU64::new(DEFAULT_MAX_UPLOAD_SIZE),
            max_bytes_per_socket: AtomicU64::new(DEFAULT_MAX_UPLOAD_BYTES_PER_SOCKET),
        }
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
        let total = limits.transfer.max_total();
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
        let per_socket = limits.transfer.max_per_socket();
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
        let chunk_size = limits.transfer.chunk_size();
        let window = limits.transfer.window(window);
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
                let Some(timeout) = hub.upgrade().map(|hub| hub.limits.transfer.timeout()) else {
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
