//! One transfer's state: the chunks received and not yet taken, the running hash, and the
//! [`Upload`] stream the handler reads them from.

use std::collections::{BTreeMap, VecDeque};
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use futures_util::Stream;
use sha2::{Digest, Sha256};
use socketioxide::socket::Sid;
use tokio::sync::{Notify, oneshot};
use tokio::time::Instant;

use crate::upload::UploadError;
use crate::wire::answer::Answer;

/// One upload between its start and its answer.
pub(crate) struct Transfer {
    pub(crate) id: String,
    /// The declared size in bytes.
    pub(crate) size: u64,
    /// The largest chunk accepted.
    pub(crate) chunk_size: usize,
    /// How many chunks may be held (received, not yet taken by the handler) at once.
    pub(crate) window: usize,
    state: Mutex<State>,
    /// Wakes chunks waiting to be taken and a `finish` waiting for the hash check.
    changed: Notify,
    /// The handler's answer, sent when it returns.
    answer: Mutex<Option<oneshot::Receiver<Answer>>>,
}

struct State {
    /// The socket sending the chunks; `None` while disconnected.
    owner: Option<Sid>,
    /// Bytes received in order: where the next chunk starts.
    received: u64,
    /// Bytes the handler took (and hashed): what chunk acks acknowledge.
    taken: u64,
    /// Received in order, not yet taken.
    ready: VecDeque<Bytes>,
    /// Received ahead of `received` (events are handled concurrently), by offset.
    ahead: BTreeMap<u64, Bytes>,
    hasher: Sha256,
    /// The hash `finish` declared.
    expected: Option<[u8; 32]>,
    phase: Phase,
    waker: Option<Waker>,
    last_activity: Instant,
}

/// Where a transfer is in its life.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Phase {
    /// Chunks flow.
    Open,
    /// Every byte was taken and the hash matched: the stream ended.
    Verified,
    /// The handler dropped its stream (it answered early): chunks are acknowledged unread.
    Dropped,
    /// Ended with an error; `reported` once the stream yielded it.
    Failed { error: UploadError, reported: bool },
}

/// What became of a chunk.
pub(crate) enum Accepted {
    /// Held; acknowledged once the handler took every byte up to `end`.
    Held { end: u64 },
    /// Bytes already received (a chunk sent again after a reconnect).
    Duplicate,
    /// The handler no longer reads: acknowledge without keeping it.
    Unread,
    /// The transfer ended with this error.
    Ended(UploadError),
}

