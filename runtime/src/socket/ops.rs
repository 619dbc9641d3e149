//! Adapter erasure: the socketioxide operations eventwire uses, behind object-safe traits.
//!
//! socketioxide's socket and operator types are generic over the adapter (in-memory,
//! Redis, ...). Handlers should not be: the same `impl ChatHandlers` must run on any
//! adapter. These traits are implemented once for every `A: Adapter` and handlers see
//! only the erased form.

use std::borrow::Cow;
use std::time::Duration;

use erased_serde::Serialize as ErasedSerialize;
use futures_util::future::BoxFuture;
use futures_util::stream::BoxStream;
use futures_util::{FutureExt, StreamExt};
use socketioxide::adapter::Adapter;
use socketioxide::operators::BroadcastOperators;
use socketioxide::socket::{Sid, Socket};
use socketioxide::{AckError, BroadcastError, EmitWithAckError, SendError};

use crate::wire::reply::ClientAnswer;
use crate::wire::spliced::Spliced;

pub(crate) type Room = Cow<'static, str>;
pub(crate) type Replies = BoxStream<'static, (Sid, Result<ClientAnswer, AckError>)>;

/// One socket, adapter erased.
pub(crate) trait SocketOps: Send + Sync + 'static {
    fn id(&self) -> Sid;
    fn ns(&self) -> &str;
    fn emit(&self, event: &str, data: &dyn ErasedSerialize) -> Result<(), SendError>;
    /// Emits `frame` as the event's one argument, serialized without type erasure (a feed
    /// sends one per subscriber: see [`Spliced`]).
    fn emit_spliced(&self, event: &str, frame: &Spliced<'_>) -> Result<(), SendError> {
        self.emit(event, &(frame,))
    }
    /// Emits `frame` to every socket of this node in `room`, this one included, encoded
    /// once for all of them (a room broadcast). False when some socket may have missed it:
    /// its queue was full (socketioxide does not say whose), or the adapter did not send
    /// at once; sockets that were closing do not count.
    fn emit_spliced_within(&self, room: &Room, event: &str, frame: &Spliced<'_>) -> bool {
        sent_to_all(
            self.within(vec![room.clone()])
                .local()
                .emit(event, &(frame,))
                .now_or_never(),
        )
    }
    fn emit_with_ack(
        &self,
        event: &str,
        data: &dyn ErasedSerialize,
        timeout: Option<Duration>,
    ) -> Result<BoxFuture<'static, Result<ClientAnswer, AckError>>, SendError>;
    fn join(&self, rooms: Vec<Room>);
    fn leave(&self, rooms: Vec<Room>);
    fn rooms(&self) -> Vec<Room>;
    fn connected(&self) -> bool;
    fn disconnect(self: std::sync::Arc<Self>);
    fn extensions(&self) -> &socketioxide::extensions::Extensions;
    /// `socket.broadcast()`: every socket of the namespace but this one.
    fn broadcast(&self) -> Box<dyn OperatorOps>;
    /// `socket.within(..)` with no rooms yet: a base that includes this socket.
    fn within(&self, rooms: Vec<Room>) -> Box<dyn OperatorOps>;
}

/// Whether a broadcast that finished (`Some`) reached every socket that is not closing.
fn sent_to_all(outcome: Option<Result<(), BroadcastError>>) -> bool {
    match outcome {
        Some(Ok(())) => true,
        Some(Err(BroadcastError::Socket(errors))) => errors
            .iter()
            .all(|error| matches!(error, socketioxide::SocketError::Closed)),
        Some(Err(_)) | None => false,
    }
}

/// A broadcast target being built, adapter erased.
pub(crate) trait OperatorOps: Send + Sync + 'static {
    fn clone_box(&self) -> Box<dyn OperatorOps>;
    fn to(self: Box<Self>, rooms: Vec<Room>) -> Box<dyn OperatorOps>;
    fn within(self: Box<Self>, rooms: Vec<Room>) -> Box<dyn OperatorOps>;
    fn except(self: Box<Self>, rooms: Vec<Room>) -> Box<dyn OperatorOps>;
    fn local(self: Box<Self>) -> Box<dyn OperatorOps>;
    fn timeout(self: Box<Self>, timeout: Duration) -> Box<dyn OperatorOps>;
    fn volatile(self: Box<Self>) -> Box<dyn OperatorOps>;
    fn emit<'a>(
        self: Box<Self>,
        event: &'a str,
        data: &'a dyn ErasedSerialize,
    ) -> BoxFuture<'a, Result<(), BroadcastError>>;
    fn emit_with_ack<'a>(
        self: Box<Self>,
        event: &'a str,
        data: &'a dyn ErasedSerialize,
    ) -> BoxFuture<'a, Result<Replies, EmitWithAckError>>;
    fn join(
        self: Box<Self>,
        rooms: Vec<Room>,
    ) -> BoxFuture<'static, Result<(), socketioxide::AdapterError>>;
    fn leave(
        self: Box<Self>,
        rooms: Vec<Room>,
    ) -> BoxFuture<'static, Result<(), socketioxide::AdapterError>>;
    fn disconnect(self: Box<Self>) -> BoxFuture<'static, Result<(), BroadcastError>>;
    fn socket_ids(
        self: Box<Self>,
    ) -> BoxFuture<'static, Result<Vec<Sid>, socketioxide::AdapterError>>;
}

