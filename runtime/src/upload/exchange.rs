//! The upload exchange, as generated dispatch runs it: start (under the upload's own event
//! name), chunks, finish, cancel and resume.

use std::any::TypeId;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::FutureExt;
use serde::{Deserialize, Serialize};
use tokio::sync::oneshot;

use crate::contract::Contract;
use crate::socket::cx::Cx;
use crate::transfer::Refusal;
use crate::upload::hub::UploadHub;
use crate::upload::transfer::{Accepted, Phase, Transfer};
use crate::upload::{CANCEL_EVENT, CHUNK_EVENT, FINISH_EVENT, RESUME_EVENT, Upload, UploadError};
use crate::validate::{Report, Validate, ValidationError};
use crate::wire::MAX_SAFE_INTEGER;
use crate::wire::answer::Answer;
use crate::wire::fault::{Fault, FaultCode};
use crate::wire::incoming::Incoming;

/// `{"meta": M, "size": 1234, "window": 8}`: an upload's start, sent under its own name.
#[doc(hidden)]
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StartRequest<M> {
    meta: M,
    size: u64,
    #[serde(default)]
    window: Option<usize>,
}

impl<M: Validate> Validate for StartRequest<M> {
    fn validate_into(&self, report: &mut Report) {
        report.at("meta", |report| self.meta.validate_into(report));
        if self.size > MAX_SAFE_INTEGER {
            report.at("size", |report| {
                report.push(ValidationError::new(
                    "range",
                    "a size is at most 2^53 - 1 bytes",
                ))
            });
        }
        if self.window == Some(0) {
            report.at("window", |report| {
                report.push(ValidationError::new(
                    "range",
                    "a window is at least 1 chunk",
                ))
            });
        }
    }
}

/// The answer to a start: `{id, chunkSize, window}`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Started {
    id: String,
    chunk_size: usize,
    window: usize,
}

/// The answer to a resume: where to send from.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Resumed {
    id: String,
    /// The bytes the server holds; send from here.
    offset: u64,
    chunk_size: usize,
    window: usize,
}

/// The answer to a chunk: every byte up to `offset` is the server's; `done` when the
/// handler answered without reading the rest (finish now to get the answer).
#[derive(Serialize)]
struct ChunkAck {
    offset: u64,
    done: bool,
}

/// `{"id": "..", "offset": 0, "data": <binary>}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChunkRequest {
    id: String,
    offset: u64,
    data: Bytes,
}

/// `{"id": "..", "sha256": "<64 hex digits>"}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FinishRequest {
    id: String,
    sha256: String,
}

/// `{"id": ".."}`, for cancel and resume.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TransferRequest {
    id: String,
}

impl Validate for ChunkRequest {
    fn validate_into(&self, _: &mut Report) {}
}

impl Validate for TransferRequest {
    fn validate_into(&self, _: &mut Report) {}
}

impl Validate for FinishRequest {
    fn validate_into(&self, report: &mut Report) {
        if parse_hash(&self.sha256).is_none() {
            report.at("sha256", |report| {
                report.push(ValidationError::new(
                    "pattern",
                    "a SHA-256 is 64 hexadecimal digits",
                ))
            });
        }
    }
}

