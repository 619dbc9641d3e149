//! One entry per socket: every client event of a contract goes through a single fallback
//! handler that runs the generated `match` on the event name (see [`route`]) and starts
//! the event's task, sized for that event's own handler; registering N events costs
//! nothing per connection. Around it: arrival-order handling, event middleware, panic
//! containment, answers, a `tracing` span per event inside its connection's, and metrics
//! (through handles registered when the contract was mounted).
//!
//! The generated dispatch answers the client itself, with the concrete type of the event's
//! ack (no type-erased serialization, no boxed answer), and tells how the event ended as an
//! [`Outcome`]. Costs per event: no allocation for the event name or the handler's context,
//! one for the event's future (see `run_event`), which is polled once before it is
//! spawned, so an event answered without waiting is no tokio task (see `start_eagerly`).
//!
//! [`route`]: crate::serve::route

use std::convert::Infallible;
use std::marker::PhantomData;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use serde::Serialize;
use socketioxide::SendError;
use socketioxide::adapter::Adapter;
use socketioxide::extract::{AckSender, SocketRef};
use socketioxide::handler::{FromDisconnectParts, FromMessageParts, MessageHandler, Value};
use socketioxide::socket::{DisconnectReason, Socket};
use tokio::sync::oneshot;
use tracing::Instrument;
use tracing::field::Empty;

use crate::auth::ExpiryTimer;
use crate::contract::Contract;
use crate::feed::subscribe::Finished;
use crate::observe::{ContractMetrics, Instant};
use crate::serve::limit::{Limited, Policy, SocketLimiter};
use crate::serve::middleware::{Core, ErasedMiddleware, Event, Handled, Next, Outcome};
use crate::serve::route::{Arm, Route};
use crate::socket::cx::Cx;
use crate::socket::ops::SocketOps;
use crate::wire::answer::Answer;
use crate::wire::bytes::Attaching;
use crate::wire::exact::{Exact, Found};
use crate::wire::fault::{AckResponse, FAULT_EVENT, False, Fault, FaultCode, True};
use crate::wire::incoming::Incoming;

/// Implemented by `#[derive(Contract)]` for every handler type: route, decode, call, answer.
pub trait Dispatch<H>: Contract {
    /// The names of the events the dispatch handles (the client events, then the feed
    /// exchange's), in the order [`Reply::event`] numbers them.
    const CLIENT_EVENTS: &'static [&'static str];

    /// Picks the [`Arm`] of the event `route` carries (by its name) and hands it on.
    /// Synchronous and generic, so each event's future is its own arm's, sized for its
    /// own handler (see [`route`](crate::serve::route)).
    fn route<V: Route<Self, H>>(route: V) -> V::Output;

    /// Decodes the raw handshake auth and runs the handlers' `authenticate`.
    fn authenticate(
        handlers: Arc<H>,
        auth: Option<String>,
    ) -> impl Future<Output = Result<Self::Identity, crate::Refusal>> + Send + 'static;

    /// Runs the handlers' `on_disconnect`.
    fn disconnected(handlers: Arc<H>, cx: Cx<Self>) -> impl Future<Output = ()> + Send + 'static;
}

/// Where an event's answer goes: a socket's ack and fault event, or an in-process test
/// client. Generic (not `dyn`) so the answer is serialized with its own type.
pub trait Respond: Send {
    /// Why an answer could not be sent.
    type Error: std::fmt::Display;

    /// Sends `(response,)` as the acknowledgement, if the client asked for one.
    fn ack<T: Serialize>(&mut self, response: &T) -> Result<(), Self::Error>;

    /// Sends `fault`: as the acknowledgement if the client asked for one, else as the
    /// fault event. Logs its own failure.
    fn fault(&mut self, fault: Fault);
}

/// A socket's answers.
pub(crate) struct ToSocket<A: Adapter> {
    socket: Arc<Socket<A>>,
    /// `None` when the client did not ask for an answer.
    ack_id: Option<i64>,
}

impl<A: Adapter> ToSocket<A> {
    /// The ack sender, made when needed: it is the socket and the ack id, and socketioxide
    /// reads nothing else from the message.
    fn ack_sender(&self, ack_id: i64) -> AckSender<A> {
        AckSender::from_message_parts(
            &self.socket,
            &mut Value::Bytes(Default::default()),
            &Some(ack_id),
        )
        .unwrap_or_else(|never: Infallible| match never {})
    }
}

