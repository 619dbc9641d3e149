//! Testing handlers without a network: an in-process namespace whose clients drive the
//! same dispatch a real socket does (decoding, validation, guards, the handler, the
//! three-way answer), and record what the server sends them.
//!
//! socketioxide has no public in-memory transport, and its sockets cannot be built outside
//! it. eventwire's handlers see sockets only through `Cx`, which is adapter-erased, so a
//! test socket stands in for a real one here: rooms, emits, broadcasts, acknowledgements
//! asked of the client, feeds ([`TestServer::feeds`]), extensions and disconnects all behave
//! as on a single node.
//! Each `emit` is awaited, so one client's events run one at a time, whatever the
//! contract's ordering. Not covered: socketioxide's own limits (message size, heartbeats),
//! eventwire's rate limits, and the handshake's origin and connection checks, which need a
//! real connection.
//!
//! ```
//! use eventwire::testing::TestServer;
//! use eventwire::{payload, Contract, Cx};
//! use serde_json::json;
//!
//! #[payload] pub struct Join { #[validate(length(min = 1))] pub room: String }
//! #[payload] pub struct Joined { pub room: String }
//!
//! #[derive(Contract)]
//! #[contract(namespace = "/chat")]
//! pub enum Chat {
//!     #[client(ack = u32)] Join(Join),
//!     #[server] Joined(Joined),
//! }
//!
//! struct App;
//! impl ChatHandlers for App {
//!     async fn join(&self, cx: &Cx<Chat>, req: Join) -> u32 {
//!         cx.join(&req.room);
//!         let _ = cx.to(&req.room).emit(Chat::joined(Joined { room: req.room })).await;
//!         1
//!     }
//! }
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let server = TestServer::<Chat, _>::new(App);
//! let alice = server.connect().await.expect("accepted");
//! let bob = server.connect().await.expect("accepted");
//! bob.emit_with_ack("join", json!({ "room": "lobby" })).await;
//!
//! // The answer exactly as it goes on the wire.
//! assert_eq!(alice.emit_with_ack("join", json!({ "room": "lobby" })).await, json!({ "ok": true, "data": 1 }));
//! // What the other member received.
//! assert_eq!(bob.received(), vec![("joined".to_owned(), json!({ "room": "lobby" }))]);
//! // A refused payload gets its fault, as a real client would.
//! let refused = alice.emit_with_ack("join", json!({ "room": "" })).await;
//! assert_eq!(refused["fault"]["code"], "invalid_payload");
//! # });
//! ```

mod socket;

use std::marker::PhantomData;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures_util::FutureExt;
use serde_json::Value;
use socketioxide::socket::Sid;

use crate::Refusal;
use crate::auth::Authenticated;
use crate::serve::dispatch::{Dispatch, Respond, Slot};
use crate::socket::Cx;
use crate::wire::fault::{AckResponse, FAULT_EVENT, False, Fault};
use crate::wire::incoming::Incoming;

use socket::{Hub, TestSocket};

/// An in-process namespace serving contract `C` with handlers `H`. Clients connect with
/// [`connect`](Self::connect) (or [`connect_with_auth`](Self::connect_with_auth)) and share
/// its rooms and broadcasts.
pub struct TestServer<C, H> {
    handlers: Arc<H>,
    hub: Arc<Hub>,
    /// Uploads in progress, with the server's default limits.
    uploads: Arc<crate::upload::hub::UploadHub>,
    /// The contract's feeds (on this one node), with the server's default limits.
    feeds: Arc<crate::feed::hub::FeedHub>,
    /// Downloads in progress, with the server's default limits.
    downloads: Arc<crate::download::hub::DownloadHub>,
    _contract: PhantomData<fn() -> C>,
}

