//! The test socket behind a [`TestClient`](super::TestClient), and the namespace they
//! share: rooms, emits, broadcasts and acknowledgements, in memory.

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::Duration;

use erased_serde::Serialize as ErasedSerialize;
use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use serde_json::Value;
use socketioxide::extensions::Extensions;
use socketioxide::socket::Sid;
use socketioxide::{AckError, AdapterError, BroadcastError, EmitWithAckError, SendError};

use crate::socket::ops::{OperatorOps, Replies, Room, SocketOps};
use crate::wire::reply::ClientAnswer;

/// Runs the handlers' `on_disconnect` for a socket.
pub(super) type Hook = Box<dyn FnOnce(Arc<TestSocket>) -> BoxFuture<'static, ()> + Send>;

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// The namespace: its connected sockets.
pub(super) struct Hub {
    path: String,
    sockets: Mutex<Vec<Arc<TestSocket>>>,
}

impl Hub {
    pub(super) fn new(path: &str) -> Arc<Self> {
        Arc::new(Self {
            path: path.to_owned(),
            sockets: Mutex::default(),
        })
    }

    pub(super) fn add(&self, socket: Arc<TestSocket>) {
        lock(&self.sockets).push(socket);
    }

    fn remove(&self, id: Sid) {
        lock(&self.sockets).retain(|s| s.id != id);
    }

    fn matching(&self, target: &Target) -> Vec<Arc<TestSocket>> {
        lock(&self.sockets)
            .iter()
            .filter(|s| target.matches(s))
            .cloned()
            .collect()
    }
}

/// One client's socket.
pub(super) struct TestSocket {
    pub(super) id: Sid,
    hub: Weak<Hub>,
    path: String,
    rooms: Mutex<BTreeSet<String>>,
    received: Mutex<Vec<(String, Value)>>,
    answers: Mutex<HashMap<String, Value>>,
    connected: AtomicBool,
    pub(super) extensions: Extensions,
    pub(super) on_disconnect: Mutex<Option<Hook>>,
}

impl TestSocket {
    pub(super) fn new(hub: &Arc<Hub>) -> Arc<Self> {
        Arc::new(Self {
            id: Sid::new(),
            hub: Arc::downgrade(hub),
            path: hub.path.clone(),
            rooms: Mutex::default(),
            received: Mutex::default(),
            answers: Mutex::default(),
            connected: AtomicBool::new(true),
            extensions: Extensions::new(),
            on_disconnect: Mutex::default(),
        })
    }

    /// Records an event the server sent, from its socket.io arguments.
    pub(super) fn push(&self, event: &str, arguments: Value) {
        let payload = match arguments {
            Value::Array(mut args) if !args.is_empty() => args.swap_remove(0),
            _ => Value::Null,
        };
        lock(&self.received).push((event.to_owned(), payload));
    }

    fn receive(&self, event: &str, data: &dyn ErasedSerialize) -> Result<(), SendError> {
        if !self.is_connected() {
            return Err(SendError::Socket(socketioxide::SocketError::Closed));
        }
        // The same serializer as a real packet's.
        let arguments = serde_json::to_value(data)
            .map_err(|e| SendError::Serialize(socketioxide::ParserError::new(e)))?;
        self.push(event, arguments);
        Ok(())
    }

    fn ask(&self, event: &str, data: &dyn ErasedSerialize) -> Result<ClientAnswer, AckError> {
        self.receive(event, data).map_err(|e| match e {
            SendError::Socket(e) => AckError::Socket(e),
            SendError::Serialize(e) => AckError::Decode(e),
        })?;
        lock(&self.answers)
            .get(event)
            .cloned()
            .map(ClientAnswer::from)
            .ok_or(AckError::Timeout)
    }

    pub(super) fn take_received(&self) -> Vec<(String, Value)> {
        std::mem::take(&mut *lock(&self.received))
    }

    pub(super) fn set_answer(&self, event: &str, answer: Value) {
        lock(&self.answers).insert(event.to_owned(), answer);
    }

    pub(super) fn room_names(&self) -> Vec<String> {
        lock(&self.rooms).iter().cloned().collect()
    }

    pub(super) fn is_connected(&self) -> bool {
        self.connected.load(Ordering::SeqCst)
    }

    /// Leaves the namespace and runs `on_disconnect` (once).
    pub(super) async fn close(self: &Arc<Self>) {
        if !self.connected.swap(false, Ordering::SeqCst) {
            return;
        }
        let hook = lock(&self.on_disconnect).take();
        if let Some(hook) = hook {
            hook(self.clone()).await;
        }
        // As socketioxide does, rooms are left after the handler ran.
        lock(&self.rooms).clear();
        if let Some(hub) = self.hub.upgrade() {
            hub.remove(self.id);
        }
    }
}