impl<A: Adapter> Respond for ToSocket<A> {
    type Error = SendError;

    fn ack<T: Serialize>(&mut self, response: &T) -> Result<(), SendError> {
        match self.ack_id {
            // socketioxide serializes right away: `(response,)` is the ack's one argument.
            Some(ack_id) => self
                .ack_sender(ack_id)
                .send(&(response,))
                .inspect_err(count_queue_full),
            None => Ok(()),
        }
    }

    fn fault(&mut self, fault: Fault) {
        let sent = match self.ack_id.take() {
            Some(ack_id) => self
                .ack_sender(ack_id)
                .send(&(AckResponse::<(), ()>::Fault { ok: False, fault },)),
            // No ack to answer through: the documented fault event.
            None => self.socket.emit(FAULT_EVENT, &(fault,)),
        };
        if let Err(error) = sent {
            could_not_answer(&error);
        }
    }
}

/// Where an event's answer goes. Consumed by answering, so an event is answered at most
/// once.
pub struct Reply<'a, R: Respond> {
    slot: &'a mut Slot<R>,
}

/// What the dispatcher keeps of an event while it is handled.
pub(crate) struct Slot<R> {
    respond: R,
    /// The contract's `CLIENT_EVENTS`.
    names: &'static [&'static str],
    /// The index of the event in `names`, once the generated `match` found it.
    event: Option<usize>,
    /// When the handler started.
    handling: Option<Instant>,
    /// How long the handler ran, once it answered.
    handled_in: Option<std::time::Duration>,
    /// When the answer was queued (one clock read serves both durations).
    answered: Option<Instant>,
    /// Set once answered.
    outcome: Option<Outcome>,
}

