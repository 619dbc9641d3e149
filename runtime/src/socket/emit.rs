//! Typed emitting: [`Outgoing`] events built by a contract's generated constructors, and
//! [`Broadcast`] targets that accept only that contract's server events.

use std::marker::PhantomData;
use std::time::Duration;

use erased_serde::Serialize as ErasedSerialize;
use futures_util::StreamExt;
use serde::Serialize;
use serde::de::DeserializeOwned;
use socketioxide::socket::Sid;

use crate::contract::Contract;
use crate::recovery::Recording;
use crate::socket::ops::{OperatorOps, Room};
use crate::validate::{Issue, Validate};
use crate::wire::bytes::Attaching;
use crate::wire::exact::{Exact, Found};
use crate::wire::reply::ClientAnswer;

/// The reply type of a server event that expects no answer.
#[derive(Debug, Clone, Copy)]
pub enum NoReply {}

/// A server event of contract `C` with payload `P`, whose client answers with `R`.
///
/// Built only by the constructors `#[derive(Contract)]` generates (e.g. `Chat::message(msg)`),
/// so only the contract's server events, with their declared payload, can be emitted.
///
/// ```
/// use eventwire::{payload, Contract};
/// # #[payload] pub struct Note { text: String }
/// # #[payload] pub struct Seen { at: u32 }
/// #[derive(Contract)]
/// enum Notes {
///     #[server] Note(Note),
///     #[server(ack = Seen)] Ask(Note),
/// }
///
/// let plain = Notes::note(Note { text: "hi".into() });                   // for `emit`
/// let asked = Notes::ask(Note { text: "seen?".into() }).timeout(std::time::Duration::from_secs(2)); // for `emit_with_ack`
/// assert_eq!(plain.event(), "note");
/// # let _ = asked;
/// ```
#[must_use = "an event does nothing until it is emitted"]
pub struct Outgoing<C, P, R = NoReply> {
    event: &'static str,
    payload: P,
    timeout: Option<Duration>,
    /// Declared without payload: sent with no argument, `["event"]`.
    empty: bool,
    _contract: PhantomData<fn() -> (C, R)>,
}

impl<C: Contract, P: Serialize, R> Outgoing<C, P, R> {
    pub(crate) fn new(event: &'static str, payload: P) -> Self {
        Self {
            event,
            payload,
            timeout: None,
            empty: false,
            _contract: PhantomData,
        }
    }

    /// The event name on the wire.
    pub fn event(&self) -> &'static str {
        self.event
    }

    /// The payload.
    pub fn payload(&self) -> &P {
        &self.payload
    }

    /// How long `emit_with_ack` waits for the answer. Defaults to the server's ack timeout
    /// (5 seconds).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The socket.io arguments: the payload as exactly one argument, or none for an event
    /// declared without payload. (socketioxide spreads tuple-like values into several
    /// arguments; the one-element tuple keeps a tuple struct payload in one piece.)
    pub(crate) fn args(&self) -> Args<'_, P> {
        Args {
            payload: &self.payload,
            empty: self.empty,
            found: Found::default(),
        }
    }

    pub(crate) fn timeout_value(&self) -> Option<Duration> {
        self.timeout
    }
}

/// The emitted arguments of an [`Outgoing`] event. The payload is serialized through
/// [`Exact`], so an integer JavaScript would round fails the emit.
pub(crate) struct Args<'a, P> {
    payload: &'a P,
    empty: bool,
    found: Found,
}

impl<P> Args<'_, P> {
    /// The error of a failed emit: the integer the payload could not send, if that was it.
    pub(crate) fn error(&self, error: impl Into<EmitError>) -> EmitError {
        match self.found.take() {
            Some(found) => EmitError::InexactInteger(found),
            None => error.into(),
        }
    }
}

impl<P: Serialize> Serialize for Args<'_, P> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.empty {
            <[(); 0] as Serialize>::serialize(&[], s)
        } else {
            // `Attaching`: binary data in an `Option` or newtype becomes an attachment too.
            let payload = Exact {
                value: &Attaching(self.payload),
                found: &self.found,
            };
            (payload,).serialize(s)
        }
    }
}

impl<C: Contract, R> Outgoing<C, (), R> {
    pub(crate) fn empty(event: &'static str) -> Self {
        Self {
            empty: true,
            ..Self::new(event, ())
        }
    }
}

/// Arguments as a tuple, which socketioxide spreads into separate socket.io arguments.
struct Spread<'a>(&'a [serde_json::Value]);

impl Serialize for Spread<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeTuple;
        let mut tuple = s.serialize_tuple(self.0.len())?;
        for arg in self.0 {
            tuple.serialize_element(arg)?;
        }
        tuple.end()
    }
}