impl<C: Dispatch<H>, H: Send + Sync + 'static> TestServer<C, H> {
    /// A namespace at `C`'s path, served by `handlers`.
    pub fn new(handlers: H) -> Self {
        Self::from_arc(Arc::new(handlers))
    }

    /// The same, with handlers the test keeps a handle to (to look at their state).
    pub fn from_arc(handlers: Arc<H>) -> Self {
        Self {
            handlers,
            hub: Hub::new(C::NAMESPACE),
            uploads: Arc::default(),
            feeds: Arc::default(),
            downloads: Arc::default(),
            _contract: PhantomData,
        }
    }

    /// The contract's feeds, to publish to as the app does from outside a handler. A
    /// client subscribes with the `eventwire:subscribe` event and receives the changes
    /// (`eventwire:change`) in [`received`](TestClient::received), as on a real server.
    ///
    /// ```
    /// use eventwire::feed::Refused;
    /// use eventwire::testing::TestServer;
    /// use eventwire::{payload, Contract, Cx, Filter};
    /// use serde_json::json;
    ///
    /// #[payload] #[derive(Clone)] pub struct Task { pub id: u32, pub done: bool }
    /// #[payload] #[derive(Default, Filter)] #[serde(deny_unknown_fields)] #[filter(item = Task)]
    /// pub struct TaskFilter { #[filter(eq)] pub done: Option<bool> }
    ///
    /// #[derive(Contract)]
    /// #[contract(namespace = "/tasks")]
    /// pub enum Tasks {
    ///     #[feed(item = Task, key = id, filter = TaskFilter)]
    ///     Open,
    /// }
    ///
    /// struct App;
    /// impl TasksHandlers for App {
    ///     async fn subscribe_open(&self, _: &Cx<Tasks>, _: &mut TaskFilter) -> Result<Vec<Task>, Refused> {
    ///         Ok(vec![])
    ///     }
    /// }
    ///
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let server = TestServer::<Tasks, _>::new(App);
    /// let client = server.connect().await.expect("accepted");
    /// let subscribed = client
    ///     .emit_with_ack("eventwire:subscribe", json!({ "feed": "open", "filter": { "done": false } }))
    ///     .await;
    /// assert_eq!(subscribed["ok"], true);
    ///
    /// let open = server.feeds().feed(Tasks::open());
    /// open.created(Task { id: 1, done: false });
    /// open.created(Task { id: 2, done: true }); // not in the client's filter
    /// let received = client.received();
    /// assert_eq!(received.len(), 1);
    /// assert_eq!(received[0].0, "eventwire:change");
    /// assert_eq!(received[0].1["item"], json!({ "id": 1, "done": false }));
    /// # });
    /// ```
    pub fn feeds(&self) -> crate::feed::Feeds<C> {
        crate::feed::Feeds::new(self.feeds.clone())
    }

    /// The handlers.
    pub fn handlers(&self) -> &Arc<H> {
        &self.handlers
    }

    /// Connects a client without handshake `auth`, running `authenticate` as the server
    /// does; `Err` is the refusal the client would get as `connect_error`.
    pub async fn connect(&self) -> Result<TestClient<C, H>, Refusal> {
        self.connect_raw(None).await
    }

    /// Connects a client that sends `auth` (the JSON it passes as socket.io's `auth`).
    pub async fn connect_with_auth(&self, auth: Value) -> Result<TestClient<C, H>, Refusal> {
        self.connect_raw(Some(auth.to_string())).await
    }

    async fn connect_raw(&self, auth: Option<String>) -> Result<TestClient<C, H>, Refusal> {
        let identity = C::authenticate(self.handlers.clone(), auth).await?;
        let socket = TestSocket::new(&self.hub);
        socket.extensions.insert(Authenticated::<C>(identity));
        socket.extensions.insert(self.uploads.clone());
        socket
            .extensions
            .insert(crate::feed::hub::SocketFeeds::new(self.feeds.clone()));
        socket.extensions.insert(self.downloads.clone());
        let handlers = self.handlers.clone();
        let on_disconnect: socket::Hook = Box::new(move |socket: Arc<TestSocket>| {
            let cx = Cx::<C>::new(socket);
            async move {
                let _ = AssertUnwindSafe(C::disconnected(handlers, cx))
                    .catch_unwind()
                    .await;
            }
            .boxed()
        });
        *socket
            .on_disconnect
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Some(on_disconnect);
        self.hub.add(socket.clone());
        Ok(TestClient {
            handlers: self.handlers.clone(),
            socket,
            _contract: PhantomData,
        })
    }
}