impl<R: Respond> Reply<'_, R> {
    /// The event is the contract's event number `index` (in `CLIENT_EVENTS`).
    pub fn event(self, index: usize) -> Self {
        self.slot.event = Some(index);
        self
    }

    /// Decoding and guards passed; the handler starts now.
    pub fn handling(self) -> Self {
        self.slot.handling = Some(Instant::now());
        self
    }

    /// For events without ack.
    pub fn none(self, (): ()) -> Outcome {
        self.send(
            Outcome::Ok,
            &AckResponse::<(), ()>::Data { ok: True, data: () },
            None,
        )
    }

    /// For `ack = T`.
    pub fn data<T: Serialize>(self, data: T) -> Outcome {
        // `Attaching`: binary data in an `Option` or newtype becomes an attachment too.
        // `Exact`: an integer JavaScript would round fails the serialization.
        let found = Found::default();
        let data = Exact {
            value: &Attaching(&data),
            found: &found,
        };
        self.send(
            Outcome::Ok,
            &AckResponse::<_, ()>::Data { ok: True, data },
            Some(&found),
        )
    }

    /// For `ack = Result<T, E>`.
    pub fn result<T: Serialize, E: Serialize>(self, result: Result<T, E>) -> Outcome {
        match result {
            Ok(data) => self.data(data),
            Err(error) => self.error(&error),
        }
    }

    /// The app's typed error.
    fn error<E: Serialize + ?Sized>(self, error: &E) -> Outcome {
        let found = Found::default();
        let error = Exact {
            value: &Attaching(error),
            found: &found,
        };
        self.send(
            Outcome::AppError,
            &AckResponse::<(), _>::Error { ok: False, error },
            Some(&found),
        )
    }

    /// For a feed subscribe: the snapshot is answered, then the closure runs (it sends the
    /// changes buffered while the snapshot loaded), so the snapshot reaches the client
    /// first. It runs whether or not the client asked for the answer.
    pub fn finished(self, finished: Finished) -> Outcome {
        match finished {
            Finished::Snapshot(snapshot, then) => {
                let outcome = self.send(
                    Outcome::Ok,
                    &AckResponse::<_, ()>::Data {
                        ok: True,
                        data: &*snapshot,
                    },
                    None,
                );
                then();
                outcome
            }
            Finished::Error(error) => self.error(&*error),
            Finished::Fault(fault) => self.fault(fault),
        }
    }

    /// Sends an answer made away from the dispatch (see [`Answer`]).
    pub fn answer(self, answer: Answer) -> Outcome {
        match answer {
            Answer::Done => self.none(()),
            Answer::Data(data) => self.data(&*data),
            Answer::Error(error) => self.error(&*error),
            Answer::Fault(fault) => self.fault(fault),
        }
    }

    /// Sends an answer made away from the dispatch, then runs `then` (a download's start:
    /// its chunks follow the answer, so the client knows the transfer before they come).
    pub fn answer_then(self, answer: Answer, then: impl FnOnce()) -> Outcome {
        let outcome = self.answer(answer);
        then();
        outcome
    }

    /// eventwire refused the event (its payload, size or name).
    pub fn fault(self, fault: Fault) -> Outcome {
        self.slot.refuse(fault)
    }

    /// A guard denied the event.
    pub fn forbidden(self, event: &str, denied: crate::Forbidden) -> Outcome {
        self.fault(Fault::forbidden(event, denied))
    }

    /// The event name is not one of the contract's client events.
    pub fn unknown_event(self, incoming: &Incoming) -> Outcome {
        self.fault(Fault::unknown_event(incoming.event()))
    }

    /// Answers with `response`. `found` is where `Exact` records an integer JavaScript
    /// would receive rounded: then nothing was sent, and the client gets an `internal`
    /// fault instead. That is a bug of the server, as a panic is: logged at error level
    /// with the integer's path, and the client never sees a wrong number. (Emits, by
    /// contrast, return `EmitError::InexactInteger` to the code that emitted.)
    fn send<T: Serialize>(self, outcome: Outcome, response: &T, found: Option<&Found>) -> Outcome {
        let slot = self.slot;
        let now = Instant::now();
        slot.handled_in = slot.handling.take().map(|started| now.since(started));
        slot.answered = Some(now);
        let sent = slot.respond.ack(response);
        // An integer `Exact` refused fails the serialization: only then is there one to
        // look for (taking it locks).
        if let Some(inexact) = found.filter(|_| sent.is_err()).and_then(Found::take) {
            let event = slot.name();
            tracing::error!(event, error = %inexact, "the handler's answer cannot be sent: answering with an internal fault");
            slot.respond.fault(Fault::internal(event));
            let outcome = Outcome::Fault(FaultCode::Internal);
            slot.outcome = Some(outcome);
            return outcome;
        }
        if let Err(error) = sent {
            tracing::warn!(event = slot.name(), error = %error, "could not answer the client");
        }
        slot.outcome = Some(outcome);
        outcome
    }
}

impl<R: Respond> Slot<R> {
    pub(crate) fn new(respond: R, names: &'static [&'static str]) -> Self {
        Self {
            respond,
            names,
            event: None,
            handling: None,
            handled_in: None,
            answered: None,
            outcome: None,
        }
    }

    /// Where the answers went.
    pub(crate) fn into_respond(self) -> R {
        self.respond
    }

    /// A reply through this slot.
    pub(crate) fn reply(&mut self) -> Reply<'_, R> {
        Reply { slot: self }
    }

    /// The event's name, once dispatch found it among the contract's.
    fn name(&self) -> &'static str {
        self.event
            .and_then(|i| self.names.get(i))
            .copied()
            .unwrap_or_default()
    }

    /// Answers with `fault` unless already answered; how the event ended.
    pub(crate) fn refuse(&mut self, fault: Fault) -> Outcome {
        if let Some(outcome) = self.outcome {
            return outcome;
        }
        let outcome = Outcome::Fault(fault.code);
        self.answered = Some(Instant::now());
        tracing::debug!(event = %fault.event, code = outcome.as_str(), reason = %fault, "event refused");
        self.respond.fault(fault);
        self.outcome = Some(outcome);
        outcome
    }
}

/// Counts an answer dropped because the client's outgoing queue was full.
fn count_queue_full(error: &SendError) {
    if matches!(
        error,
        SendError::Socket(socketioxide::SocketError::InternalChannelFull)
    ) {
        crate::observe::queue_full();
    }
}

fn could_not_answer(error: &SendError) {
    count_queue_full(error);
    tracing::warn!(error = %error, "could not answer the client");
}