impl SocketOps for TestSocket {
    fn id(&self) -> Sid {
        self.id
    }
    fn ns(&self) -> &str {
        &self.path
    }
    fn emit(&self, event: &str, data: &dyn ErasedSerialize) -> Result<(), SendError> {
        self.receive(event, data)
    }
    fn emit_with_ack(
        &self,
        event: &str,
        data: &dyn ErasedSerialize,
        _timeout: Option<Duration>,
    ) -> Result<BoxFuture<'static, Result<ClientAnswer, AckError>>, SendError> {
        if !self.is_connected() {
            return Err(SendError::Socket(socketioxide::SocketError::Closed));
        }
        let answer = self.ask(event, data);
        Ok(async move { answer }.boxed())
    }
    fn join(&self, rooms: Vec<Room>) {
        lock(&self.rooms).extend(rooms.into_iter().map(|r| r.into_owned()));
    }
    fn leave(&self, rooms: Vec<Room>) {
        let mut mine = lock(&self.rooms);
        for room in rooms {
            mine.remove(room.as_ref());
        }
    }
    fn rooms(&self) -> Vec<Room> {
        lock(&self.rooms).iter().cloned().map(Room::Owned).collect()
    }
    fn connected(&self) -> bool {
        self.is_connected()
    }
    fn disconnect(self: Arc<Self>) {
        // Called from inside a handler, which cannot wait for `on_disconnect`: it runs
        // right after, as socketioxide's does.
        tokio::spawn(async move { self.close().await });
    }
    fn extensions(&self) -> &Extensions {
        &self.extensions
    }
    fn broadcast(&self) -> Box<dyn OperatorOps> {
        Box::new(Ops {
            hub: self.hub.clone(),
            target: Target {
                exclude: Some(self.id),
                ..Target::default()
            },
        })
    }
    fn within(&self, rooms: Vec<Room>) -> Box<dyn OperatorOps> {
        Box::new(Ops {
            hub: self.hub.clone(),
            target: Target {
                rooms: rooms.into_iter().map(|r| r.into_owned()).collect(),
                ..Target::default()
            },
        })
    }
}

/// Which sockets a broadcast reaches.
#[derive(Clone, Default)]
struct Target {
    rooms: Vec<String>,
    except: Vec<String>,
    exclude: Option<Sid>,
}

impl Target {
    fn matches(&self, socket: &TestSocket) -> bool {
        let rooms = lock(&socket.rooms);
        socket.is_connected()
            && self.exclude != Some(socket.id)
            && (self.rooms.is_empty() || self.rooms.iter().any(|r| rooms.contains(r)))
            && !self.except.iter().any(|r| rooms.contains(r))
    }
}

/// A broadcast being built over the namespace.
#[derive(Clone)]
struct Ops {
    hub: Weak<Hub>,
    target: Target,
}

impl Ops {
    fn sockets(&self) -> Vec<Arc<TestSocket>> {
        self.hub
            .upgrade()
            .map(|hub| hub.matching(&self.target))
            .unwrap_or_default()
    }
}

impl OperatorOps for Ops {
    fn clone_box(&self) -> Box<dyn OperatorOps> {
        Box::new(self.clone())
    }
    fn to(mut self: Box<Self>, rooms: Vec<Room>) -> Box<dyn OperatorOps> {
        self.target
            .rooms
            .extend(rooms.into_iter().map(|r| r.into_owned()));
        self
    }
    fn within(self: Box<Self>, rooms: Vec<Room>) -> Box<dyn OperatorOps> {
        // As socketioxide's: more rooms; a broadcast's sender stays excluded.
        self.to(rooms)
    }
    fn except(mut self: Box<Self>, rooms: Vec<Room>) -> Box<dyn OperatorOps> {
        self.target
            .except
            .extend(rooms.into_iter().map(|r| r.into_owned()));
        self
    }
    fn local(self: Box<Self>) -> Box<dyn OperatorOps> {
        // One node.
        self
    }
    fn volatile(self: Box<Self>) -> Box<dyn OperatorOps> {
        // Nothing is recorded for recovery in process.
        self
    }
    fn timeout(self: Box<Self>, _: Duration) -> Box<dyn OperatorOps> {
        self
    }
    fn emit<'a>(
        self: Box<Self>,
        event: &'a str,
        data: &'a dyn ErasedSerialize,
    ) -> BoxFuture<'a, Result<(), BroadcastError>> {
        let mut failed = Vec::new();
        for socket in self.sockets() {
            match socket.receive(event, data) {
                Ok(()) => {}
                Err(SendError::Socket(e)) => failed.push(e),
                Err(SendError::Serialize(e)) => {
                    return async move { Err(BroadcastError::Serialize(e)) }.boxed();
                }
            }
        }
        let result = if failed.is_empty() {
            Ok(())
        } else {
            Err(BroadcastError::Socket(failed))
        };
        async move { result }.boxed()
    }
    fn emit_with_ack<'a>(
        self: Box<Self>,
        event: &'a str,
        data: &'a dyn ErasedSerialize,
    ) -> BoxFuture<'a, Result<Replies, EmitWithAckError>> {
        let replies: Vec<_> = self
            .sockets()
            .into_iter()
            .map(|socket| (socket.id, socket.ask(event, data)))
            .collect();
        async move {
            let stream: Replies =
                futures_util::StreamExt::boxed(futures_util::stream::iter(replies));
            Ok(stream)
        }
        .boxed()
    }
    fn join(self: Box<Self>, rooms: Vec<Room>) -> BoxFuture<'static, Result<(), AdapterError>> {
        for socket in self.sockets() {
            socket.join(rooms.clone());
        }
        async { Ok(()) }.boxed()
    }
    fn leave(self: Box<Self>, rooms: Vec<Room>) -> BoxFuture<'static, Result<(), AdapterError>> {
        for socket in self.sockets() {
            SocketOps::leave(&*socket, rooms.clone());
        }
        async { Ok(()) }.boxed()
    }
    fn disconnect(self: Box<Self>) -> BoxFuture<'static, Result<(), BroadcastError>> {
        let sockets = self.sockets();
        async move {
            for socket in sockets {
                socket.close().await;
            }
            Ok(())
        }
        .boxed()
    }
    fn socket_ids(self: Box<Self>) -> BoxFuture<'static, Result<Vec<Sid>, AdapterError>> {
        let ids = self.sockets().iter().map(|s| s.id).collect();
        async move { Ok(ids) }.boxed()
    }
}
