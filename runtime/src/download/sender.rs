//! One download's sending side: the chunks in flight, the client's acknowledgements, and
//! the task that reads the handler's stream into chunks as the window allows.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use bytes::Bytes;
use serde::Serialize;
use sha2::{Digest, Sha256};
use socketioxide::socket::Sid;
use tokio::sync::Notify;
use tokio::time::Instant;

use crate::download::body::Body;
use crate::download::hub::DownloadHub;
use crate::download::{CHUNK_EVENT, END_EVENT};
use crate::socket::ops::SocketOps;
use crate::wire::fault::{Fault, FaultCode};

/// One download between its answer and its end.
pub(crate) struct Sending {
    pub(crate) id: String,
    /// The socket receiving it.
    pub(crate) owner: Sid,
    /// How many chunks may be unacknowledged at once.
    pub(crate) window: usize,
    /// The largest chunk sent.
    pub(crate) chunk_size: usize,
    state: Mutex<State>,
    changed: Notify,
    /// Set once the end frame is sent (or the sending stopped): only its last
    /// acknowledgements are awaited, and it no longer counts against the limits.
    ended: AtomicBool,
}

struct State {
    /// Bytes sent: where the next chunk starts.
    sent: u64,
    /// Bytes the client acknowledged.
    acked: u64,
    /// Where each chunk sent and not yet acknowledged ends.
    in_flight: VecDeque<u64>,
    /// The last acknowledgement (or the start): the timeout counts from here.
    last_ack: Instant,
    stop: Option<Stop>,
}

/// Why a download must stop sending.
#[derive(Clone, Debug)]
pub(crate) enum Stop {
    /// The client cancelled it.
    Cancelled,
    /// Its socket went away.
    Released,
    /// The client broke the protocol; it got an `invalid_chunk` fault saying so.
    Broken(String),
}

/// How the sending ended, when it did not send every byte.
enum Ending {
    /// Stopped by the client or its socket: nothing more to send.
    Quiet,
    /// Failed: the client gets this fault in the end frame.
    Fault(Fault),
}

impl From<Stop> for Ending {
    fn from(stop: Stop) -> Self {
        match stop {
            Stop::Cancelled | Stop::Released => Ending::Quiet,
            Stop::Broken(message) => Ending::Fault(Fault::new(
                FaultCode::InvalidChunk,
                super::ACK_EVENT,
                message,
            )),
        }
    }
}

/// `{"id": "..", "offset": 0, "data": <binary>}`.
#[derive(Serialize)]
struct ChunkFrame<'a> {
    id: &'a str,
    offset: u64,
    data: Bytes,
}

/// `{"id": "..", "sha256": ".."}` or `{"id": "..", "fault": {..}}`.
#[derive(Serialize)]
struct EndFrame<'a> {
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    sha256: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fault: Option<Fault>,
}

/// What the sending task needs besides the transfer.
pub(crate) struct Run {
    pub(crate) socket: Arc<dyn SocketOps>,
    pub(crate) hub: Arc<DownloadHub>,
    pub(crate) event: String,
    pub(crate) body: Body,
    pub(crate) size: u64,
    /// The bytes the client holds already (a resume): read and hashed, not sent.
    pub(crate) skip: u64,
    pub(crate) timeout: Duration,
}

impl Sending {
    pub(crate) fn new(id: String, owner: Sid, window: usize, chunk_size: usize) -> Self {
        Self {
            id,
            owner,
            window,
            chunk_size,
            state: Mutex::new(State {
                sent: 0,
                acked: 0,
                in_flight: VecDeque::new(),
                last_ack: Instant::now(),
                stop: None,
            }),
            changed: Notify::new(),
            ended: AtomicBool::new(false),
        }
    }

    /// Whether the sending is over (see `ended`).
    pub(crate) fn is_ended(&self) -> bool {
        self.ended.load(Ordering::Relaxed)
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The client holds every byte up to `offset`. Acknowledgements may be handled out of
    /// order (events run concurrently), so an older one is no error; one of bytes
    /// never sent is.
    pub(crate) fn ack(&self, offset: u64) -> Result<(), String> {
        let mut state = self.lock();
        if state.stop.is_some() {
            return Ok(());
        }
        if offset > state.sent {
            return Err(format!(
                "the acknowledgement of {offset} bytes is past the {} sent",
                state.sent
            ));
        }
        if offset > state.acked {
            state.acked = offset;
            while state.in_flight.front().is_some_and(|end| *end <= offset) {
                state.in_flight.pop_front();
            }
            state.last_ack = Instant::now();
            drop(state);
            self.changed.notify_waiters();
        }
        Ok(())
    }

    /// Stops the sending (unless stopped already); the task drops the handler's stream.
    pub(crate) fn stop(&self, stop: Stop) {
        let mut state = self.lock();
        if state.stop.is_none() {
            state.stop = Some(stop);
        }
        drop(state);
        self.changed.notify_waiters();
    }

    /// Waits until `ready` holds, the sending is stopped, or the client has not
    /// acknowledged anything for `timeout` while it waited.
    async fn wait(&self, timeout: Duration, ready: impl Fn(&State) -> bool) -> Result<(), Ending> {
        loop {
            let notified = self.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let deadline = {
                let state = self.lock();
                if let Some(stop) = &state.stop {
                    return Err(stop.clone().into());
                }
                if ready(&state) {
                    return Ok(());
                }
                state.last_ack + timeout
            };
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                let state = self.lock();
                if state.stop.is_none()
                    && !ready(&state)
                    && state.last_ack + timeout <= Instant::now()
                {
                    tracing::debug!(target: "eventwire::download", transfer = %self.id, "freeing a download its client stopped acknowledging");
                    return Err(Ending::Fault(Fault::new(
                        FaultCode::TransferLimit,
                        END_EVENT,
                        format!(
                            "no acknowledgement for {} ms: the download was freed",
                            timeout.as_millis()
                        ),
                    )));
                }
            }
        }
    }