/// What every socket of one mounted contract shares. Used by generated code, not public API.
#[doc(hidden)]
pub struct Shared<C> {
    pub(crate) policy: Policy,
    pub(crate) metrics: ContractMetrics,
    pub(crate) middleware: Vec<Arc<dyn ErasedMiddleware<C>>>,
}

/// The state of one socket's event entry, shared with its events' tasks.
struct SocketState<C, H> {
    handlers: Arc<H>,
    shared: Arc<Shared<C>>,
    limiter: SocketLimiter,
    gate: Option<Gate>,
    /// The connection's span, parent of its events'.
    span: tracing::Span,
}

/// Hands out turns in arrival order: the ticket is taken in `Entry::call`, which
/// socketioxide runs in packet order, before the event's task is first polled.
#[derive(Default)]
struct Gate {
    last: Mutex<Option<oneshot::Receiver<()>>>,
}

/// (wait for the previous event, signal the next one).
type Turn = (Option<oneshot::Receiver<()>>, oneshot::Sender<()>);

impl Gate {
    fn ticket(&self) -> Turn {
        let (done, next) = oneshot::channel();
        let previous = self
            .last
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .replace(next);
        (previous, done)
    }
}

/// The socket's single event entry. A handler of our own rather than a closure:
/// socketioxide clones a closure handler per event (with every `Arc` it holds) and hands
/// it extractors that each clone the socket again.
struct Entry<C, H> {
    state: Arc<SocketState<C, H>>,
}

impl<C, H, A> MessageHandler<A, Entry<C, H>> for Entry<C, H>
where
    C: Dispatch<H>,
    H: Send + Sync + 'static,
    A: Adapter,
{
    fn call(&self, socket: Arc<Socket<A>>, value: Value, ack_id: Option<i64>) {
        let arrived = Instant::now();
        let incoming = Incoming::from_packet(value);
        let state = &self.state;
        let event = incoming.event();
        // With no subscriber interested, a disabled span: a branch, no allocation.
        let span = tracing::debug_span!(parent: &state.span, "event", event, outcome = Empty, duration_us = Empty);
        // Synchronous: runs in arrival order. A limited event is answered at once and does
        // not take a turn in the ordering gate.
        let limited = state.limiter.check(event, C::rate_limit(event)).err();
        let turn = match (&limited, &state.gate) {
            (None, Some(gate)) => Some(gate.ticket()),
            _ => None,
        };
        C::route(Spawn {
            state: state.clone(),
            respond: ToSocket { socket, ack_id },
            incoming,
            limited,
            turn,
            arrived,
            span,
        });
    }
}

/// Routes an arriving event to its task: a task per event type, so that its future is
/// sized for that event's handler, not the contract's largest.
struct Spawn<C, H, A: Adapter> {
    state: Arc<SocketState<C, H>>,
    respond: ToSocket<A>,
    incoming: Incoming,
    limited: Option<Limited>,
    turn: Option<Turn>,
    arrived: Instant,
    span: tracing::Span,
}

impl<C, H, A> Route<C, H> for Spawn<C, H, A>
where
    C: Dispatch<H>,
    H: Send + Sync + 'static,
    A: Adapter,
{
    type Output = ();

    fn event(&self) -> &str {
        self.incoming.event()
    }

    fn to<E: Arm<C, H>>(self) {
        let Spawn {
            state,
            respond,
            incoming,
            limited,
            turn,
            arrived,
            span,
        } = self;
        // Boxed here: pinned in the box, it can be polled once here and still be moved into
        // a task when it waits (see `start_eagerly`); and tokio copies a task's future
        // several times while spawning and finishing it, where one copy into the box is
        // cheaper (measured: about 1,300 instructions per event less). Type-erased, so
        // tokio's task code is made once, not once per event type.
        let run: Pin<Box<dyn Future<Output = ()> + Send>> = Box::pin(run_event::<C, H, A, E>(
            state,
            respond,
            incoming,
            limited,
            turn,
            (arrived, span.clone()),
        ));
        if span.is_disabled() {
            // No subscriber wants the span: entering and leaving it on every poll, and on
            // drop, would be work for nothing.
            start_eagerly(run);
        } else {
            start_eagerly(run.instrument(span));
        }
    }
}