/// Rooms to target: a room name, or several.
///
/// ```
/// # use eventwire::IntoRooms;
/// fn rooms(r: impl IntoRooms) -> usize { r.into_rooms().len() }
/// assert_eq!(rooms("lobby"), 1);
/// assert_eq!(rooms(["a", "b"]), 2);
/// assert_eq!(rooms(vec!["a".to_string()]), 1);
/// ```
pub trait IntoRooms {
    /// The room names.
    fn into_rooms(self) -> Vec<Room>;
}

impl IntoRooms for &str {
    fn into_rooms(self) -> Vec<Room> {
        vec![Room::Owned(self.to_owned())]
    }
}

impl IntoRooms for String {
    fn into_rooms(self) -> Vec<Room> {
        vec![Room::Owned(self)]
    }
}

impl IntoRooms for &String {
    fn into_rooms(self) -> Vec<Room> {
        vec![Room::Owned(self.clone())]
    }
}

impl<T: IntoRooms> IntoRooms for Vec<T> {
    fn into_rooms(self) -> Vec<Room> {
        self.into_iter().flat_map(IntoRooms::into_rooms).collect()
    }
}

impl<T: IntoRooms, const N: usize> IntoRooms for [T; N] {
    fn into_rooms(self) -> Vec<Room> {
        self.into_iter().flat_map(IntoRooms::into_rooms).collect()
    }
}

impl<T: IntoRooms + Clone> IntoRooms for &[T] {
    fn into_rooms(self) -> Vec<Room> {
        self.iter()
            .cloned()
            .flat_map(IntoRooms::into_rooms)
            .collect()
    }
}

/// Why an emit did not leave this server.
///
/// Each variant that has a cause keeps it as its [`source`](std::error::Error::source):
/// socketioxide's parser error (whose message is serde's), each socket's failure, the
/// adapter's error. A log line can show the whole chain.
///
/// ```
/// use eventwire::EmitError;
///
/// fn retry_later(error: &EmitError) -> bool {
///     matches!(error, EmitError::QueueFull | EmitError::Adapter(_))
/// }
/// assert!(retry_later(&EmitError::QueueFull));
/// assert!(!retry_later(&EmitError::Closed));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EmitError {
    /// The socket's outgoing queue is full (a slow client); the packet was not queued.
    #[error("the client's outgoing queue is full")]
    QueueFull,
    /// The socket is disconnected.
    #[error("the socket is closed")]
    Closed,
    /// The payload could not be encoded as a socket.io packet: its `Serialize` impl failed
    /// (the source is socketioxide's parser error; its message is serde's).
    #[error("the payload could not be serialized: {0}")]
    Serialize(#[source] socketioxide::ParserError),
    /// The payload holds an integer beyond ±(2^53 − 1), which JavaScript would receive
    /// rounded; nothing was sent. Bound the field, or send it as a string
    /// ([`wire::U64`](crate::wire::U64)).
    #[error("the payload cannot be sent: {0}")]
    InexactInteger(crate::wire::InexactInteger),
    /// Some sockets of a broadcast did not get the event: their queues were full or they
    /// had closed. The others did get it.
    #[error("{} socket(s) of the broadcast did not get the event", failed.len())]
    Broadcast {
        /// Why, one entry per socket that missed the event.
        failed: Vec<socketioxide::SocketError>,
    },
    /// The adapter (e.g. Redis) failed to reach the other nodes, or the target cannot be
    /// reached at all (an emitter used before its server is built). The message repeats the
    /// source's, which is often the only hint of what to do.
    #[error("the adapter failed: {0}")]
    Adapter(#[source] AdapterFailure),
}

/// An adapter's failure, as [`EmitError::Adapter`] keeps it.
///
/// socketioxide's [`AdapterError`](socketioxide::AdapterError) holds a `Box<dyn Error + Send>`,
/// which is not `Sync`; kept as it is, it would make every `EmitError` unusable where errors
/// must be `Send + Sync` (`anyhow`, `Box<dyn Error + Send + Sync>`). This keeps its message
/// and the messages of its own sources, in order, each reachable through
/// [`source`](std::error::Error::source).
///
/// ```
/// use std::error::Error as _;
/// use eventwire::AdapterFailure;
///
/// let io = std::io::Error::other("connection refused");
/// let failure = AdapterFailure::from(eventwire::socketioxide::AdapterError(Box::new(io)));
/// assert_eq!(failure.to_string(), "connection refused");
/// assert!(failure.source().is_none());
/// ```
#[derive(Debug, Clone)]
pub struct AdapterFailure {
    message: String,
    source: Option<Box<AdapterFailure>>,
}

impl AdapterFailure {
    fn chain(error: &(dyn std::error::Error + 'static)) -> Self {
        Self {
            message: error.to_string(),
            source: error.source().map(|source| Box::new(Self::chain(source))),
        }
    }
}

impl From<socketioxide::AdapterError> for AdapterFailure {
    fn from(error: socketioxide::AdapterError) -> Self {
        // `AdapterError` shows its inner error's message; start the chain there.
        Self::chain(&*error.0)
    }
}

impl std::fmt::Display for AdapterFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for AdapterFailure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|s| s as _)
    }
}