    /// Resolves once the sending is stopped.
    async fn stopped(&self) {
        loop {
            let notified = self.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.lock().stop.is_some() {
                return;
            }
            notified.await;
        }
    }

    /// Sends the download: the chunks as the window allows, then the end frame; waits for
    /// the last acknowledgements and leaves the hub.
    pub(crate) async fn run(self: Arc<Self>, run: Run) {
        let Run {
            socket,
            hub,
            event,
            mut body,
            size,
            skip,
            timeout,
        } = run;
        {
            let mut state = self.lock();
            state.sent = skip;
            state.acked = skip;
            state.last_ack = Instant::now();
        }
        let outcome = self
            .pump(&*socket, &event, &mut body, size, skip, timeout)
            .await;
        // Whatever happens next, the handler's stream is not read again.
        drop(body);
        self.ended.store(true, Ordering::Relaxed);
        let frame = match outcome {
            Ok(hash) => Some((Some(hash), None)),
            Err(Ending::Fault(fault)) => Some((None, Some(fault))),
            Err(Ending::Quiet) => None,
        };
        if let Some((sha256, fault)) = frame {
            let succeeded = sha256.is_some();
            let end = EndFrame {
                id: &self.id,
                sha256,
                fault,
            };
            if socket.emit(END_EVENT, &(end,)).is_ok() && succeeded {
                // The acknowledgements of the last chunks still arrive: keep the id known
                // until they did (or the timeout), so they are not answered as unknown.
                let _ = self.wait(timeout, |state| state.acked >= state.sent).await;
            }
        }
        hub.remove(&self.id);
    }

    /// Reads, hashes and sends every byte; the hash, or why it stopped.
    async fn pump(
        &self,
        socket: &dyn SocketOps,
        event: &str,
        body: &mut Body,
        size: u64,
        skip: u64,
        timeout: Duration,
    ) -> Result<String, Ending> {
        let mut hasher = Sha256::new();
        let mut read = 0u64;
        while read < size {
            let max = if read < skip {
                usize::try_from(skip - read)
                    .unwrap_or(usize::MAX)
                    .min(1 << 20)
            } else {
                self.wait(timeout, |state| state.in_flight.len() < self.window)
                    .await?;
                self.chunk_size
            };
            let chunk = tokio::select! {
                biased;
                () = self.stopped() => return Err(Ending::Quiet),
                chunk = body.next_chunk(max) => chunk,
            };
            let chunk = match chunk {
                Ok(Some(chunk)) => chunk,
                Ok(None) => {
                    return Err(integrity(
                        event,
                        format!("the file ended after {read} of its {size} bytes"),
                    ));
                }
                Err(error) => {
                    tracing::error!(target: "eventwire::download", event, transfer = %self.id, error = %error, "a download's stream failed");
                    return Err(Ending::Fault(Fault::new(
                        FaultCode::Internal,
                        event,
                        "the file could not be read",
                    )));
                }
            };
            let len = chunk.len() as u64;
            if read + len > size {
                return Err(integrity(
                    event,
                    format!("the file has more than the {size} bytes declared"),
                ));
            }
            hasher.update(&chunk);
            let offset = read;
            read += len;
            if offset < skip {
                continue;
            }
            {
                let mut state = self.lock();
                state.sent = read;
                state.in_flight.push_back(read);
            }
            self.send(
                socket,
                ChunkFrame {
                    id: &self.id,
                    offset,
                    data: chunk,
                },
                timeout,
            )
            .await?;
        }
        if body.has_more_ready() {
            return Err(integrity(
                event,
                format!("the file has more than the {size} bytes declared"),
            ));
        }
        Ok(hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect())
    }

    /// Queues one chunk; a full socket queue (other traffic) is retried for a while.
    async fn send(
        &self,
        socket: &dyn SocketOps,
        frame: ChunkFrame<'_>,
        timeout: Duration,
    ) -> Result<(), Ending> {
        let deadline = Instant::now() + timeout;
        loop {
            match socket.emit(CHUNK_EVENT, &(&frame,)) {
                Ok(()) => return Ok(()),
                Err(socketioxide::SendError::Socket(
                    socketioxide::SocketError::InternalChannelFull,
                )) if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
                Err(error) => {
                    tracing::debug!(target: "eventwire::download", transfer = %self.id, error = %error, "a download chunk could not be sent");
                    return Err(Ending::Quiet);
                }
            }
        }
    }
}

fn integrity(event: &str, message: String) -> Ending {
    Ending::Fault(Fault::new(FaultCode::Integrity, event, message))
}