/// Polls an event's task once, here, and spawns it only if it is not done: an eager
/// start, as Python's `asyncio.eager_task_factory` does. Most handlers answer without
/// waiting for anything (an echo, a validation failure, a rate-limited event, a write to
/// memory), and those never become a tokio task: no task to allocate, schedule, poll and
/// free, and the event is answered while its packet is still in the cache. A handler
/// that waits (for a database, a lock, the ordering gate) is spawned at its first wait
/// and goes on as before.
///
/// The first poll runs on the connection's own task, before socketioxide reads the next
/// packet, with a waker that does nothing. That is sound because a spawned task is always
/// polled once more: a future must register the waker of its latest poll, so whatever it
/// waits for is watched from that poll on, and anything that became ready in between is
/// found by it.
///
/// The costs of running there. CPU-heavy work before a handler's first wait holds up the
/// connection's task: its next packets and its heartbeat replies (a pong read late by more
/// than the ping timeout, 20 s by default, closes the connection), and, on a
/// multi-threaded runtime, the last task it spawned or woke (tokio keeps that one in a
/// slot other workers cannot take). In a task of its own it held up a worker thread and
/// not the connection; such work belongs in `spawn_blocking` either way. And the first
/// poll draws on the connection task's cooperative budget: once that is spent, tokio's
/// resources answer `Pending` and the event is spawned although it need not have been
/// (only the saving is lost). A handler that answers at once is answered ahead of the
/// same connection's earlier events that are still waiting, as concurrent events may be
/// anyway.
///
/// socketioxide holds its fallback handler's lock (a read lock) while the entry runs;
/// nothing the first poll can reach takes it for writing.
fn start_eagerly<F>(mut task: F)
where
    F: Future<Output = ()> + Send + Unpin + 'static,
{
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    // The handler's own panics are caught inside the task and answered; this catches
    // eventwire's, as tokio would have in a task, so that the connection's task goes on.
    match std::panic::catch_unwind(AssertUnwindSafe(|| Pin::new(&mut task).poll(&mut cx))) {
        Ok(std::task::Poll::Ready(())) => {}
        Ok(std::task::Poll::Pending) => {
            tokio::spawn(task);
        }
        Err(panic) => {
            tracing::error!(panic = %panic_message(&*panic), "an event's task panicked");
        }
    }
}

/// The task of one event. A function returning an `async` block rather than an
/// `async fn`: an `async fn` keeps its arguments twice (as captured and as locals), and
/// this future is allocated per event, where staying under the allocator's small-size
/// cache (1 KiB) saves a slow path.
fn run_event<C, H, A, E>(
    state: Arc<SocketState<C, H>>,
    respond: ToSocket<A>,
    incoming: Incoming,
    limited: Option<Limited>,
    turn: Option<Turn>,
    (arrived, span): (Instant, tracing::Span),
) -> impl Future<Output = ()> + Send
where
    C: Dispatch<H>,
    H: Send + Sync + 'static,
    A: Adapter,
    E: Arm<C, H>,
{
    let mut slot = Slot::new(respond, C::CLIENT_EVENTS);
    async move {
        'handled: {
            if let Some(limited) = limited {
                slot.event = C::CLIENT_EVENTS.iter().position(|e| *e == incoming.event());
                slot.refuse(Fault::rate_limited(incoming.event(), limited.retry_after));
                if limited.abusive {
                    let socket = SocketRef::from(slot.respond.socket.clone());
                    tracing::warn!(namespace = %socket.ns(), socket = %socket.id, "disconnecting a socket that keeps exceeding its rate limit");
                    tokio::spawn(disconnect_when_queued(socket));
                }
                break 'handled;
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
            let cx = Cx::<C>::new(slot.respond.socket.clone() as Arc<dyn SocketOps>);
            let panicked = if state.shared.middleware.is_empty() {
                let reply = Reply { slot: &mut slot };
                guarded::<C, H, A, E>(&state.handlers, &cx, incoming, reply)
                    .await
                    .err()
            } else {
                with_middleware::<C, H, A, E>(&state, &cx, incoming, &mut slot)
                    .await
                    .err()
            };
            if let Some(panic) = panicked {
                let socket = &slot.respond.socket;
                tracing::error!(event = slot.name(), namespace = %socket.ns(), socket = %socket.id, panic = %panic_message(&*panic), "event handler panicked");
                // The handler (or a middleware) did not answer: no client waits for nothing.
                let event = slot.name();
                slot.refuse(Fault::internal(event));
            }
        }
        let outcome = slot.outcome.unwrap_or(Outcome::Ok);
        let latency = slot.answered.unwrap_or_else(Instant::now).since(arrived);
        let metrics = state.shared.metrics.event(slot.event);
        metrics.ended(outcome, latency);
        if let Some(duration) = slot.handled_in {
            metrics.handled_in(duration);
        }
        if !span.is_disabled() {
            span.record("outcome", outcome.as_str());
            span.record("duration_us", latency.as_micros() as u64);
        }
    }
}

