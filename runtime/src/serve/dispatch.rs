//! One entry per socket: every client event of a contract goes through a single fallback
//! handler that runs the generated `match` on the event name, so registering N events costs
//! nothing per connection. Around it: arrival-order handling, panic containment, answers.

use std::convert::Infallible;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};

use erased_serde::Serialize as ErasedSerialize;
use futures_util::FutureExt;
use socketioxide::adapter::Adapter;
use socketioxide::extract::{AckSender, SocketRef};
use socketioxide::handler::{FromMessage, Value};
use socketioxide::socket::Socket;
use tokio::sync::oneshot;

use crate::auth::ExpiryTimer;
use crate::contract::Contract;
use crate::serve::limit::{Policy, SocketLimiter};
use crate::socket::cx::Cx;
use crate::wire::fault::{AckResponse, FAULT_EVENT, False, Fault, True};
use crate::wire::incoming::{Incoming, event_name};

/// Implemented by `#[derive(Contract)]` for every handler type: decode, call, answer.
pub trait Dispatch<H>: Contract {
    /// Handles one event. Never fails: every problem becomes a [`Outcome::Fault`].
    fn dispatch(
        handlers: Arc<H>,
        cx: Cx<Self>,
        incoming: Incoming,
    ) -> impl Future<Output = Outcome> + Send + 'static;

    /// Decodes the raw handshake auth and runs the handlers' `authenticate`.
    fn authenticate(
        handlers: Arc<H>,
        auth: Option<String>,
    ) -> impl Future<Output = Result<Self::Identity, crate::Refusal>> + Send + 'static;

    /// Runs the handlers' `on_disconnect`.
    fn disconnected(handlers: Arc<H>, cx: Cx<Self>) -> impl Future<Output = ()> + Send + 'static;
}

type Boxed = Box<dyn ErasedSerialize + Send>;

/// How an event ended.
pub enum Outcome {
    /// The handler ran; the event has no ack.
    Done,
    /// The handler answered.
    Data(Boxed),
    /// The handler returned the app's error.
    Error(Boxed),
    /// eventwire refused or failed the event.
    Fault(Fault),
}

impl Outcome {
    /// For events without ack.
    pub fn none(_: ()) -> Self {
        Self::Done
    }

    /// For `ack = T`.
    pub fn data<T: serde::Serialize + Send + 'static>(data: T) -> Self {
        Self::Data(Box::new(data))
    }

    /// For `ack = Result<T, E>`.
    pub fn result<T, E>(result: Result<T, E>) -> Self
    where
        T: serde::Serialize + Send + 'static,
        E: serde::Serialize + Send + 'static,
    {
        match result {
            Ok(data) => Self::Data(Box::new(data)),
            Err(error) => Self::Error(Box::new(error)),
        }
    }

    /// A guard denied the event.
    pub fn forbidden(event: &str, denied: crate::Forbidden) -> Self {
        Self::Fault(Fault::forbidden(event, denied))
    }

    /// The event name is not one of the contract's client events.
    pub fn unknown_event(incoming: &Incoming) -> Self {
        Self::Fault(Fault::unknown_event(incoming.event()))
    }
}

/// The event name, the raw arguments and whether the client asked for an ack; never
/// fails, so the handler always runs and always answers.
struct Raw {
    /// Empty if the packet had none, which socketioxide does not dispatch: it would be
    /// answered as an unknown event.
    event: String,
    value: Value,
    wants_ack: bool,
}

impl<A: Adapter> FromMessage<A> for Raw {
    type Error = Infallible;

    fn from_message(
        _: Arc<Socket<A>>,
        value: Value,
        ack_id: Option<i64>,
    ) -> Result<Self, Infallible> {
        Ok(Raw {
            event: event_name(&value).unwrap_or_default(),
            value,
            wants_ack: ack_id.is_some(),
        })
    }
}

/// Hands out turns in arrival order: the ticket is taken in the synchronous part of the
/// handler, which socketioxide runs in packet order before spawning the task.
#[derive(Default)]
struct Gate {
    last: Mutex<Option<oneshot::Receiver<()>>>,
}

