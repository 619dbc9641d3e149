//! The download exchange, as generated dispatch runs it: the start (under the download's
//! own event name), the client's acknowledgements and cancel.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::contract::Contract;
use crate::download::body::Download;
use crate::download::hub::DownloadHub;
use crate::download::sender::{Run, Sending, Stop};
use crate::download::{ACK_EVENT, CANCEL_EVENT};
use crate::socket::cx::Cx;
use crate::transfer::Refusal;
use crate::validate::{Report, Validate, ValidationError};
use crate::wire::MAX_SAFE_INTEGER;
use crate::wire::answer::Answer;
use crate::wire::fault::{Fault, FaultCode};
use crate::wire::incoming::Incoming;

/// `{"request": R, "offset": 0, "window": 8}`: a download's start, sent under its own name;
/// `offset` when resuming (the bytes the client holds).
#[doc(hidden)]
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StartRequest<R> {
    request: R,
    #[serde(default)]
    offset: Option<u64>,
    #[serde(default)]
    window: Option<usize>,
}

impl<R: Validate> Validate for StartRequest<R> {
    fn validate_into(&self, report: &mut Report) {
        report.at("request", |report| self.request.validate_into(report));
        if self.offset.is_some_and(|offset| offset > MAX_SAFE_INTEGER) {
            report.at("offset", |report| {
                report.push(ValidationError::new(
                    "range",
                    "an offset is at most 2^53 - 1 bytes",
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

impl<R> StartRequest<R> {
    /// The request, for the guard and the handler, and the rest of the start.
    pub fn into_parts(self) -> (R, Start) {
        (
            self.request,
            Start {
                offset: self.offset.unwrap_or(0),
                window: self.window,
            },
        )
    }
}

/// A download's start once its request is taken out.
#[doc(hidden)]
pub struct Start {
    offset: u64,
    window: Option<usize>,
}

/// The answer to a start: `{id, size, name?, mime?, chunkSize, window}`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Started {
    id: String,
    size: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mime: Option<String>,
    chunk_size: usize,
    window: usize,
}

/// `{"id": "..", "offset": 123}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AckRequest {
    id: String,
    offset: u64,
}

/// `{"id": ".."}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CancelRequest {
    id: String,
}

impl Validate for AckRequest {
    fn validate_into(&self, _: &mut Report) {}
}

impl Validate for CancelRequest {
    fn validate_into(&self, _: &mut Report) {}
}

fn hub<C: Contract>(cx: &Cx<C>, event: &str) -> Result<Arc<DownloadHub>, Fault> {
    cx.extensions().get::<Arc<DownloadHub>>().ok_or_else(|| {
        tracing::error!(target: "eventwire::download", "a socket without the download hub");
        Fault::internal(event)
    })
}

impl Start {
    /// Checks the limits and registers the download, before the handler runs.
    pub fn admit<C: Contract>(self, cx: &Cx<C>, event: &str) -> Result<Admitted, Fault> {
        let hub = hub(cx, event)?;
        let sending = hub
            .admit(cx.id(), self.window)
            .map_err(|Refusal(message)| Fault::new(FaultCode::TransferLimit, event, message))?;
        Ok(Admitted {
            sending: Some(sending),
            hub,
            offset: self.offset,
        })
    }
}

/// An admitted download, waiting for its handler's file. Dropped unused (the handler
/// refused, or panicked), it frees its place.
#[doc(hidden)]
pub struct Admitted {
    sending: Option<Arc<Sending>>,
    hub: Arc<DownloadHub>,
    offset: u64,
}

/// The answer to a start and what sends the file once that answer is queued (so the
/// chunks follow it).
#[doc(hidden)]
pub struct Begun {
    /// The start's answer.
    pub answer: Answer,
    /// Starts sending; run it after the answer is queued.
    pub then: Box<dyn FnOnce() + Send>,
}

impl Admitted {
    /// The handler returned `download`: answers with its terms and starts sending after.
    pub fn begin<C: Contract>(mut self, cx: &Cx<C>, event: &str, download: Download) -> Begun {
        let Some(sending) = self.sending.take() else {
            unreachable!("begin consumes the admitted download")
        };
        let (meta, body) = download.into_parts();
        if self.offset > meta.size {
            self.hub.remove(&sending.id);
            return Begun {
                answer: Answer::Fault(Fault::new(
                    FaultCode::Integrity,
                    event,
                    format!(
                        "the file has {} bytes: it cannot resume at {}; it changed, download it again",
                        meta.size, self.offset
                    ),
                )),
                then: Box::new(|| {}),
            };
        }
        let answer = Answer::data(Started {
            id: sending.id.clone(),
            size: meta.size,
            name: meta.name,
            mime: meta.mime,
            chunk_size: sending.chunk_size,
            window: sending.window,
        });
        let run = Run {
            socket: cx.ops().clone(),
            timeout: self.hub.limits.timeout(),
            hub: self.hub.clone(),
            event: event.to_owned(),
            body,
            size: meta.size,
            skip: self.offset,
        };
        Begun {
            answer,
            then: Box::new(move || {
                tokio::spawn(sending.run(run));
            }),
        }
    }
}

impl Drop for Admitted {
    fn drop(&mut self) {
        if let Some(sending) = self.sending.take() {
            self.hub.remove(&sending.id);
        }
    }
}

fn unknown(event: &str, id: &str) -> Fault {
    Fault::new(
        FaultCode::UnknownTransfer,
        event,
        format!("this connection receives no download with id `{id}`"),
    )
}

/// Handles `["eventwire:download-ack", {id, offset}]`.
#[doc(hidden)]
pub fn ack<C: Contract>(cx: &Cx<C>, incoming: &mut Incoming) -> Answer {
    let request: AckRequest = match incoming.decode_request() {
        Ok(request) => request,
        Err(fault) => return Answer::Fault(fault),
    };
    let hub = match hub(cx, ACK_EVENT) {
        Ok(hub) => hub,
        Err(fault) => return Answer::Fault(fault),
    };
    let Some(sending) = hub.find(&request.id, cx.id()) else {
        return Answer::Fault(unknown(ACK_EVENT, &request.id));
    };
    match sending.ack(request.offset) {
        Ok(()) => Answer::Done,
        Err(message) => {
            sending.stop(Stop::Broken(message.clone()));
            Answer::Fault(Fault::new(FaultCode::InvalidChunk, ACK_EVENT, message))
        }
    }
}

/// Handles `["eventwire:download-cancel", {id}]`: the download stops and its stream is
/// dropped. An id the connection no longer receives is not an error.
#[doc(hidden)]
pub fn cancel<C: Contract>(cx: &Cx<C>, incoming: &mut Incoming) -> Answer {
    let request: CancelRequest = match incoming.decode_request() {
        Ok(request) => request,
        Err(fault) => return Answer::Fault(fault),
    };
    let hub = match hub(cx, CANCEL_EVENT) {
        Ok(hub) => hub,
        Err(fault) => return Answer::Fault(fault),
    };
    if let Some(sending) = hub.find(&request.id, cx.id()) {
        sending.stop(Stop::Cancelled);
        hub.remove(&sending.id);
    }
    Answer::Done
}

/// A socket left: its downloads stop at once.
#[doc(hidden)]
pub fn release<C: Contract>(cx: &Cx<C>) {
    if let Some(hub) = cx.extensions().get::<Arc<DownloadHub>>() {
        hub.release(cx.id());
    }
}