// For the socket itself rather than `SocketRef`: the `Arc<Socket<A>>` socketioxide hands
// a handler then becomes an `Arc<dyn SocketOps>` without another allocation.
impl<A: Adapter> SocketOps for Socket<A> {
    fn id(&self) -> Sid {
        self.id
    }
    fn ns(&self) -> &str {
        Socket::ns(self)
    }
    fn emit(&self, event: &str, data: &dyn ErasedSerialize) -> Result<(), SendError> {
        Socket::emit(self, event, data)
    }
    fn emit_spliced(&self, event: &str, frame: &Spliced<'_>) -> Result<(), SendError> {
        Socket::emit(self, event, &(frame,))
    }
    fn emit_spliced_within(&self, room: &Room, event: &str, frame: &Spliced<'_>) -> bool {
        // Local only: with Redis, every node delivers a feed's changes to its own sockets.
        // The in-memory and Redis adapters send a local broadcast when their future is first
        // polled, with nothing to wait for, so `now_or_never` completes it.
        sent_to_all(
            Socket::local(self)
                .within(room.clone())
                .emit(event, &(frame,))
                .now_or_never(),
        )
    }
    fn emit_with_ack(
        &self,
        event: &str,
        data: &dyn ErasedSerialize,
        timeout: Option<Duration>,
    ) -> Result<BoxFuture<'static, Result<ClientAnswer, AckError>>, SendError> {
        let stream = match timeout {
            Some(timeout) => self
                .timeout(timeout)
                .emit_with_ack::<_, ClientAnswer>(event, data)?,
            None => Socket::emit_with_ack::<_, ClientAnswer>(self, event, data)?,
        };
        Ok(FutureExt::boxed(stream))
    }
    fn join(&self, rooms: Vec<Room>) {
        Socket::join(self, rooms);
    }
    fn leave(&self, rooms: Vec<Room>) {
        Socket::leave(self, rooms);
    }
    fn rooms(&self) -> Vec<Room> {
        Socket::rooms(self)
    }
    fn connected(&self) -> bool {
        Socket::connected(self)
    }
    fn disconnect(self: std::sync::Arc<Self>) {
        // Already closed is the only error, and the wanted end state.
        let _ = Socket::disconnect(self);
    }
    fn extensions(&self) -> &socketioxide::extensions::Extensions {
        &self.extensions
    }
    fn broadcast(&self) -> Box<dyn OperatorOps> {
        Box::new(Socket::broadcast(self))
    }
    fn within(&self, rooms: Vec<Room>) -> Box<dyn OperatorOps> {
        Box::new(Socket::within(self, rooms))
    }
}

impl<A: Adapter> OperatorOps for BroadcastOperators<A> {
    fn clone_box(&self) -> Box<dyn OperatorOps> {
        Box::new(self.clone())
    }
    fn to(self: Box<Self>, rooms: Vec<Room>) -> Box<dyn OperatorOps> {
        Box::new((*self).to(rooms))
    }
    fn within(self: Box<Self>, rooms: Vec<Room>) -> Box<dyn OperatorOps> {
        Box::new((*self).within(rooms))
    }
    fn except(self: Box<Self>, rooms: Vec<Room>) -> Box<dyn OperatorOps> {
        Box::new((*self).except(rooms))
    }
    fn local(self: Box<Self>) -> Box<dyn OperatorOps> {
        Box::new((*self).local())
    }
    fn timeout(self: Box<Self>, timeout: Duration) -> Box<dyn OperatorOps> {
        Box::new((*self).timeout(timeout))
    }
    fn volatile(self: Box<Self>) -> Box<dyn OperatorOps> {
        Box::new((*self).volatile())
    }
    fn emit<'a>(
        self: Box<Self>,
        event: &'a str,
        data: &'a dyn ErasedSerialize,
    ) -> BoxFuture<'a, Result<(), BroadcastError>> {
        (*self).emit(event, data).boxed()
    }
    fn emit_with_ack<'a>(
        self: Box<Self>,
        event: &'a str,
        data: &'a dyn ErasedSerialize,
    ) -> BoxFuture<'a, Result<Replies, EmitWithAckError>> {
        (*self)
            .emit_with_ack::<_, ClientAnswer>(event, data)
            .map(|stream| stream.map(StreamExt::boxed))
            .boxed()
    }
    fn join(
        self: Box<Self>,
        rooms: Vec<Room>,
    ) -> BoxFuture<'static, Result<(), socketioxide::AdapterError>> {
        (*self).join(rooms).map(|r| r.map_err(Into::into)).boxed()
    }
    fn leave(
        self: Box<Self>,
        rooms: Vec<Room>,
    ) -> BoxFuture<'static, Result<(), socketioxide::AdapterError>> {
        (*self).leave(rooms).map(|r| r.map_err(Into::into)).boxed()
    }
    fn disconnect(self: Box<Self>) -> BoxFuture<'static, Result<(), BroadcastError>> {
        async move { (*self).disconnect().await }.boxed()
    }
    fn socket_ids(
        self: Box<Self>,
    ) -> BoxFuture<'static, Result<Vec<Sid>, socketioxide::AdapterError>> {
        async move {
            let sockets = (*self).fetch_sockets().await.map_err(Into::into)?;
            Ok(sockets.iter().map(|s| s.data().id).collect())
        }
        .boxed()
    }
}