impl Gate {
    /// Returns (wait for the previous event, signal the next one).
    fn ticket(&self) -> (Option<oneshot::Receiver<()>>, oneshot::Sender<()>) {
        let (done, next) = oneshot::channel();
        let previous = self
            .last
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .replace(next);
        (previous, done)
    }
}

/// Installs contract `C`'s single event entry on a newly connecting socket.
pub(crate) fn install<C, H, A>(socket: &SocketRef<A>, handlers: Arc<H>, policy: &Policy)
where
    C: Dispatch<H>,
    H: Send + Sync + 'static,
    A: Adapter,
{
    let gate = policy.ordered.then(|| Arc::new(Gate::default()));
    let limiter = Arc::new(SocketLimiter::new(policy));
    let on_disconnect = handlers.clone();
    socket.on_disconnect(move |socket: SocketRef<A>| {
        let handlers = on_disconnect.clone();
        if let Some(ExpiryTimer(timer)) = socket.extensions.get::<ExpiryTimer>() {
            timer.abort();
        }
        async move {
            let (ns, id) = (socket.ns().to_owned(), socket.id);
            let cx = Cx::<C>::new(Arc::new(socket));
            // socketioxide removes the socket from its rooms after this future ends; a
            // panic escaping here would skip that and leak it.
            if let Err(panic) = AssertUnwindSafe(C::disconnected(handlers, cx)).catch_unwind().await {
                tracing::error!(namespace = %ns, socket = %id, panic = %panic_message(&*panic), "on_disconnect panicked");
            }
        }
    });
    socket.on_fallback(move |socket: SocketRef<A>, ack: AckSender<A>, mut raw: Raw| {
        let event = std::mem::take(&mut raw.event);
        // Synchronous: runs in arrival order. A limited event is answered at once and does
        // not take a turn in the ordering gate.
        let limited = limiter.check(&event, C::rate_limit(&event)).err();
        let turn = match (&limited, &gate) {
            (None, Some(gate)) => Some(gate.ticket()),
            _ => None,
        };
        let handlers = handlers.clone();
        async move {
            if let Some(limited) = limited {
                let fault = Fault::rate_limited(&event, limited.retry_after);
                respond(&socket, ack, raw.wants_ack, &event, Outcome::Fault(fault));
                if limited.abusive {
                    tracing::warn!(namespace = %socket.ns(), socket = %socket.id, "disconnecting a socket that keeps exceeding its rate limit");
                    tokio::spawn(disconnect_when_queued(socket));
                }
                return;
            }
            let _done = match turn {
                Some((previous, done)) => {
                    if let Some(previous) = previous {
                        // An error means the previous event's task ended (even by panic).
                        let _ = previous.await;
                    }
                    Some(done)
                }
                None => None,
            };
            // Boxed: the handler future is sized for the contract's largest handler (1.4 KB
            // for a 50-event contract with a broadcast), and socketioxide copies the spawned
            // future a few times; one allocation is cheaper (measured, 1.1k instructions
            // per event less).
            Box::pin(handle::<C, H, A>(socket, handlers, event, ack, raw)).await;
        }
    });
}

async fn handle<C, H, A>(
    socket: SocketRef<A>,
    handlers: Arc<H>,
    event: String,
    ack: AckSender<A>,
    raw: Raw,
) where
    C: Dispatch<H>,
    H: Send + Sync + 'static,
    A: Adapter,
{
    let wants_ack = raw.wants_ack;
    let outcome = if crate::RESERVED_EVENTS.contains(&event.as_str()) {
        Outcome::Fault(Fault::unknown_event(&event))
    } else {
        let cx = Cx::<C>::new(Arc::new(socket.clone()));
        let incoming = Incoming::new(event.clone(), raw.value);
        match AssertUnwindSafe(C::dispatch(handlers, cx, incoming))
            .catch_unwind()
            .await
        {
            Ok(outcome) => outcome,
            Err(panic) => {
                let reason = panic_message(&*panic);
                tracing::error!(event = %event, namespace = %socket.ns(), socket = %socket.id, panic = %reason, "event handler panicked");
                Outcome::Fault(Fault::internal(&event))
            }
        }
    };
    respond(&socket, ack, wants_ack, &event, outcome);
}

