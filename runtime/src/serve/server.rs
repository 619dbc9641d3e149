//! [`Server`]: mounts contracts on socketioxide with safe limits, as a tower layer or a
//! ready-to-run server.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use tracing::Instrument;

use socketioxide::adapter::{Adapter, LocalAdapter};
use socketioxide::extract::SocketRef;
use socketioxide::handler::ConnectHandler;
use socketioxide::layer::SocketIoLayer;
use socketioxide::{ParserConfig, SocketIo, SocketIoBuilder};
use socketioxide_core::adapter::{DefinedAdapter, Spawnable};

use crate::auth::{Authenticated, Refusal};
use crate::contract::Contract;
use crate::contract::{DEFAULT_RATE_LIMIT, RateLimit};
use crate::download::hub::DownloadHub;
use crate::feed::Feeds;
use crate::feed::hub::{FeedHub, SocketFeeds};
use crate::recovery::{self, Journals, Recovery};
use crate::serve::Handlers;
use crate::serve::access::{Access, Origins};
use crate::serve::dispatch::RawAuth;
use crate::serve::limit::{DEFAULT_DISCONNECT_AFTER, Policy};
use crate::serve::middleware::{ErasedMiddleware, Middleware};
use crate::socket::Emitter;
use crate::socket::deferred::{Deferred, Slot};
use crate::upload::hub::UploadHub;

/// An adapter eventwire can serve on: socketioxide's in-memory [`LocalAdapter`] (the
/// default), or its Redis adapter ([`Server::redis`](crate::Server) with the `redis`
/// feature, `Server::redis_cluster` with `redis-cluster`). Write `A: ServerAdapter` to keep
/// app code generic over it.
///
/// ```
/// use eventwire::{Server, ServerAdapter};
///
/// fn with_limits<A: ServerAdapter>(server: Server<A>) -> Server<A> {
///     server.max_message_size(64 * 1024)
/// }
/// # let _ = with_limits(Server::new());
/// ```
pub trait ServerAdapter: Adapter + DefinedAdapter {}

impl<A: Adapter + DefinedAdapter> ServerAdapter for A {}

/// Why a server could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// Another contract is already mounted on this namespace path.
    #[error(
        "cannot mount contract `{contract}` at `{path}`: another contract is already mounted there"
    )]
    NamespaceTaken {
        /// The contract's name.
        contract: &'static str,
        /// The namespace path.
        path: String,
    },
    /// The dynamic namespace path (one with `{parameters}`) is malformed.
    #[error(
        "cannot mount contract `{contract}` at `{path}`: the dynamic path is malformed: {source}"
    )]
    DynamicPath {
        /// The contract's name.
        contract: &'static str,
        /// The namespace path.
        path: String,
        /// socketioxide's router's reason.
        #[source]
        source: socketioxide::NsInsertError,
    },
    /// An earlier description given to [`accept_earlier`](Server::accept_earlier) could
    /// not be read.
    #[error(
        "cannot mount contract `{contract}` at `{path}`: earlier description #{index}: {source}"
    )]
    EarlierDescription {
        /// The contract's name.
        contract: &'static str,
        /// The namespace path.
        path: String,
        /// Which of the earlier descriptions, counted from 0 in the order they were given.
        index: usize,
        /// Why it could not be read.
        #[source]
        source: crate::compat::ShapeError,
    },
}

/// Logs (inside its connection span) and counts a refused connection. `reason` is the
/// rule: `auth`, `origin`, `capacity` or `contract_mismatch`.
fn refused(namespace: &'static str, reason: &'static str, refusal: &Refusal) {
    tracing::info!(reason, refusal = %refusal, "connection refused");
    crate::observe::refused_connection(namespace, reason);
}

/// Why [`Server::serve`] stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// The server could not be built.
    #[error(transparent)]
    Build(#[from] BuildError),
    /// Binding or accepting failed.
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
}

type Mount<A> = Box<
    dyn FnOnce(
            &SocketIo<A>,
            &mut Vec<String>,
            Policy,
            Access,
            Option<Arc<Journals>>,
            &Layers,
        ) -> Result<(), BuildError>
        + Send,
>;

/// The event middleware of each contract: a `Vec<Arc<dyn ErasedMiddleware<C>>>` under `C`'s
/// type id.
type Layers = HashMap<TypeId, Box<dyn Any + Send>>;