impl Transfer {
    pub(crate) fn new(
        id: String,
        size: u64,
        chunk_size: usize,
        window: usize,
        owner: Sid,
    ) -> (Arc<Self>, oneshot::Sender<Answer>) {
        let (answer_tx, answer_rx) = oneshot::channel();
        let transfer = Arc::new(Self {
            id,
            size,
            chunk_size,
            window,
            state: Mutex::new(State {
                owner: Some(owner),
                received: 0,
                taken: 0,
                ready: VecDeque::new(),
                ahead: BTreeMap::new(),
                hasher: Sha256::new(),
                expected: None,
                phase: Phase::Open,
                waker: None,
                last_activity: Instant::now(),
            }),
            changed: Notify::new(),
            answer: Mutex::new(Some(answer_rx)),
        });
        (transfer, answer_tx)
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Wakes the handler's stream and everything waiting on the transfer.
    fn wake(&self, mut state: MutexGuard<'_, State>) {
        let waker = state.waker.take();
        drop(state);
        if let Some(waker) = waker {
            waker.wake();
        }
        self.changed.notify_waiters();
    }

    pub(crate) fn owner(&self) -> Option<Sid> {
        self.lock().owner
    }

    pub(crate) fn set_owner(&self, owner: Option<Sid>) {
        self.lock().owner = owner;
    }

    pub(crate) fn phase(&self) -> Phase {
        self.lock().phase.clone()
    }

    /// Bytes the handler took: the offset chunk acks carry.
    pub(crate) fn taken(&self) -> u64 {
        self.lock().taken
    }

    /// Whether the transfer waited for its client longer than `timeout`. Time the handler
    /// spends on chunks it holds does not count: the client is waiting for it then.
    pub(crate) fn idle_for(&self, timeout: std::time::Duration) -> bool {
        let state = self.lock();
        state.ready.is_empty() && state.last_activity.elapsed() >= timeout
    }

    /// Takes a chunk at `offset`; an `Err` is a broken rule, which ends the transfer.
    pub(crate) fn accept(&self, offset: u64, data: Bytes) -> Result<Accepted, String> {
        let mut state = self.lock();
        match &state.phase {
            Phase::Open => {}
            Phase::Dropped => return Ok(Accepted::Unread),
            Phase::Verified => return Ok(Accepted::Duplicate),
            Phase::Failed { error, .. } => return Ok(Accepted::Ended(error.clone())),
        }
        let len = data.len() as u64;
        if data.is_empty() {
            return Err("a chunk carries at least one byte".into());
        }
        if data.len() > self.chunk_size {
            return Err(format!(
                "a chunk is at most {} bytes; this one has {len}",
                self.chunk_size
            ));
        }
        let end = offset.checked_add(len).filter(|end| *end <= self.size);
        let Some(end) = end else {
            return Err(format!(
                "the chunk at {offset} ({len} bytes) goes past the declared size of {} bytes",
                self.size
            ));
        };
        if end <= state.received {
            return Ok(Accepted::Duplicate);
        }
        if offset < state.received {
            return Err(format!(
                "the chunk at {offset} overlaps bytes already received (up to {})",
                state.received
            ));
        }
        let held = state.ready.len() + state.ahead.len();
        if held >= self.window && !state.ahead.contains_key(&offset) {
            return Err(format!(
                "more than {} chunks in flight: wait for acknowledgements",
                self.window
            ));
        }
        state.last_activity = Instant::now();
        if offset == state.received {
            state.received = end;
            state.ready.push_back(data);
            // Chunks that arrived ahead of this one follow it.
            while let Some(next) = {
                let at = state.received;
                state.ahead.remove(&at)
            } {
                state.received += next.len() as u64;
                state.ready.push_back(next);
            }
            self.wake(state);
        } else {
            state.ahead.insert(offset, data);
        }
        Ok(Accepted::Held { end })
    }

    /// Waits until the handler took every byte up to `end`, or the transfer left `Open`.
    pub(crate) async fn taken_up_to(&self, end: u64) {
        loop {
            let notified = self.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            {
                let state = self.lock();
                if state.taken >= end || state.phase != Phase::Open {
                    return;
                }
            }
            notified.await;
        }
    }

    /// Records the hash the client declared; the stream ends once every byte is taken and
    /// the hash matches. Returns the bytes received so far when some are missing.
    pub(crate) fn finish(&self, expected: [u8; 32]) -> Result<(), u64> {
        let mut state = self.lock();
        if state.phase == Phase::Open {
            if state.received < self.size {
                return Err(state.received);
            }
            state.expected = Some(expected);
            settle(&mut state, self.size);
        }
        self.wake(state);
        Ok(())
    }

    /// Waits until the transfer is no longer `Open`.
    pub(crate) async fn settled(&self) -> Phase {
        loop {
            let notified = self.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let phase = self.phase();
            if phase != Phase::Open {
                return phase;
            }
            notified.await;
        }
    }

    /// A client reconnected: it sends again from what the handler took. Held chunks are
    /// dropped (the hash counts only what the handler took, so nothing is counted twice).
    pub(crate) fn resume(&self, owner: Sid) -> u64 {
        let mut state = self.lock();
        state.owner = Some(owner);
        state.ready.clear();
        state.ahead.clear();
        state.received = state.taken;
        state.last_activity = Instant::now();
        state.taken
    }

    /// Ends the transfer with `error` (unless it ended already); the handler's stream
    /// yields it. Returns whether this call ended it.
    pub(crate) fn fail(&self, error: UploadError) -> bool {
        let mut state = self.lock();
        if !matches!(state.phase, Phase::Open | Phase::Dropped) {
            return false;
        }
        state.phase = Phase::Failed {
            error,
            reported: false,
        };
        state.ready.clear();
        state.ahead.clear();
        self.wake(state);
        true
    }

    /// The handler's answer, once (for `finish`).
    pub(crate) fn take_answer(&self) -> Option<oneshot::Receiver<Answer>> {
        self.answer.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
}

/// Every byte taken and the hash declared: compare.
fn settle(state: &mut State, size: u64) {
    if state.phase != Phase::Open || state.taken < size {
        return;
    }
    let Some(expected) = state.expected else {
        return;
    };
    let actual: [u8; 32] = std::mem::take(&mut state.hasher).finalize().into();
    state.phase = if actual == expected {
        Phase::Verified
    } else {
        Phase::Failed {
            error: UploadError::Integrity,
            reported: false,
        }
    };
}

/// The bytes of one upload, as the handler reads them: a [`Stream`] of chunks in order.
///
/// The stream ends (`None`) only after every declared byte arrived and the SHA-256 the
/// client declared matched; before that it waits for chunks. It yields an
/// [`UploadError`] (then ends) when the client cancelled, broke the protocol, sent data
/// whose hash does not match, or went away longer than
/// [`Server::upload_timeout`](crate::Server::upload_timeout). Dropping it early (the
/// handler answers without reading everything) tells the client to stop sending.
///
/// Each chunk the handler takes is acknowledged to the client, which keeps at most a window
/// of chunks unacknowledged: a handler that reads slowly slows the sender, and the server
/// holds at most [`Server::upload_window`](crate::Server::upload_window) chunks per upload.
///
/// ```
/// use eventwire::upload::{Upload, UploadError};
/// use futures_util::StreamExt;
///
/// /// Reads a whole upload into memory (fine for small files; write large ones out instead).
/// async fn read_all(mut upload: Upload) -> Result<Vec<u8>, UploadError> {
///     let mut data = Vec::with_capacity(upload.size() as usize);
///     while let Some(chunk) = upload.next().await {
///         data.extend_from_slice(&chunk?);
///     }
///     Ok(data)
/// }
/// ```
pub struct Upload {
    transfer: Arc<Transfer>,
}

impl Upload {
    pub(crate) fn new(transfer: Arc<Transfer>) -> Self {
        Self { transfer }
    }

    /// The size the client declared, in bytes (checked against the server's limits before
    /// the first byte).
    pub fn size(&self) -> u64 {
        self.transfer.size
    }

    /// The transfer's id, as the client knows it.
    pub fn id(&self) -> &str {
        &self.transfer.id
    }

    /// How many bytes the handler took so far.
    pub fn received(&self) -> u64 {
        self.transfer.taken()
    }
}

impl std::fmt::Debug for Upload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upload")
            .field("id", &self.transfer.id)
            .field("size", &self.transfer.size)
            .finish_non_exhaustive()
    }
}

impl Stream for Upload {
    type Item = Result<Bytes, UploadError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let transfer = &self.transfer;
        let mut state = transfer.lock();
        if let Some(chunk) = state.ready.pop_front() {
            state.taken += chunk.len() as u64;
            state.hasher.update(&chunk);
            state.last_activity = Instant::now();
            settle(&mut state, transfer.size);
            transfer.wake(state);
            return Poll::Ready(Some(Ok(chunk)));
        }
        match &mut state.phase {
            Phase::Open | Phase::Dropped => {
                state.waker = Some(cx.waker().clone());
                Poll::Pending
            }
            Phase::Verified => Poll::Ready(None),
            Phase::Failed { reported: true, .. } => Poll::Ready(None),
            Phase::Failed { error, reported } => {
                *reported = true;
                let error = error.clone();
                transfer.wake(state);
                Poll::Ready(Some(Err(error)))
            }
        }
    }
}

impl Drop for Upload {
    fn drop(&mut self) {
        let mut state = self.transfer.lock();
        if state.phase == Phase::Open {
            state.phase = Phase::Dropped;
            state.ready.clear();
            state.ahead.clear();
            self.transfer.wake(state);
        }
    }
}
