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
use crate::socket::ops::{OperatorOps, Room};
use crate::validate::{Issue, PathSegment};

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
        }
    }

    pub(crate) fn timeout_value(&self) -> Option<Duration> {
        self.timeout
    }
}

/// The emitted arguments of an [`Outgoing`] event.
pub(crate) struct Args<'a, P> {
    payload: &'a P,
    empty: bool,
}

impl<P: Serialize> Serialize for Args<'_, P> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.empty {
            <[(); 0] as Serialize>::serialize(&[], s)
        } else {
            (self.payload,).serialize(s)
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
/// Each variant keeps socketioxide's error as its [`source`](std::error::Error::source), so
/// a log line can show the whole chain.
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
    /// (the source is serde's error, wrapped by socketioxide's parser).
    #[error("the payload could not be serialized")]
    Serialize(#[source] socketioxide::ParserError),
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
    Adapter(#[source] socketioxide::AdapterError),
}

impl From<socketioxide::SocketError> for EmitError {
    fn from(error: socketioxide::SocketError) -> Self {
        use socketioxide::SocketError;
        match error {
            SocketError::InternalChannelFull => Self::QueueFull,
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
            BroadcastError::Adapter(e) => Self::Adapter(e),
        }
    }
}

impl From<socketioxide::EmitWithAckError> for EmitError {
    fn from(error: socketioxide::EmitWithAckError) -> Self {
        use socketioxide::EmitWithAckError;
        match error {
            EmitWithAckError::Encode(e) => Self::Serialize(e),
            EmitWithAckError::Adapter(e) => Self::Adapter(socketioxide::AdapterError(e)),
        }
    }
}

impl From<socketioxide::AdapterError> for EmitError {
    fn from(error: socketioxide::AdapterError) -> Self {
        Self::Adapter(error)
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
    /// The client answered with something other than the declared type.
    #[error(
        "the client's answer is not of the declared type: {}",
        Issue::list(issues)
    )]
    InvalidReply {
        /// What is wrong with the answer, with paths.
        issues: Vec<Issue>,
    },
}

/// Decodes a client's answer into the declared reply type.
pub(crate) fn decode_reply<R: DeserializeOwned>(
    result: Result<serde_json::Value, socketioxide::AckError>,
) -> Result<R, AckError> {
    use socketioxide::AckError as SioAck;
    let value = match result {
        Ok(value) => value,
        Err(SioAck::Timeout) => return Err(AckError::Timeout),
        Err(SioAck::Socket(e)) => return Err(EmitError::from(e).into()),
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
    serde_path_to_error::deserialize(value).map_err(|error| AckError::InvalidReply {
        issues: vec![Issue {
            path: PathSegment::from_serde_path(error.path()),
            code: "type".into(),
            message: error.into_inner().to_string(),
        }],
    })
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
    _contract: PhantomData<fn() -> C>,
}

impl<C: Contract> Broadcast<C> {
    pub(crate) fn new(ops: Box<dyn OperatorOps>) -> Self {
        Self {
            ops,
            _contract: PhantomData,
        }
    }

    /// Adds rooms to the target (sockets in any of them receive the event).
    pub fn to(self, rooms: impl IntoRooms) -> Self {
        Self::new(self.ops.to(rooms.into_rooms()))
    }

    /// Like [`to`](Self::to); from a handler, `within` also includes the calling socket.
    pub fn within(self, rooms: impl IntoRooms) -> Self {
        Self::new(self.ops.within(rooms.into_rooms()))
    }

    /// Leaves out the sockets in these rooms.
    pub fn except(self, rooms: impl IntoRooms) -> Self {
        Self::new(self.ops.except(rooms.into_rooms()))
    }

    /// Only sockets connected to this node (with a multi-node adapter).
    pub fn local(self) -> Self {
        Self::new(self.ops.local())
    }

    /// Emits a server event that expects no answer.
    pub async fn emit<P: Serialize>(self, event: Outgoing<C, P, NoReply>) -> Result<(), EmitError> {
        let args = event.args();
        self.ops
            .emit(event.event(), &args as &dyn ErasedSerialize)
            .await?;
        Ok(())
    }

    /// Emits a server event that expects an answer and gathers every target socket's
    /// answer (across nodes), each decoded as `R` or failed with its [`AckError`]. Waits at
    /// most the event's timeout.
    pub async fn emit_with_ack<P: Serialize, R: DeserializeOwned>(
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
            .await?;
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
            .map_err(EmitError::Adapter)
    }

    /// Makes the target sockets leave `rooms` (on every node).
    pub async fn leave(self, rooms: impl IntoRooms) -> Result<(), EmitError> {
        self.ops
            .leave(rooms.into_rooms())
            .await
            .map_err(EmitError::Adapter)
    }

    /// Disconnects the target sockets (on every node).
    pub async fn disconnect(self) -> Result<(), EmitError> {
        Ok(self.ops.disconnect().await?)
    }

    /// The ids of the target sockets (on every node).
    pub async fn socket_ids(self) -> Result<Vec<Sid>, EmitError> {
        self.ops.socket_ids().await.map_err(EmitError::Adapter)
    }
}