/// A socket.io server serving eventwire contracts.
///
/// Limits default to safe values (socketioxide's own defaults let a WebSocket message
/// reach 64 MiB). Each setter documents its default.
///
/// ```no_run
/// use eventwire::{payload, Contract, Cx, Server};
///
/// #[payload] pub struct Ping { n: u32 }
///
/// #[derive(Contract)]
/// pub enum Pinger { #[client(ack = u32)] Ping(Ping) }
///
/// struct App;
/// impl PingerHandlers for App {
///     async fn ping(&self, _: &Cx<Pinger>, ping: Ping) -> u32 { ping.n }
/// }
///
/// # async fn run() -> Result<(), eventwire::ServeError> {
/// // The simplest case, one line:
/// Server::new().contract::<Pinger>(App).serve("127.0.0.1:3000").await?;
///
/// // Or as a tower layer, next to your HTTP routes:
/// let (layer, _io) = Server::new().contract::<Pinger>(App).build()?;
/// let app = axum::Router::<()>::new().layer(layer);
/// # Ok(()) }
/// ```
pub struct Server<A: Adapter = LocalAdapter> {
    builder: SocketIoBuilder<A>,
    mounts: Vec<Mount<A>>,
    /// Event middleware, by contract.
    layers: Layers,
    limits: Limits,
    /// Filled with the socket.io handle when built, for [`Server::emitter`]s.
    handle: Slot,
    /// Every feed of every contract served; sockets reach it through their extensions.
    feeds: Arc<FeedHub>,
    /// Every upload in progress; sockets reach it through their extensions.
    uploads: Arc<UploadHub>,
    /// Every download in progress; sockets reach it through their extensions.
    pub(super) downloads: Arc<DownloadHub>,
}

/// The layer of [`Server::layer`]: socket.io with the server's CORS headers around it.
pub type ServerLayer<A = LocalAdapter> =
    tower::layer::util::Stack<SocketIoLayer<A>, tower_http::cors::CorsLayer>;

/// Limits applied when the server is built.
struct Limits {
    access: Access,
    max_message_size: usize,
    max_binary_attachments: usize,
    packet_completion_timeout: Duration,
    rate_limit: Option<RateLimit>,
    disconnect_after: Option<u32>,
    recovery: Option<Recovery>,
}

/// Default largest message: 1 MiB, for WebSocket messages and polling bodies alike.
pub const DEFAULT_MAX_MESSAGE_SIZE: usize = 1 << 20;

/// Default time the attachments of a binary packet may take to arrive after its header:
/// 10 seconds (socketioxide's is 60, long enough for a client to hold buffers open).
pub const DEFAULT_PACKET_COMPLETION_TIMEOUT: Duration = Duration::from_secs(10);

/// Default largest number of connections (sockets, all namespaces together).
pub const DEFAULT_MAX_CONNECTIONS: usize = 100_000;

/// Default largest number of binary attachments in one packet (socketioxide's is 10,000).
pub const DEFAULT_MAX_BINARY_ATTACHMENTS: usize = 10;

impl Server<LocalAdapter> {
    /// A server with the in-memory adapter (one node).
    pub fn new() -> Self {
        Self::from_builder(SocketIo::builder())
    }
}

impl Server<LocalAdapter> {
    /// Turns on connection state recovery (Socket.IO 4.6's feature): a client that drops
    /// for less than the window gets back its rooms and the server events without ack,
    /// not volatile, that it missed, in order, and learns it (`socket.recovered` with the
    /// generated client, [`Cx::recovered`](crate::Cx::recovered) on the server). Off by
    /// default. Kept in this node's memory, so only on the in-memory adapter: on several
    /// nodes a client may come back to another one.
    ///
    /// The client's auth carries `pid` and `offset` (socket.io-client adds them); they are
    /// taken out before the contract's auth type reads it. See `docs/protocol.md`.
    ///
    /// ```
    /// use eventwire::{Recovery, Server};
    ///
    /// let server = Server::new().connection_state_recovery(Recovery::new());
    /// # let _ = server;
    /// ```
    pub fn connection_state_recovery(mut self, recovery: Recovery) -> Self {
        self.limits.recovery = Some(recovery);
        self
    }
}

impl Default for Server<LocalAdapter> {
    fn default() -> Self {
        Self::new()
    }
}

impl<A: ServerAdapter> Server<A> {
    /// A server on another adapter, e.g. socketioxide's Redis adapter for several nodes;
    /// `state` is the adapter's own state (its connection).
    pub fn with_adapter(state: A::State) -> Self {
        Self::from_builder(SocketIo::builder().with_adapter::<A>(state))
    }

    fn from_builder(builder: SocketIoBuilder<A>) -> Self {
        let limits = Limits {
            access: Access {
                origins: Origins::SameOrigin,
                max_connections: Some(DEFAULT_MAX_CONNECTIONS),
                max_connections_per_ip: None,
                connections: Arc::default(),
                earlier_contracts: Arc::default(),
            },
            max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
            max_binary_attachments: DEFAULT_MAX_BINARY_ATTACHMENTS,
            packet_completion_timeout: DEFAULT_PACKET_COMPLETION_TIMEOUT,
            rate_limit: Some(DEFAULT_RATE_LIMIT),
            disconnect_after: Some(DEFAULT_DISCONNECT_AFTER),
            recovery: None,
        };
        Self {
            builder,
            mounts: Vec::new(),
            layers: HashMap::new(),
            limits,
            handle: Slot::default(),
            feeds: Arc::default(),
            uploads: Arc::default(),
            downloads: Arc::default(),
        }
    }