impl From<socketioxide::SocketError> for EmitError {
    fn from(error: socketioxide::SocketError) -> Self {
        use socketioxide::SocketError;
        match error {
            SocketError::InternalChannelFull => {
                crate::observe::queue_full();
                Self::QueueFull
            }
            SocketError::Closed => Self::Closed,
        }
    }
}

impl From<socketioxide::SendError> for EmitError {
    fn from(error: socketioxide::SendError) -> Self {
        use socketioxide::SendError;
        match error {
            SendError::Socket(e) => e.into(),
            SendError::Serialize(e) => Self::Serialize(e),
        }
    }
}

impl From<socketioxide::BroadcastError> for EmitError {
    fn from(error: socketioxide::BroadcastError) -> Self {
        use socketioxide::BroadcastError;
        match error {
            BroadcastError::Socket(failed) => Self::Broadcast { failed },
            BroadcastError::Serialize(e) => Self::Serialize(e),
            BroadcastError::Adapter(e) => e.into(),
        }
    }
}

impl From<socketioxide::EmitWithAckError> for EmitError {
    fn from(error: socketioxide::EmitWithAckError) -> Self {
        use socketioxide::EmitWithAckError;
        match error {
            EmitWithAckError::Encode(e) => Self::Serialize(e),
            EmitWithAckError::Adapter(e) => socketioxide::AdapterError(e).into(),
        }
    }
}

impl From<socketioxide::AdapterError> for EmitError {
    fn from(error: socketioxide::AdapterError) -> Self {
        Self::Adapter(error.into())
    }
}

impl From<serde_json::Error> for EmitError {
    /// A payload serde could not turn into JSON (recorded for connection state recovery
    /// before it is sent).
    fn from(error: serde_json::Error) -> Self {
        Self::Serialize(socketioxide::ParserError::new(error))
    }
}

/// Why a server→client acknowledgement did not arrive as declared.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AckError {
    /// The client did not answer in time.
    #[error("the client did not answer in time")]
    Timeout,
    /// The event could not be sent.
    #[error(transparent)]
    Emit(#[from] EmitError),
    /// The client's answer is not of the declared type, or breaks the type's
    /// `#[validate]` rules (every broken rule is listed, as for incoming payloads).
    #[error("the client's answer is invalid: {}", Issue::list(issues))]
    InvalidReply {
        /// What is wrong with the answer, with paths.
        issues: Vec<Issue>,
    },
}

/// Decodes a client's answer into the declared reply type and checks its `#[validate]`
/// rules: an answer is input from the client like any payload, binary attachments
/// included (see [`ClientAnswer`]).
pub(crate) fn decode_reply<R: DeserializeOwned + Validate>(
    result: Result<ClientAnswer, socketioxide::AckError>,
) -> Result<R, AckError> {
    use socketioxide::AckError as SioAck;
    let answer = match result {
        Ok(answer) => answer,
        Err(SioAck::Timeout) => return Err(AckError::Timeout),
        Err(SioAck::Socket(e)) => return Err(EmitError::from(e).into()),
        // socketioxide's decoder refused the packet (a placeholder without its attachment).
        Err(SioAck::Decode(e)) => {
            return Err(AckError::InvalidReply {
                issues: vec![Issue {
                    path: Vec::new(),
                    code: "type".into(),
                    message: e.to_string(),
                }],
            });
        }
    };
    answer
        .decode()
        .map_err(|issues| AckError::InvalidReply { issues })
}

/// A set of sockets to emit to, built from a handler's [`Cx`](crate::Cx) or an
/// [`Emitter`](crate::Emitter): accepts only contract `C`'s server events.
///
/// The targeting methods mirror socket.io's: `to` adds rooms, `except` removes rooms,
/// `local` limits to this node when several share an adapter.
///
/// ```no_run
/// # use eventwire::{payload, Contract, Cx};
/// # #[payload] pub struct Msg { text: String }
/// # #[derive(Contract)] enum Chat { #[server] Message(Msg) }
/// # async fn f(cx: &Cx<Chat>) -> Result<(), eventwire::EmitError> {
/// cx.to("lobby").except("muted").emit(Chat::message(Msg { text: "hi".into() })).await?;
/// # Ok(()) }
/// ```
#[must_use = "a broadcast does nothing until `emit` is called"]
pub struct Broadcast<C> {
    ops: Box<dyn OperatorOps>,
    /// With connection state recovery: where `emit` records the event, and who it reaches.
    recording: Option<Recording>,
    _contract: PhantomData<fn() -> C>,
}