fn respond<A: Adapter>(
    socket: &SocketRef<A>,
    ack: AckSender<A>,
    wants_ack: bool,
    event: &str,
    outcome: Outcome,
) {
    // Each arm builds the response with the types it has: no allocation, no copy.
    let sent = match (outcome, wants_ack) {
        (Outcome::Done, true) => ack.send(&(AckResponse::<(), ()>::Data { ok: True, data: () },)),
        (Outcome::Data(data), true) => ack.send(&(AckResponse::<_, ()>::Data {
            ok: True,
            data: &*data,
        },)),
        (Outcome::Error(error), true) => ack.send(&(AckResponse::<(), _>::Error {
            ok: False,
            error: &*error,
        },)),
        (Outcome::Fault(fault), true) => {
            ack.send(&(AckResponse::<(), ()>::Fault { ok: False, fault },))
        }
        // No ack to answer through: the documented fault event.
        (Outcome::Fault(fault), false) => socket.emit(FAULT_EVENT, &(fault,)),
        // The client did not ask for the answer.
        (Outcome::Done | Outcome::Data(_) | Outcome::Error(_), false) => Ok(()),
    };
    if let Err(error) = sent {
        tracing::warn!(event = %event, socket = %socket.id, error = %error, "could not answer the client");
    }
}

/// The message a panic was raised with, when it is a string.
fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default()
}

/// The raw handshake auth (the JSON the client passed as `auth`); never fails.
pub(crate) struct RawAuth(pub(crate) Option<String>);

impl<A: Adapter> socketioxide::handler::FromConnectParts<A> for RawAuth {
    type Error = Infallible;

    fn from_connect_parts(_: &Arc<Socket<A>>, auth: &Option<Value>) -> Result<Self, Infallible> {
        Ok(RawAuth(
            auth.as_ref()
                .and_then(Value::as_str)
                .map(|s| s.as_str().to_owned()),
        ))
    }
}

/// How many times, and how far apart, [`disconnect_when_queued`] tries again: 5 seconds in
/// all, well under socketioxide's heartbeat timeout, which closes the socket after that.
const DISCONNECT_RETRIES: u32 = 100;
const DISCONNECT_RETRY_INTERVAL: std::time::Duration = std::time::Duration::from_millis(50);

/// Disconnects a socket even while its outgoing queue is full.
///
/// socketioxide's `disconnect` first queues the disconnect packet and, when the queue is
/// full (as a flooding client's is), returns an error without closing. Retry for a while;
/// a client that never reads is closed by the heartbeat timeout anyway.
async fn disconnect_when_queued<A: Adapter>(socket: SocketRef<A>) {
    for _ in 0..DISCONNECT_RETRIES {
        match socket.clone().disconnect() {
            Err(socketioxide::SocketError::InternalChannelFull) => {
                tokio::time::sleep(DISCONNECT_RETRY_INTERVAL).await;
            }
            // Done, or already closed.
            _ => return,
        }
    }
    tracing::warn!(socket = %socket.id, "could not disconnect a socket whose queue stays full; the heartbeat will");
}

/// Disconnects `socket` when its identity expires (unless it leaves first).
pub(crate) fn disconnect_at<A: Adapter>(socket: &SocketRef<A>, at: std::time::SystemTime) {
    let wait = at
        .duration_since(std::time::SystemTime::now())
        .unwrap_or_default();
    let expiring = socket.clone();
    let timer = tokio::spawn(async move {
        tokio::time::sleep(wait).await;
        tracing::info!(namespace = %expiring.ns(), socket = %expiring.id, "disconnecting: its identity expired");
        disconnect_when_queued(expiring).await;
    });
    socket.extensions.insert(ExpiryTimer(timer.abort_handle()));
}