fn parse_hash(hex: &str) -> Option<[u8; 32]> {
    if hex.len() != 64 || !hex.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

fn hub<C: Contract>(cx: &Cx<C>, event: &str) -> Result<Arc<UploadHub>, Fault> {
    cx.extensions().get::<Arc<UploadHub>>().ok_or_else(|| {
        tracing::error!(target: "eventwire::upload", "a socket without the upload hub");
        Fault::internal(event)
    })
}

/// Decodes an upload event's request and finds the server's uploads.
fn open<C: Contract, R: serde::de::DeserializeOwned + Validate>(
    cx: &Cx<C>,
    incoming: &mut Incoming,
    event: &str,
) -> Result<(R, Arc<UploadHub>), Fault> {
    let request = incoming.decode_request()?;
    Ok((request, hub(cx, event)?))
}

fn unknown(event: &str, id: &str) -> Fault {
    Fault::new(
        FaultCode::UnknownTransfer,
        event,
        format!("this connection sends no upload with id `{id}`"),
    )
}

fn ended(event: &str, error: &UploadError) -> Fault {
    Fault::new(
        FaultCode::UnknownTransfer,
        event,
        format!("the upload ended: {error}"),
    )
}

impl<M> StartRequest<M> {
    /// The metadata, for the guard and the handler, and the rest of the request.
    pub fn into_parts(self) -> (M, Start) {
        (
            self.meta,
            Start {
                size: self.size,
                window: self.window,
            },
        )
    }
}

/// An upload's start once its metadata is taken out.
#[doc(hidden)]
pub struct Start {
    size: u64,
    window: Option<usize>,
}

/// An admitted upload, waiting for its handler to be started.
#[doc(hidden)]
pub struct Admitted {
    transfer: Arc<Transfer>,
    answer: oneshot::Sender<Answer>,
}

impl Start {
    /// Checks the limits and registers the transfer: the handler's [`Upload`] and what
    /// runs it.
    pub fn admit<C: Contract>(
        self,
        cx: &Cx<C>,
        event: &str,
        max_size: Option<u64>,
    ) -> Result<(Upload, Admitted), Fault> {
        let hub = hub(cx, event)?;
        let (transfer, answer) = hub
            .admit(TypeId::of::<C>(), cx.id(), self.size, max_size, self.window)
            .map_err(|Refusal(message)| Fault::new(FaultCode::TransferLimit, event, message))?;
        Ok((Upload::new(transfer.clone()), Admitted { transfer, answer }))
    }
}

impl Admitted {
    /// Runs the handler in its own task (its answer goes to `finish`) and answers the start
    /// with the transfer's id and terms.
    pub fn run(
        self,
        event: &str,
        handler: impl Future<Output = Answer> + Send + 'static,
    ) -> Answer {
        let Admitted { transfer, answer } = self;
        let name = event.to_owned();
        let id = transfer.id.clone();
        tokio::spawn(async move {
            let outcome = match AssertUnwindSafe(handler).catch_unwind().await {
                Ok(outcome) => outcome,
                Err(_) => {
                    tracing::error!(target: "eventwire::upload", event = %name, transfer = %id, "upload handler panicked");
                    Answer::Fault(Fault::internal(&name))
                }
            };
            let _ = answer.send(outcome);
        });
        Answer::data(Started {
            id: transfer.id.clone(),
            chunk_size: transfer.chunk_size,
            window: transfer.window,
        })
    }
}

/// Handles `["eventwire:chunk", {id, offset, data}]`: answers once the handler took it.
#[doc(hidden)]
pub async fn chunk<C: Contract>(cx: &Cx<C>, incoming: &mut Incoming) -> Answer {
    let (request, hub): (ChunkRequest, _) = match open(cx, incoming, CHUNK_EVENT) {
        Ok(opened) => opened,
        Err(fault) => return Answer::Fault(fault),
    };
    let Some(transfer) = hub.find(TypeId::of::<C>(), &request.id, cx.id()) else {
        return Answer::Fault(unknown(CHUNK_EVENT, &request.id));
    };
    let done = match transfer.accept(request.offset, request.data) {
        Err(message) => {
            transfer.fail(UploadError::Protocol(message.clone()));
            hub.remove(&transfer.id);
            return Answer::Fault(Fault::new(FaultCode::InvalidChunk, CHUNK_EVENT, message));
        }
        Ok(Accepted::Ended(error)) => return Answer::Fault(ended(CHUNK_EVENT, &error)),
        Ok(Accepted::Duplicate) => false,
        Ok(Accepted::Unread) => true,
        Ok(Accepted::Held { end }) => {
            transfer.taken_up_to(end).await;
            match transfer.phase() {
                Phase::Failed { error, .. } => {
                    return Answer::Fault(ended(CHUNK_EVENT, &error));
                }
                phase => phase == Phase::Dropped,
            }
        }
    };
    Answer::data(ChunkAck {
        offset: transfer.taken(),
        done,
    })
}

/// Handles `["eventwire:finish", {id, sha256}]`: answers with the handler's answer once the
/// hash matched (or the handler answered early).
#[doc(hidden)]
pub async fn finish<C: Contract>(cx: &Cx<C>, incoming: &mut Incoming) -> Answer {
    let (request, hub): (FinishRequest, _) = match open(cx, incoming, FINISH_EVENT) {
        Ok(opened) => opened,
        Err(fault) => return Answer::Fault(fault),
    };
    let Some(transfer) = hub.find(TypeId::of::<C>(), &request.id, cx.id()) else {
        return Answer::Fault(unknown(FINISH_EVENT, &request.id));
    };
    let hash = parse_hash(&request.sha256).unwrap_or_default();
    if let Err(received) = transfer.finish(hash) {
        let message = format!(
            "the upload finished after {received} of its {} bytes",
            transfer.size
        );
        transfer.fail(UploadError::Protocol(message.clone()));
        hub.remove(&transfer.id);
        return Answer::Fault(Fault::new(FaultCode::InvalidChunk, FINISH_EVENT, message));
    }
    let outcome = match transfer.settled().await {
        Phase::Failed {
            error: UploadError::Integrity,
            ..
        } => Answer::Fault(Fault::new(
            FaultCode::Integrity,
            FINISH_EVENT,
            "the data received does not match the SHA-256 declared; send the file again",
        )),
        Phase::Failed { error, .. } => Answer::Fault(ended(FINISH_EVENT, &error)),
        Phase::Open | Phase::Verified | Phase::Dropped => match transfer.take_answer() {
            None => Answer::Fault(Fault::new(
                FaultCode::UnknownTransfer,
                FINISH_EVENT,
                "this upload is already finishing",
            )),
            Some(answer) => answer
                .await
                .unwrap_or_else(|_| Answer::Fault(Fault::internal(FINISH_EVENT))),
        },
    };
    hub.remove(&transfer.id);
    outcome
}

/// Handles `["eventwire:cancel", {id}]`: ends the transfer; the handler's stream yields
/// [`UploadError::Cancelled`]. An id the connection no longer sends is not an error.
#[doc(hidden)]
pub fn cancel<C: Contract>(cx: &Cx<C>, incoming: &mut Incoming) -> Answer {
    let (request, hub): (TransferRequest, _) = match open(cx, incoming, CANCEL_EVENT) {
        Ok(opened) => opened,
        Err(fault) => return Answer::Fault(fault),
    };
    if let Some(transfer) = hub.find(TypeId::of::<C>(), &request.id, cx.id()) {
        transfer.fail(UploadError::Cancelled);
        hub.remove(&transfer.id);
    }
    Answer::Done
}

/// Handles `["eventwire:resume", {id}]`: this connection now sends the transfer, from the
/// offset answered.
#[doc(hidden)]
pub fn resume<C: Contract>(cx: &Cx<C>, incoming: &mut Incoming) -> Answer {
    let (request, hub): (TransferRequest, _) = match open(cx, incoming, RESUME_EVENT) {
        Ok(opened) => opened,
        Err(fault) => return Answer::Fault(fault),
    };
    let Some(transfer) = hub
        .claim(TypeId::of::<C>(), &request.id)
        .filter(|t| matches!(t.phase(), Phase::Open | Phase::Dropped))
    else {
        return Answer::Fault(Fault::new(
            FaultCode::UnknownTransfer,
            RESUME_EVENT,
            format!(
                "no upload with id `{}` is waiting: it finished, was cancelled or timed out; start again",
                request.id
            ),
        ));
    };
    let offset = transfer.resume(cx.id());
    Answer::data(Resumed {
        id: transfer.id.clone(),
        offset,
        chunk_size: transfer.chunk_size,
        window: transfer.window,
    })
}

/// A socket left: its transfers wait for a resume or their timeout.
#[doc(hidden)]
pub fn release<C: Contract>(cx: &Cx<C>) {
    if let Some(hub) = cx.extensions().get::<Arc<UploadHub>>() {
        hub.release(cx.id());
    }
}