    /// Largest accepted message, for WebSocket messages, HTTP long-polling bodies and the
    /// binary attachments of one packet together. A client that sends more is disconnected.
    /// Defaults to 1 MiB (socketioxide's own default lets a WebSocket message reach 64 MiB).
    pub fn max_message_size(mut self, bytes: usize) -> Self {
        self.limits.max_message_size = bytes;
        self
    }

    /// Largest number of binary attachments one packet may declare; a packet declaring more
    /// closes the connection. Defaults to 10 (socketioxide's own default is 10,000).
    pub fn max_binary_attachments(mut self, count: usize) -> Self {
        self.limits.max_binary_attachments = count;
        self
    }

    /// How long the attachments of a binary packet may take to arrive after its header.
    /// Defaults to [10 seconds](DEFAULT_PACKET_COMPLETION_TIMEOUT) (socketioxide's own
    /// default is 60).
    pub fn packet_completion_timeout(mut self, timeout: Duration) -> Self {
        self.limits.packet_completion_timeout = timeout;
        self
    }

    /// Which browser origins may connect (checked on every transport, WebSocket included,
    /// when a socket connects to a namespace; refused with `connect_error` "this origin is
    /// not allowed"). Requests without an `Origin` header (server-side clients) are always
    /// allowed. Defaults to [`Origins::SameOrigin`]. [`serve`](Self::serve) also sends the
    /// matching CORS headers for long-polling; with [`build`](Self::build), add
    /// [`cors_layer`](Self::cors_layer) to your router.
    pub fn allowed_origins(mut self, origins: Origins) -> Self {
        self.limits.access.origins = origins;
        self
    }

    /// The CORS layer matching [`allowed_origins`](Self::allowed_origins), for routers built
    /// around [`build`](Self::build)'s layer.
    pub fn cors_layer(&self) -> tower_http::cors::CorsLayer {
        self.limits.access.origins.cors()
    }

    /// Largest number of live connections (sockets, all namespaces together); more are
    /// refused with `connect_error`. `None` lifts the cap. Defaults to 100,000.
    pub fn max_connections(mut self, max: Option<usize>) -> Self {
        self.limits.access.max_connections = max;
        self
    }

    /// Largest number of live connections from one IP address; more are refused with
    /// `connect_error`. Needs the peer address, which [`serve`](Self::serve) provides (with
    /// your own axum server, use `into_make_service_with_connect_info::<SocketAddr>()`).
    /// Without it the cap cannot be kept, so every connection is then refused ("the server
    /// cannot see the client's address") and an error is logged: a forgotten connect-info
    /// fails loudly rather than silently lifting the cap.
    /// Behind a reverse proxy every client shares the proxy's address, so it is off by
    /// default (`None`).
    pub fn max_connections_per_ip(mut self, max: Option<usize>) -> Self {
        self.limits.access.max_connections_per_ip = max;
        self
    }

    /// How many events one socket may send, all kinds together; more are answered with a
    /// `rate_limited` fault carrying `retryAfterMs`, and the handler does not run. `None`
    /// lifts the limit. Defaults to 100 per second (bursts of 100). Events can declare a
    /// stricter limit of their own with `#[client(rate = "5/s")]`.
    pub fn rate_limit(mut self, limit: Option<RateLimit>) -> Self {
        self.limits.rate_limit = limit;
        self
    }

    /// After this many rate-limited events within 10 seconds, the socket is disconnected.
    /// `None` never disconnects. Defaults to 100.
    pub fn disconnect_after_rate_limited(mut self, events: Option<u32>) -> Self {
        self.limits.disconnect_after = events;
        self
    }

    /// How long a server→client `emit_with_ack` waits when the event sets no timeout.
    /// Defaults to 5 seconds.
    pub fn ack_timeout(mut self, timeout: Duration) -> Self {
        self.builder = self.builder.ack_timeout(timeout);
        self
    }

    /// How many packets may wait in one client's outgoing queue; past it, emits to that
    /// client fail with [`EmitError::QueueFull`](crate::EmitError::QueueFull).
    /// Defaults to 128.
    pub fn max_buffer_size(mut self, packets: usize) -> Self {
        self.builder = self.builder.max_buffer_size(packets);
        // A feed's resume replays at most half of it (see `feed_history`).
        self.feeds
            .limits
            .queue
            .store(packets, std::sync::atomic::Ordering::Relaxed);
        self
    }