/// One client of a [`TestServer`]: sends events through the real dispatch and records
/// what the server sends it.
pub struct TestClient<C, H> {
    handlers: Arc<H>,
    socket: Arc<TestSocket>,
    _contract: PhantomData<fn() -> C>,
}

impl<C: Dispatch<H>, H: Send + Sync + 'static> TestClient<C, H> {
    /// The socket's id.
    pub fn id(&self) -> Sid {
        self.socket.id
    }

    /// The handler context of this client's socket, to call a handler method directly
    /// (`app.join(&client.cx(), req).await`) with typed values.
    pub fn cx(&self) -> Cx<C> {
        Cx::new(self.socket.clone())
    }

    /// Sends `event` with `payload` and asks for the acknowledgement: returns the answer
    /// as the client receives it, `{ "ok": true, "data": .. }`, `{ "ok": false, "error": .. }`
    /// or `{ "ok": false, "fault": .. }`.
    pub async fn emit_with_ack(&self, event: &str, payload: Value) -> Value {
        self.send(event, vec![payload], true).await
    }

    /// Sends `event` with exactly these arguments (none, or several, as a misbehaving
    /// client might) and asks for the acknowledgement.
    pub async fn emit_args_with_ack(&self, event: &str, arguments: Vec<Value>) -> Value {
        self.send(event, arguments, true).await
    }

    /// Sends `event` with `payload` without asking for an answer. A refused event's fault
    /// arrives as the `eventwire:fault` event, in [`received`](Self::received).
    pub async fn emit(&self, event: &str, payload: Value) {
        self.send(event, vec![payload], false).await;
    }

    async fn send(&self, event: &str, arguments: Vec<Value>, wants_ack: bool) -> Value {
        let mut packet = vec![Value::String(event.to_owned())];
        packet.extend(arguments);
        let mut slot = Slot::new(
            Recorded {
                wants_ack,
                answer: Value::Null,
                socket: self.socket.clone(),
            },
            C::CLIENT_EVENTS,
        );
        let incoming = Incoming::new(
            event.to_owned(),
            socketioxide::handler::Value::Str(Value::Array(packet).to_string().into(), None),
        );
        let cx = self.cx();
        let dispatched = crate::serve::route::dispatch(&self.handlers, &cx, incoming, slot.reply());
        if AssertUnwindSafe(dispatched).catch_unwind().await.is_err() {
            slot.refuse(Fault::internal(event));
        }
        let Recorded { answer, .. } = slot.into_respond();
        if wants_ack { answer } else { Value::Null }
    }

    /// The server events this client received since the last call, oldest first, each as
    /// its name and payload (`null` for an event without payload).
    pub fn received(&self) -> Vec<(String, Value)> {
        self.socket.take_received()
    }

    /// How this client answers the server event `event` when the server asks with
    /// `emit_with_ack` (without an answer, the server's wait times out at once).
    pub fn answer(&self, event: &str, answer: Value) {
        self.socket.set_answer(event, answer);
    }

    /// The rooms this client's socket is in.
    pub fn rooms(&self) -> Vec<String> {
        self.socket.room_names()
    }

    /// Whether the socket is still connected (a handler may disconnect it).
    pub fn connected(&self) -> bool {
        self.socket.is_connected()
    }

    /// Disconnects the client and waits for the handlers' `on_disconnect` to finish.
    pub async fn disconnect(self) {
        self.socket.close().await;
    }
}

/// A test client's answers: the acknowledgement as JSON, or the fault event pushed to
/// the client as a real server sends it.
struct Recorded {
    wants_ack: bool,
    answer: Value,
    socket: Arc<TestSocket>,
}

impl Respond for Recorded {
    type Error = serde_json::Error;

    fn ack<T: serde::Serialize>(&mut self, response: &T) -> Result<(), serde_json::Error> {
        self.answer = serde_json::to_value(response)?;
        Ok(())
    }

    fn fault(&mut self, fault: Fault) {
        let response = AckResponse::<(), ()>::Fault { ok: False, fault };
        // A fault is plain data: it always serializes.
        let answer = serde_json::to_value(&response).unwrap_or_default();
        if !self.wants_ack {
            self.socket
                .push(FAULT_EVENT, Value::Array(vec![answer["fault"].clone()]));
        }
        self.answer = answer;
    }
}