impl<C: Contract> Broadcast<C> {
    pub(crate) fn recorded(ops: Box<dyn OperatorOps>, recording: Option<Recording>) -> Self {
        Self {
            ops,
            recording,
            _contract: PhantomData,
        }
    }

    /// Adds rooms to the target (sockets in any of them receive the event).
    pub fn to(self, rooms: impl IntoRooms) -> Self {
        let rooms = rooms.into_rooms();
        let recording = self.recording.map(|r| r.to(&rooms));
        Self::recorded(self.ops.to(rooms), recording)
    }

    /// Like [`to`](Self::to); from a handler, `within` also includes the calling socket.
    pub fn within(self, rooms: impl IntoRooms) -> Self {
        let rooms = rooms.into_rooms();
        let recording = self.recording.map(|r| r.to(&rooms));
        Self::recorded(self.ops.within(rooms), recording)
    }

    /// Leaves out the sockets in these rooms.
    pub fn except(self, rooms: impl IntoRooms) -> Self {
        let rooms = rooms.into_rooms();
        let recording = self.recording.map(|r| r.except(&rooms));
        Self::recorded(self.ops.except(rooms), recording)
    }

    /// Only sockets connected to this node (with a multi-node adapter).
    pub fn local(self) -> Self {
        Self::recorded(self.ops.local(), self.recording)
    }

    /// Sends without waiting for a socket that cannot take it now, and without recording
    /// it for connection state recovery: for events that are stale by the time a client
    /// comes back (a cursor position, a typing notice).
    pub fn volatile(self) -> Self {
        Self::recorded(self.ops.volatile(), None)
    }

    /// Emits a server event that expects no answer.
    pub async fn emit<P: Serialize>(self, event: Outgoing<C, P, NoReply>) -> Result<(), EmitError> {
        let args = event.args();
        if let Some(recording) = self.recording {
            let (_turn, recorded) = recording.record(event.event(), &args).await?;
            self.ops
                .emit(event.event(), &recorded.args() as &dyn ErasedSerialize)
                .await?;
            return Ok(());
        }
        self.ops
            .emit(event.event(), &args as &dyn ErasedSerialize)
            .await
            .map_err(|e| args.error(e))
    }

    /// Emits already serialized arguments (an outbox message: its payload, then its id),
    /// recorded for recovery like [`emit`](Self::emit). The caller checked that `event` is
    /// one of `C`'s server events without ack.
    pub(crate) async fn emit_values(
        self,
        event: &str,
        args: Vec<serde_json::Value>,
    ) -> Result<(), EmitError> {
        let args = Spread(&args);
        if let Some(recording) = self.recording {
            let (_turn, recorded) = recording.record(event, &args).await?;
            self.ops
                .emit(event, &recorded.args() as &dyn ErasedSerialize)
                .await?;
            return Ok(());
        }
        self.ops.emit(event, &args as &dyn ErasedSerialize).await?;
        Ok(())
    }

    /// Emits a server event that expects an answer and gathers every target socket's
    /// answer (across nodes), each decoded as `R` or failed with its [`AckError`]. Waits at
    /// most the event's timeout.
    pub async fn emit_with_ack<P: Serialize, R: DeserializeOwned + Validate>(
        self,
        event: Outgoing<C, P, R>,
    ) -> Result<Vec<(Sid, Result<R, AckError>)>, EmitError> {
        let ops = match event.timeout_value() {
            Some(timeout) => self.ops.timeout(timeout),
            None => self.ops,
        };
        let args = event.args();
        let stream = ops
            .emit_with_ack(event.event(), &args as &dyn ErasedSerialize)
            .await
            .map_err(|e| args.error(e))?;
        Ok(stream
            .map(|(sid, result)| (sid, decode_reply(result)))
            .collect()
            .await)
    }

    /// Makes the target sockets join `rooms` (on every node).
    pub async fn join(self, rooms: impl IntoRooms) -> Result<(), EmitError> {
        self.ops
            .join(rooms.into_rooms())
            .await
            .map_err(EmitError::from)
    }

    /// Makes the target sockets leave `rooms` (on every node).
    pub async fn leave(self, rooms: impl IntoRooms) -> Result<(), EmitError> {
        self.ops
            .leave(rooms.into_rooms())
            .await
            .map_err(EmitError::from)
    }

    /// Disconnects the target sockets (on every node).
    pub async fn disconnect(self) -> Result<(), EmitError> {
        Ok(self.ops.disconnect().await?)
    }

    /// The ids of the target sockets (on every node).
    pub async fn socket_ids(self) -> Result<Vec<Sid>, EmitError> {
        self.ops.socket_ids().await.map_err(EmitError::from)
    }
}
