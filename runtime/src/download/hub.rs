//! The downloads of one server, by id: admitted against the limits, found by the socket
//! that receives them, freed when they end, are cancelled, or their socket goes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use socketioxide::socket::Sid;

use crate::download::sender::{Sending, Stop};
use crate::download::{
    DEFAULT_CHUNK_SIZE, DEFAULT_DOWNLOAD_TIMEOUT, DEFAULT_DOWNLOAD_WINDOW, DEFAULT_MAX_DOWNLOADS,
    DEFAULT_MAX_DOWNLOADS_PER_SOCKET,
};
use crate::transfer::{Defaults, Refusal, TransferLimits, new_id};

/// Every download of a server.
pub(crate) struct DownloadHub {
    transfers: Mutex<HashMap<String, Arc<Sending>>>,
    pub(crate) limits: TransferLimits,
}

impl Default for DownloadHub {
    fn default() -> Self {
        Self {
            transfers: Mutex::default(),
            limits: TransferLimits::new(Defaults {
                max_per_socket: DEFAULT_MAX_DOWNLOADS_PER_SOCKET,
                max_total: DEFAULT_MAX_DOWNLOADS,
                chunk_size: DEFAULT_CHUNK_SIZE,
                window: DEFAULT_DOWNLOAD_WINDOW,
                timeout: DEFAULT_DOWNLOAD_TIMEOUT,
            }),
        }
    }
}

impl DownloadHub {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, Arc<Sending>>> {
        self.transfers.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Registers a download for socket `owner`, or says which limit refuses it. `window`
    /// is the client's wish, capped by the server's.
    pub(crate) fn admit(&self, owner: Sid, window: Option<usize>) -> Result<Arc<Sending>, Refusal> {
        let limits = &self.limits;
        let mut transfers = self.lock();
        let per_socket = limits.max_per_socket();
        // Ended downloads wait only for their last acknowledgements; a connection that
        // starts more than it acknowledges loses the oldest waits (their late
        // acknowledgements are then of unknown transfers).
        let ended: Vec<String> = transfers
            .values()
            .filter(|t| t.owner == owner && t.is_ended())
            .map(|t| t.id.clone())
            .collect();
        if ended.len() >= per_socket.max(1) {
            for id in &ended {
                transfers.remove(id);
            }
        }
        let total = limits.max_total();
        if transfers.values().filter(|t| !t.is_ended()).count() >= total {
            return Err(Refusal(format!(
                "the server already sends {total} downloads; try again later"
            )));
        }
        let sending = transfers
            .values()
            .filter(|t| t.owner == owner && !t.is_ended())
            .count();
        if sending >= per_socket {
            return Err(Refusal(format!(
                "this connection already receives {per_socket} downloads; wait for one to finish"
            )));
        }
        let sending = Arc::new(Sending::new(
            new_id(),
            owner,
            limits.window(window),
            limits.chunk_size(),
        ));
        transfers.insert(sending.id.clone(), sending.clone());
        Ok(sending)
    }

    /// The download `id`, if socket `owner` receives it.
    pub(crate) fn find(&self, id: &str, owner: Sid) -> Option<Arc<Sending>> {
        self.lock().get(id).filter(|t| t.owner == owner).cloned()
    }

    pub(crate) fn remove(&self, id: &str) {
        self.lock().remove(id);
    }

    /// A socket left: its downloads stop at once (a reconnecting client asks again).
    pub(crate) fn release(&self, owner: Sid) {
        let gone: Vec<Arc<Sending>> = {
            let mut transfers = self.lock();
            let ids: Vec<String> = transfers
                .values()
                .filter(|t| t.owner == owner)
                .map(|t| t.id.clone())
                .collect();
            ids.iter().filter_map(|id| transfers.remove(id)).collect()
        };
        for sending in gone {
            sending.stop(Stop::Released);
        }
    }
}