/// The size in bytes of the task one `event` of contract `C` runs in (the future boxed
/// per event), served on the in-memory adapter: for benchmarks and for the test that keeps
/// a small event's task under the allocator's small-block cache on any contract.
pub fn task_size<C, H>(event: &str) -> usize
where
    C: Dispatch<H>,
    H: Send + Sync + 'static,
{
    C::route(TaskSize::<C, H> {
        event,
        types: PhantomData,
    })
}

/// Routes to the size of the arm's task.
struct TaskSize<'a, C, H> {
    event: &'a str,
    types: PhantomData<fn() -> (C, H)>,
}

impl<C, H> Route<C, H> for TaskSize<'_, C, H>
where
    C: Dispatch<H>,
    H: Send + Sync + 'static,
{
    type Output = usize;

    fn event(&self) -> &str {
        self.event
    }

    fn to<E: Arm<C, H>>(self) -> usize {
        // The future's type without making one: what the task function returns.
        fn returned<A, B, D, F, G, I, R>(_: fn(A, B, D, F, G, I) -> R) -> usize {
            size_of::<R>()
        }
        returned(run_event::<C, H, socketioxide::adapter::LocalAdapter, E>)
    }
}

/// The event through the contract's middleware chain, then its arm.
async fn with_middleware<C, H, A, E>(
    state: &SocketState<C, H>,
    cx: &Cx<C>,
    incoming: Incoming,
    slot: &mut Slot<ToSocket<A>>,
) -> std::thread::Result<Handled>
where
    C: Dispatch<H>,
    H: Send + Sync + 'static,
    A: Adapter,
    E: Arm<C, H>,
{
    slot.event = C::CLIENT_EVENTS.iter().position(|e| *e == incoming.event());
    let name = match slot.event {
        Some(index) => std::borrow::Cow::Borrowed(C::CLIENT_EVENTS[index]),
        None => std::borrow::Cow::Owned(incoming.event().to_owned()),
    };
    let event = Event { name: &name, cx };
    let mut core = Dispatcher::<C, H, A, E> {
        handlers: &state.handlers,
        cx,
        incoming: Some(incoming),
        slot,
        arm: PhantomData,
    };
    let next = Next {
        rest: &state.shared.middleware,
        event: &event,
        core: &mut core,
    };
    let result = AssertUnwindSafe(next.run()).catch_unwind().await;
    match result {
        // Refused here, where the name of an event the contract does not declare is known.
        Err(panic) if slot.event.is_none() => {
            tracing::error!(event = %name, panic = %panic_message(&*panic), "event middleware panicked");
            Ok(Handled(slot.refuse(Fault::internal(name.as_ref()))))
        }
        result => result,
    }
}

/// The event's generated arm with its panics caught. A plain function on purpose: built
/// inside an `async` block (`AssertUnwindSafe(run(..)).catch_unwind().await`), each
/// temporary wrapper of the arm's future keeps its own slot in the caller's future,
/// which then holds three copies of it.
fn guarded<'a, C, H, A, E>(
    handlers: &'a Arc<H>,
    cx: &'a Cx<C>,
    incoming: Incoming,
    reply: Reply<'a, ToSocket<A>>,
) -> futures_util::future::CatchUnwind<AssertUnwindSafe<impl Future<Output = Outcome> + Send + 'a>>
where
    C: Dispatch<H>,
    H: Send + Sync + 'static,
    A: Adapter,
    E: Arm<C, H>,
{
    AssertUnwindSafe(E::run(handlers, cx, incoming, reply)).catch_unwind()
}

