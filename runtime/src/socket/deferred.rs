//! Emitters handed out before the server exists: [`Server::emitter`](crate::Server::emitter)
//! gives one to code that calls `serve()`, which never returns the socket.io handle.
//!
//! The handle is filled in when the server is built; until then (or for a namespace that is
//! not served) every operation fails with an error saying so, rather than panicking.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use erased_serde::Serialize as ErasedSerialize;
use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use socketioxide::SocketIo;
use socketioxide::adapter::Adapter;
use socketioxide::socket::Sid;
use socketioxide::{AdapterError, BroadcastError, EmitWithAckError};

use crate::recovery::{self, Journal};
use crate::socket::ops::{OperatorOps, Replies, Room};

/// The namespaces of a built server, adapter erased.
pub(crate) trait Namespaces: Send + Sync + 'static {
    fn of(&self, path: &str) -> Option<Box<dyn OperatorOps>>;
    /// The journal of namespace `path`, when the server records events for recovery.
    fn journal(&self, path: &str) -> Option<Arc<Journal>>;
}

impl<A: Adapter> Namespaces for SocketIo<A> {
    fn of(&self, path: &str) -> Option<Box<dyn OperatorOps>> {
        Some(Box::new(SocketIo::of(self, path)?))
    }
    fn journal(&self, path: &str) -> Option<Arc<Journal>> {
        recovery::lookup(recovery::server_key(self), path)
    }
}

/// Where a server puts its handle once built.
pub(crate) type Slot = Arc<OnceLock<Box<dyn Namespaces>>>;

/// The operators of namespace `path`, once the server in `slot` is built.
#[derive(Clone)]
pub(crate) struct Deferred {
    pub(crate) slot: Slot,
    pub(crate) path: String,
}

impl Deferred {
    /// Whether the server is built, so that what [`journal`](Self::journal) says is final.
    pub(crate) fn built(&self) -> bool {
        self.slot.get().is_some()
    }

    /// The namespace's journal for connection state recovery; `None` before the server is
    /// built, or when it does not record events.
    pub(crate) fn journal(&self) -> Option<Arc<Journal>> {
        self.slot.get()?.journal(&self.path)
    }

    fn resolve(&self) -> Box<dyn OperatorOps> {
        match self.slot.get() {
            Some(io) => io.of(&self.path).unwrap_or_else(|| {
                Box::new(NotServing(format!(
                    "namespace `{}` is not served by this server",
                    self.path
                )))
            }),
            None => Box::new(NotServing(
                "the server is not built yet: call `serve`, `serve_on`, `layer` or `build` first"
                    .to_owned(),
            )),
        }
    }
}

impl OperatorOps for Deferred {
    fn clone_box(&self) -> Box<dyn OperatorOps> {
        // Resolved as late as possible: an emitter taken before `serve()` works once it runs.
        match self.slot.get() {
            Some(_) => self.resolve(),
            None => Box::new(self.clone()),
        }
    }
    fn to(self: Box<Self>, rooms: Vec<Room>) -> Box<dyn OperatorOps> {
        self.resolve().to(rooms)
    }
    fn within(self: Box<Self>, rooms: Vec<Room>) -> Box<dyn OperatorOps> {
        self.resolve().within(rooms)
    }
    fn except(self: Box<Self>, rooms: Vec<Room>) -> Box<dyn OperatorOps> {
        self.resolve().except(rooms)
    }
    fn local(self: Box<Self>) -> Box<dyn OperatorOps> {
        self.resolve().local()
    }
    fn timeout(self: Box<Self>, timeout: Duration) -> Box<dyn OperatorOps> {
        self.resolve().timeout(timeout)
    }
    fn volatile(self: Box<Self>) -> Box<dyn OperatorOps> {
        self.resolve().volatile()
    }
    fn emit<'a>(
        self: Box<Self>,
        event: &'a str,
        data: &'a dyn ErasedSerialize,
    ) -> BoxFuture<'a, Result<(), BroadcastError>> {
        self.resolve().emit(event, data)
    }
    fn emit_with_ack<'a>(
        self: Box<Self>,
        event: &'a str,
        data: &'a dyn ErasedSerialize,
    ) -> BoxFuture<'a, Result<Replies, EmitWithAckError>> {
        self.resolve().emit_with_ack(event, data)
    }
    fn join(self: Box<Self>, rooms: Vec<Room>) -> BoxFuture<'static, Result<(), AdapterError>> {
        self.resolve().join(rooms)
    }
    fn leave(self: Box<Self>, rooms: Vec<Room>) -> BoxFuture<'static, Result<(), AdapterError>> {
        self.resolve().leave(rooms)
    }
    fn disconnect(self: Box<Self>) -> BoxFuture<'static, Result<(), BroadcastError>> {
        self.resolve().disconnect()
    }
    fn socket_ids(self: Box<Self>) -> BoxFuture<'static, Result<Vec<Sid>, AdapterError>> {
        self.resolve().socket_ids()
    }
}

/// Operators of a server that is not there: every operation fails with the reason.
#[derive(Clone)]
struct NotServing(String);

impl NotServing {
    fn error(&self) -> AdapterError {
        AdapterError(Box::new(std::io::Error::other(self.0.clone())))
    }
}

impl OperatorOps for NotServing {
    fn clone_box(&self) -> Box<dyn OperatorOps> {
        Box::new(self.clone())
    }
    fn to(self: Box<Self>, _: Vec<Room>) -> Box<dyn OperatorOps> {
        self
    }
    fn within(self: Box<Self>, _: Vec<Room>) -> Box<dyn OperatorOps> {
        self
    }
    fn except(self: Box<Self>, _: Vec<Room>) -> Box<dyn OperatorOps> {
        self
    }
    fn local(self: Box<Self>) -> Box<dyn OperatorOps> {
        self
    }
    fn timeout(self: Box<Self>, _: Duration) -> Box<dyn OperatorOps> {
        self
    }
    fn volatile(self: Box<Self>) -> Box<dyn OperatorOps> {
        self
    }
    fn emit<'a>(
        self: Box<Self>,
        _: &'a str,
        _: &'a dyn ErasedSerialize,
    ) -> BoxFuture<'a, Result<(), BroadcastError>> {
        let error = BroadcastError::Adapter(self.error());
        async move { Err(error) }.boxed()
    }
    fn emit_with_ack<'a>(
        self: Box<Self>,
        _: &'a str,
        _: &'a dyn ErasedSerialize,
    ) -> BoxFuture<'a, Result<Replies, EmitWithAckError>> {
        let error = EmitWithAckError::Adapter(Box::new(std::io::Error::other(self.0.clone())));
        async move { Err(error) }.boxed()
    }
    fn join(self: Box<Self>, _: Vec<Room>) -> BoxFuture<'static, Result<(), AdapterError>> {
        let error = self.error();
        async move { Err(error) }.boxed()
    }
    fn leave(self: Box<Self>, _: Vec<Room>) -> BoxFuture<'static, Result<(), AdapterError>> {
        let error = self.error();
        async move { Err(error) }.boxed()
    }
    fn disconnect(self: Box<Self>) -> BoxFuture<'static, Result<(), BroadcastError>> {
        let error = BroadcastError::Adapter(self.error());
        async move { Err(error) }.boxed()
    }
    fn socket_ids(self: Box<Self>) -> BoxFuture<'static, Result<Vec<Sid>, AdapterError>> {
        let error = self.error();
        async move { Err(error) }.boxed()
    }
}