    /// The read buffer of each WebSocket connection, in bytes. Defaults to 4 KiB
    /// (socketioxide's default). It is held for as long as the connection is open:
    /// measured, 1 KiB lowers the resident memory of an idle connection from about 29.8 KB
    /// to 26.8 KB, at the cost of more reads for messages larger than the buffer.
    ///
    /// ```
    /// let server = eventwire::Server::new().ws_read_buffer_size(1024);
    /// # let _ = server;
    /// ```
    pub fn ws_read_buffer_size(mut self, bytes: usize) -> Self {
        self.builder = self.builder.ws_read_buffer_size(bytes);
        self
    }

    /// Heartbeat: how often the server pings (defaults to 25 seconds) and how long it
    /// waits for the pong before closing (defaults to 20 seconds).
    pub fn heartbeat(mut self, interval: Duration, timeout: Duration) -> Self {
        self.builder = self.builder.ping_interval(interval).ping_timeout(timeout);
        self
    }

    /// How long a client may take to connect to a namespace after the transport opened.
    /// Defaults to 45 seconds.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.builder = self.builder.connect_timeout(timeout);
        self
    }

    /// The HTTP path socket.io is served under. Defaults to `/socket.io`.
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.builder = self.builder.req_path(path.into());
        self
    }

    /// Also accepts clients generated from an earlier version of the contracts, given as
    /// that version's `<stem>.schema.json` (for example a released copy, checked in), for
    /// each contract the current version is compatible with (see [`compat`](crate::compat));
    /// an incompatible one is logged when the server is built and its clients are refused.
    /// Call it once per earlier version. By default only clients generated from the
    /// current contracts pass the fingerprint check (clients that send no fingerprint,
    /// plain socket.io ones, are never checked).
    ///
    /// A generated client sends its fingerprint under [`FINGERPRINT_KEY`](crate::FINGERPRINT_KEY)
    /// in the handshake `auth`; a refused one gets `connect_error` with a message starting
    /// `contract_mismatch:` that names both fingerprints and asks to reload.
    ///
    /// ```no_run
    /// # use eventwire::{payload, Contract, Cx, Server};
    /// # #[payload] pub struct Ping { n: u32 }
    /// # #[derive(Contract)] pub enum Pinger { #[client(ack = u32)] Ping(Ping) }
    /// # struct App;
    /// # impl PingerHandlers for App { async fn ping(&self, _: &Cx<Pinger>, p: Ping) -> u32 { p.n } }
    /// # let released = String::new();
    /// // `released`: e.g. include_str!("../contract/1.0/pinger.schema.json")
    /// let server = Server::new().contract::<Pinger>(App).accept_earlier(released);
    /// ```
    pub fn accept_earlier(mut self, schema_document: impl Into<String>) -> Self {
        Arc::make_mut(&mut self.limits.access.earlier_contracts).push(schema_document.into());
        self
    }

    /// How many feed subscriptions one socket may hold at once; one more is refused with
    /// a `subscription_limit` fault. Defaults to 100.
    pub fn max_subscriptions_per_socket(self, max: usize) -> Self {
        self.feeds
            .limits
            .max_per_socket
            .store(max, std::sync::atomic::Ordering::Relaxed);
        self
    }

    /// How many changes a subscription buffers while its handler loads the snapshot;
    /// past it, the subscription ends with reason `overflow` right after its snapshot
    /// (the client may subscribe again). Defaults to 1,000.
    pub fn subscription_buffer(self, changes: usize) -> Self {
        self.feeds
            .limits
            .buffer
            .store(changes, std::sync::atomic::Ordering::Relaxed);
        self
    }

    /// How many recent changes each feed keeps so that a subscriber that lost its
    /// connection resumes from its last offset (the generated client does it on
    /// reconnect): the missed changes are replayed, in order, and live ones follow. A
    /// subscriber that missed more, or an older change, gets a fresh snapshot instead (a
    /// resync). Defaults to 1,000 ([`feed::DEFAULT_HISTORY_LENGTH`](crate::feed::DEFAULT_HISTORY_LENGTH)); 0 keeps none.
    /// The replay is queued for the socket at once, so a resume also replays at most
    /// [`subscription_buffer`](Self::subscription_buffer) changes and half of
    /// [`max_buffer_size`](Self::max_buffer_size) (64 by default), a half shared by the
    /// resumes of one connection; more is a resync. For long catch-ups raise all three.
    ///
    /// ```
    /// let server = eventwire::Server::new()
    ///     .max_buffer_size(20_000)
    ///     .subscription_buffer(10_000)
    ///     .feed_history(10_000)
    ///     .feed_history_age(std::time::Duration::from_secs(300));
    /// # let _ = server;
    /// ```
    pub fn feed_history(self, changes: usize) -> Self {
        self.feeds
            .limits
            .history_length
            .store(changes, std::sync::atomic::Ordering::Relaxed);
        self
    }

    /// How long each feed keeps a change for resuming subscribers (see
    /// [`feed_history`](Self::feed_history)). Defaults to 2 minutes
    /// ([`feed::DEFAULT_HISTORY_AGE`](crate::feed::DEFAULT_HISTORY_AGE)), Socket.IO's
    /// connection state recovery window.
    pub fn feed_history_age(self, age: Duration) -> Self {
        let millis = u64::try_from(age.as_millis()).unwrap_or(u64::MAX);
        self.feeds
            .limits
            .history_age_ms
            .store(millis, std::sync::atomic::Ordering::Relaxed);
        self
    }

    /// The largest upload accepted, in bytes; a larger one is refused before its first byte
    /// with a `transfer_limit` fault. An upload may declare a smaller limit of its own
    /// (`#[upload(max_size = N)]`). Defaults to 128 MiB.
    ///
    /// ```
    /// let server = eventwire::Server::new()
    ///     .max_upload_size(1 << 30)
    ///     .upload_window(16);
    /// # let _ = server;
    /// ```
    pub fn max_upload_size(self, bytes: u64) -> Self {
        self.uploads.limits.max_size.store(bytes, Ordering::Relaxed);
        self
    }

    /// The most bytes one connection may have in uploads in progress at once (the sum of
    /// their declared sizes); one more is refused with a `transfer_limit` fault. Defaults
    /// to 512 MiB.
    pub fn max_upload_bytes_per_socket(self, bytes: u64) -> Self {
        self.uploads
            .limits
            .max_bytes_per_socket
            .store(bytes, Ordering::Relaxed);
        self
    }

    /// How many uploads one connection may have in progress at once; one more is refused
    /// with a `transfer_limit` fault. Defaults to 4.
    pub fn max_uploads_per_socket(self, max: usize) -> Self {
        self.uploads.limits.transfer.set_max_per_socket(max);
        self
    }

    /// How many uploads the server receives at once, from all connections; one more is
    /// refused with a `transfer_limit` fault. Defaults to 1,000.
    pub fn max_uploads(self, max: usize) -> Self {
        self.uploads.limits.transfer.set_max_total(max);
        self
    }

    /// The largest chunk of an upload, in bytes; clients cut files into chunks of this size
    /// (the start's answer tells them). Capped to fit in
    /// [`max_message_size`](Self::max_message_size) over both transports (over long-polling
    /// binary travels as base64), and trimmed where socket.io-client's estimate of base64
    /// would pack one chunk too many into a polling request. Defaults to 256 KiB (trimmed to
    /// about 255 KiB under the default 1 MiB message limit).
    pub fn upload_chunk_size(self, bytes: usize) -> Self {
        self.uploads.limits.transfer.set_chunk_size(bytes);
        self
    }

    /// How many chunks of one upload may be in flight (sent, not yet acknowledged); a
    /// client may ask for fewer. The server holds at most this many chunks per upload.
    /// Defaults to 8.
    pub fn upload_window(self, chunks: usize) -> Self {
        self.uploads.limits.transfer.set_window(chunks);
        self
    }

    /// How long an upload waits for its client (a lost connection, a client that stopped
    /// sending) before it is freed and its handler's stream yields
    /// [`UploadError::Abandoned`](crate::UploadError::Abandoned); a reconnecting client
    /// resumes it within this time. Defaults to 60 seconds.
    pub fn upload_timeout(self, timeout: Duration) -> Self {
        self.uploads.limits.transfer.set_timeout(timeout);
        self
    }

    /// The feeds of contract `C` on this server, to publish changes from anywhere (a
    /// background task, an HTTP route). Call it before or after mounting `C`; every
    /// handle of one server publishes to the same subscriptions.
    ///
    /// ```
    /// # use eventwire::{payload, Contract, Cx, Filter, Server, feed::Refused};
    /// # #[payload] #[derive(Clone)] pub struct Task { pub id: u32 }
    /// # #[payload] #[derive(Filter)] #[serde(deny_unknown_fields)] #[filter(item = Task)]
    /// # pub struct TaskFilter { #[filter(eq)] pub id: Option<u32> }
    /// # #[derive(Contract)] pub enum Board { #[feed(item = Task, key = id, filter = TaskFilter)] Tasks }
    /// # struct App;
    /// # impl BoardHandlers for App {
    /// #     async fn subscribe_tasks(&self, _: &Cx<Board>, _: &mut TaskFilter) -> Result<Vec<Task>, Refused> { Ok(vec![]) }
    /// # }
    /// let server = Server::new();
    /// let feeds = server.feeds::<Board>();
    /// let server = server.contract::<Board>(App);
    /// feeds.feed(Board::tasks()).created(Task { id: 1 });
    /// # let _ = server;
    /// ```
    pub fn feeds<C: Contract>(&self) -> Feeds<C> {
        Feeds::new(self.feeds.clone())
    }

    /// Every feed of this server.
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    pub(crate) fn feed_hub(&self) -> &Arc<FeedHub> {
        &self.feeds
    }

    /// Wraps every event of contract `C` in `middleware` (see [`Middleware`]), wherever
    /// `C` is mounted. The first middleware added runs outermost: it sees the event first
    /// and the outcome last. Without middleware, dispatch pays nothing for the feature.
    /// (Not to be confused with [`layer`](Self::layer), which is the server as a tower layer.)
    ///
    /// ```
    /// # use eventwire::{payload, Contract, Cx, Event, Fault, Handled, Middleware, Next, Server};
    /// # #[payload] pub struct Ping { n: u32 }
    /// # #[derive(Contract)] pub enum Pinger { #[client(ack = u32)] Ping(Ping) }
    /// # struct App;
    /// # impl PingerHandlers for App { async fn ping(&self, _: &Cx<Pinger>, p: Ping) -> u32 { p.n } }
    /// struct Log;
    /// impl Middleware<Pinger> for Log {
    ///     async fn call(&self, event: &Event<'_, Pinger>, next: Next<'_, Pinger>) -> Result<Handled, Fault> {
    ///         let handled = next.run().await;
    ///         println!("{}: {}", event.name(), handled.outcome().as_str());
    ///         Ok(handled)
    ///     }
    /// }
    /// let server = Server::new().contract::<Pinger>(App).middleware::<Pinger>(Log);
    /// # let _ = server;
    /// ```
    pub fn middleware<C: Contract>(mut self, middleware: impl Middleware<C>) -> Self {
        let middleware: Arc<dyn ErasedMiddleware<C>> = Arc::new(middleware);
        if let Some(chain) = self
            .layers
            .entry(TypeId::of::<C>())
            .or_insert_with(|| Box::new(Vec::<Arc<dyn ErasedMiddleware<C>>>::new()))
            .downcast_mut::<Vec<Arc<dyn ErasedMiddleware<C>>>>()
        {
            chain.push(middleware);
        }
        self
    }

    /// Serves contract `C` on its namespace with these handlers.
    pub fn contract<C: Contract>(self, handlers: impl Handlers<C>) -> Self {
        self.contract_at::<C>(C::NAMESPACE, handlers)
    }

    /// Serves contract `C` on another namespace path. A path with parameters, such as
    /// `/{tenant}/chat`, is a dynamic namespace: every concrete path that matches gets its
    /// own namespace (rooms and broadcasts do not cross between them), and handlers read it
    /// with [`Cx::namespace`](crate::Cx::namespace).
    pub fn contract_at<C: Contract>(
        mut self,
        path: impl Into<String>,
        handlers: impl Handlers<C>,
    ) -> Self {
        let path = path.into();
        let handlers = Arc::new(handlers);
        let feeds = self.feeds.clone();
        let uploads = self.uploads.clone();
        let downloads = self.downloads.clone();
        self.mounts.push(Box::new(
            move |io: &SocketIo<A>,
                  taken: &mut Vec<String>,
                  policy: Policy,
                  access: Access,
                  journals: Option<Arc<Journals>>,
                  layers: &Layers| {
                let policy = Policy {
                    ordered: C::ORDERED,
                    ..policy
                };
                let middleware = layers
                    .get(&TypeId::of::<C>())
                    .and_then(|chain| chain.downcast_ref::<Vec<Arc<dyn ErasedMiddleware<C>>>>())
                    .cloned()
                    .unwrap_or_default();
                // Metric labels are `&'static`: one small leak per mounted contract, so that
                // no label is built per event.
                let label: &'static str = Box::leak(path.clone().into_boxed_str());
                let shared = Handlers::<C>::shared(&*handlers, label, policy, middleware);
                if taken.contains(&path) {
                    return Err(BuildError::NamespaceTaken {
                        contract: C::NAME,
                        path,
                    });
                }
                taken.push(path.clone());
                let fingerprints = Arc::new(
                    crate::serve::fingerprint::Fingerprints::new::<C>(
                        &path,
                        &access.earlier_contracts,
                    )
                    .map_err(|(index, source)| {
                        BuildError::EarlierDescription {
                            contract: C::NAME,
                            path: path.clone(),
                            index,
                            source,
                        }
                    })?,
                );
                // Authentication and the event entry happen in a connect middleware:
                // middlewares run before the server confirms the connection (`40`), so a
                // refused client never sees it and no event can arrive before the entry exists.
                // Room for the replay of missed events in the socket's queue, next to the
                // greeting and the CONNECT reply.
                let replay_limit = io.config().engine_config.max_buffer_size.saturating_sub(4);
                let register = move |socket: SocketRef<A>, RawAuth(auth): RawAuth| {
                    let handlers = handlers.clone();
                    let shared = shared.clone();
                    let feeds = feeds.clone();
                    let uploads = uploads.clone();
                    let downloads = downloads.clone();
                    let span = tracing::info_span!(
                        "connection",
                        namespace = %socket.ns(),
                        socket = %socket.id,
                        transport = ?socket.transport_type(),
                        identity = tracing::field::Empty,
                    );
                    let admitted = span.in_scope(|| access.admit(socket.req_parts()));
                    let journals = journals.clone();
                    // Recovery's `pid`/`offset` and the fingerprint are eventwire's keys:
                    // both leave the auth before the contract's auth type reads it.
                    let (auth, claim) = match &journals {
                        Some(_) => recovery::split_auth(auth),
                        None => (auth, Default::default()),
                    };
                    let auth = fingerprints.check(auth);
                    async move {
                        // Kept in the socket, released when it is dropped.
                        let admitted = admitted.map_err(|denied| {
                            refused(label, denied.reason, &denied.refusal);
                            denied.refusal
                        })?;
                        socket.extensions.insert(admitted);
                        let auth = auth
                            .inspect_err(|refusal| refused(label, "contract_mismatch", refusal))?;
                        let identity = handlers
                            .clone()
                            .authenticate(auth)
                            .await
                            .inspect_err(|refusal| refused(label, "auth", refusal))?;
                        if let Some(identity) = C::describe_identity(&identity) {
                            tracing::Span::current().record("identity", identity);
                        }
                        let expires_at = C::expires_at(&identity);
                        socket.extensions.insert(Authenticated::<C>(identity));
                        socket.extensions.insert(SocketFeeds::new(feeds));
                        socket.extensions.insert(uploads);
                        socket.extensions.insert(downloads);
                        handlers.install(&socket, &shared, tracing::Span::current());
                        if let Some(at) = expires_at {
                            crate::serve::dispatch::disconnect_at(&socket, at);
                        }
                        // Last: from here until the connect handler, emits to this
                        // namespace wait, so none falls between the replay and live.
                        if let Some(journals) = journals {
                            let journal = journals.of(socket.ns());
                            let admission = recovery::admit(journal, claim, replay_limit).await;
                            recovery::admitted(&socket, admission);
                        }
                        tracing::info!("connected");
                        Ok::<(), Refusal>(())
                    }
                    .instrument(span)
                };
                let on_connect = (|socket: SocketRef<A>| {
                    recovery::connected(&socket);
                    async {}
                })
                .with(register);
                if path.contains('{') {
                    io.dyn_ns(path.clone(), on_connect)
                        .map_err(|source| BuildError::DynamicPath {
                            contract: C::NAME,
                            path,
                            source,
                        })
                } else {
                    io.ns(path.clone(), on_connect).spawn();
                    Ok(())
                }
            },
        ));
        self
    }

    /// An [`Emitter`] of contract `C`'s namespace, taken before the server runs: for apps
    /// that call [`serve`](Self::serve), which never returns the socket.io handle. It works
    /// once the server is built (by `serve`, `serve_on`, [`layer`](Self::layer) or
    /// [`build`](Self::build)); before that, and if `C` is not mounted, its emits fail with
    /// an [`EmitError`](crate::EmitError) saying so.
    ///
    /// ```no_run
    /// use eventwire::{payload, Contract, Server};
    ///
    /// #[payload] pub struct Tick { n: u32 }
    /// #[derive(Contract)]
    /// #[contract(namespace = "/clock")]
    /// pub enum Clock { #[server] Tick(Tick) }
    /// impl ClockHandlers for () {}
    ///
    /// # async fn run() -> Result<(), eventwire::ServeError> {
    /// let server = Server::new().contract::<Clock>(());
    /// let clock = server.emitter::<Clock>();
    /// tokio::spawn(async move {
    ///     for n in 0.. {
    ///         let _ = clock.emit(Clock::tick(Tick { n })).await;
    ///         tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    ///     }
    /// });
    /// server.serve("127.0.0.1:3000").await
    /// # }
    /// ```
    pub fn emitter<C: Contract>(&self) -> Emitter<C> {
        Emitter::deferred(Deferred {
            slot: self.handle.clone(),
            path: C::NAMESPACE.to_owned(),
        })
    }

    /// Builds the layer to add to an axum (or any tower/hyper) app: socket.io with every
    /// limit, inside the CORS headers of [`allowed_origins`](Self::allowed_origins), and the
    /// socket.io handle for [`Emitter`](crate::Emitter)s. This is the way to serve inside
    /// your own axum app without losing a protection; add it as the router's last
    /// (outermost) layer, and serve with connect-info so
    /// [`max_connections_per_ip`](Self::max_connections_per_ip) sees client addresses.
    ///
    /// ```no_run
    /// use std::net::SocketAddr;
    /// use axum::routing::{get, post};
    /// use axum::serve::ListenerExt;
    /// use eventwire::{payload, Contract, Emitter, Server};
    ///
    /// #[payload] pub struct Notice { text: String }
    /// #[derive(Contract)]
    /// #[contract(namespace = "/news")]
    /// pub enum News { #[server] Notice(Notice) }
    /// impl NewsHandlers for () {}
    ///
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// let (layer, io) = Server::new()
    ///     .max_connections_per_ip(Some(20))
    ///     .contract::<News>(())
    ///     .layer()?;
    /// let news = Emitter::<News>::new(&io).expect("mounted above");
    /// let app = axum::Router::new()
    ///     .route("/health", get(|| async { "ok" }))
    ///     // An HTTP route that emits to every socket of the namespace.
    ///     .route("/announce", post(move |text: String| async move {
    ///         match news.emit(News::notice(Notice { text })).await {
    ///             Ok(()) => "sent".to_owned(),
    ///             Err(error) => error.to_string(),
    ///         }
    ///     }))
    ///     .layer(layer);
    /// // Frames go out at once, as with `serve`: axum leaves Nagle's algorithm on.
    /// let listener = tokio::net::TcpListener::bind("127.0.0.1:3000")
    ///     .await?
    ///     .tap_io(|tcp| { let _ = tcp.set_nodelay(true); });
    /// // Connect-info gives the per-IP cap its addresses; graceful shutdown when told
    /// // (`tokio::signal::ctrl_c()` is the usual trigger).
    /// let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    /// # drop(stop);
    /// axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
    ///     .with_graceful_shutdown(async { let _ = stopped.await; })
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn layer(self) -> Result<(ServerLayer<A>, SocketIo<A>), BuildError> {
        let cors = self.cors_layer();
        let (layer, io) = self.build()?;
        Ok((tower::layer::util::Stack::new(layer, cors), io))
    }

    /// Builds the bare socket.io tower layer and the socket.io handle. Prefer
    /// [`layer`](Self::layer), which also carries the CORS headers of
    /// [`allowed_origins`](Self::allowed_origins); with this one, add
    /// [`cors_layer`](Self::cors_layer) yourself.
    pub fn build(self) -> Result<(SocketIoLayer<A>, SocketIo<A>), BuildError> {
        let Limits {
            access,
            max_message_size,
            max_binary_attachments,
            packet_completion_timeout,
            rate_limit,
            disconnect_after,
            recovery,
        } = self.limits;
        for transfers in [&self.uploads.limits.transfer, &self.downloads.limits] {
            transfers.fit_chunks_to(max_message_size);
        }
        let policy = Policy {
            ordered: false,
            per_socket: rate_limit,
            disconnect_after,
        };
        let parser = ParserConfig::common()
            .max_incoming_binaries(max_binary_attachments)
            .max_incoming_binary_buf_size(max_message_size)
            .packet_completion_timeout(packet_completion_timeout);
        let (layer, io) = self
            .builder
            .ws_max_message_size(max_message_size)
            .ws_max_frame_size(max_message_size)
            .max_payload(max_message_size as u64)
            .with_parser(parser)
            .build_layer();
        let journals = recovery.map(|config| {
            let journals = Arc::new(Journals::new(config));
            recovery::register(recovery::server_key(&io), &journals);
            journals
        });
        let mut taken = Vec::new();
        for mount in self.mounts {
            mount(
                &io,
                &mut taken,
                policy,
                access.clone(),
                journals.clone(),
                &self.layers,
            )?;
        }
        // A server is built once (`build` consumes it), so the slot is empty here.
        let _ = self.handle.set(Box::new(io.clone()));
        Ok((layer, io))
    }

    /// Binds `addr` and serves until the process ends. For more control (HTTP routes next
    /// to socket.io, graceful shutdown), use [`layer`](Self::layer) with axum; to emit from
    /// outside handlers, take an [`emitter`](Self::emitter) first.
    pub async fn serve(self, addr: impl tokio::net::ToSocketAddrs) -> Result<(), ServeError> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        self.serve_on(listener).await
    }

    /// Serves on a listener already bound (e.g. to port 0, to learn the port first).
    pub async fn serve_on(self, listener: tokio::net::TcpListener) -> Result<(), ServeError> {
        let (layer, _io) = self.layer()?;
        let app = axum::Router::<()>::new().layer(layer);
        // The peer address feeds `max_connections_per_ip`.
        let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
        // Every packet is written as soon as it is queued: with Nagle's algorithm a small
        // frame waits for the peer's (delayed) ACK of the previous one, up to 40 ms on
        // Linux. axum's `serve` leaves the socket as accepted.
        let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
            if let Err(error) = tcp.set_nodelay(true) {
                tracing::debug!(%error, "cannot set TCP_NODELAY on a connection");
            }
        });
        axum::serve(listener, app).await?;
        Ok(())
    }
}