/// The innermost step of a middleware chain: the event's arm `E`.
struct Dispatcher<'a, C, H, A: Adapter, E> {
    handlers: &'a Arc<H>,
    cx: &'a Cx<C>,
    incoming: Option<Incoming>,
    slot: &'a mut Slot<ToSocket<A>>,
    arm: PhantomData<fn() -> E>,
}

impl<C, H, A, E> Core for Dispatcher<'_, C, H, A, E>
where
    C: Dispatch<H>,
    H: Send + Sync + 'static,
    A: Adapter,
    E: Arm<C, H>,
{
    fn run(&mut self) -> BoxFuture<'_, Outcome> {
        match self.incoming.take() {
            Some(incoming) => Box::pin(E::run(
                self.handlers,
                self.cx,
                incoming,
                Reply {
                    slot: &mut *self.slot,
                },
            )),
            // A middleware that ran the rest of the chain twice: the first run answered.
            None => {
                let outcome = self
                    .slot
                    .outcome
                    .unwrap_or(Outcome::Fault(FaultCode::Internal));
                Box::pin(async move { outcome })
            }
        }
    }

    fn refuse(&mut self, fault: Fault) -> Outcome {
        self.slot.refuse(fault)
    }
}

/// The socket, as the disconnect handler's extractor (`SocketRef` keeps its `Arc` private).
struct SocketArc<A: Adapter>(Arc<Socket<A>>);

impl<A: Adapter> FromDisconnectParts<A> for SocketArc<A> {
    type Error = Infallible;

    fn from_disconnect_parts(s: &Arc<Socket<A>>, _: DisconnectReason) -> Result<Self, Infallible> {
        Ok(Self(s.clone()))
    }
}

/// Installs contract `C`'s single event entry on a newly connecting socket.
pub(crate) fn install<C, H, A>(
    socket: &SocketRef<A>,
    handlers: Arc<H>,
    shared: &Arc<Shared<C>>,
    span: tracing::Span,
) where
    C: Dispatch<H>,
    H: Send + Sync + 'static,
    A: Adapter,
{
    let policy = &shared.policy;
    let state = Arc::new(SocketState {
        handlers,
        shared: shared.clone(),
        limiter: SocketLimiter::new(policy),
        gate: policy.ordered.then(Gate::default),
        span,
    });
    state.shared.metrics.connections.increment(1);
    let on_disconnect = state.clone();
    socket.on_disconnect(
        move |SocketArc(socket): SocketArc<A>, reason: DisconnectReason| {
            // Synchronous, so the rooms are still there to be kept.
            crate::recovery::disconnected(&SocketRef::from(socket.clone()), reason);
            let state = on_disconnect.clone();
            if let Some(ExpiryTimer(timer)) = socket.extensions.get::<ExpiryTimer>() {
                timer.abort();
            }
            state.shared.metrics.connections.decrement(1);
            let span = state.span.clone();
            async move {
                tracing::info!(reason = %reason, "disconnected");
                let cx = Cx::<C>::new(socket);
                // socketioxide removes the socket from its rooms after this future ends; a
                // panic escaping here would skip that and leak it.
                if let Err(panic) = AssertUnwindSafe(C::disconnected(state.handlers.clone(), cx))
                    .catch_unwind()
                    .await
                {
                    tracing::error!(panic = %panic_message(&*panic), "on_disconnect panicked");
                }
            }
            .instrument(span)
        },
    );
    socket.on_fallback(Entry { state });
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

/// How often [`disconnect_when_queued`] tries to queue the disconnect packet.
const DISCONNECT_ATTEMPTS: u32 = 100;

/// The pause between two attempts: with [`DISCONNECT_ATTEMPTS`], five seconds in all.
const DISCONNECT_RETRY_DELAY: std::time::Duration = std::time::Duration::from_millis(50);

/// Disconnects a socket even while its outgoing queue is full.
///
/// socketioxide's `disconnect` first queues the disconnect packet and, when the queue is
/// full (as a flooding client's is), returns an error without closing. Retry for a while;
/// a client that never reads is closed by the heartbeat timeout anyway.
async fn disconnect_when_queued<A: Adapter>(socket: SocketRef<A>) {
    for _ in 0..DISCONNECT_ATTEMPTS {
        match socket.clone().disconnect() {
            Err(socketioxide::SocketError::InternalChannelFull) => {
                tokio::time::sleep(DISCONNECT_RETRY_DELAY).await;
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
