//! Several nodes behind one logical server, through socketioxide's Redis adapter.
//!
//! With the `redis` feature, [`Server::redis`] shares rooms and broadcasts through one
//! Redis 7 server (RESP3):
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let server = eventwire::Server::redis("redis://127.0.0.1:6379").await?;
//! # let _ = server;
//! # Ok(()) }
//! ```
//!
//! With the `redis-cluster` feature, `Server::redis_cluster` does the same through a Redis 7
//! Cluster, given the URLs of some of its nodes. Messages go through sharded pub/sub
//! (`SPUBLISH`/`SSUBSCRIBE`): each channel lives on the node that serves its slot, so a
//! namespace's broadcasts all pass through one cluster node. When a node restarts, the
//! adapter subscribes again by itself. Everything else, including the `RedisCluster` adapter
//! type for generic code (`A: ServerAdapter`), works as with one server.
#![cfg_attr(
    feature = "redis-cluster",
    doc = r#"
```no_run
# async fn run() -> Result<(), Box<dyn std::error::Error>> {
let server = eventwire::Server::redis_cluster(["redis://10.0.0.1:6379", "redis://10.0.0.2:6379"]).await?;
# let _ = server;
# Ok(()) }
```
"#
)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{AsyncCommands, FromRedisValue, PushInfo, PushKind};
use socketioxide::adapter::Emitter;
use socketioxide_redis::drivers::{ChanItem, Driver, MessageStream};
use socketioxide_redis::{CustomRedisAdapter, RedisAdapterConfig, RedisAdapterCtr};
use tokio::sync::mpsc;

use crate::Server;

/// The adapter [`Server::redis`] uses: socketioxide-redis over a connection that survives
/// Redis restarts.
pub type Redis = CustomRedisAdapter<Emitter, ReconnectingDriver>;

/// Why the Redis adapter could not start.
#[derive(Debug, thiserror::Error)]
#[error("cannot use Redis at {url}: {source}")]
pub struct RedisError {
    url: String,
    #[source]
    source: redis::RedisError,
}

#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
impl Server<Redis> {
    /// A server whose rooms and broadcasts span every node connected to the same Redis 7
    /// (the adapter speaks RESP3: `protocol=resp3` is added to the URL when it does not
    /// say). Handlers and contracts are unchanged: only this line differs from
    /// [`Server::new`]. The connection reconnects and re-subscribes when Redis restarts;
    /// broadcasts during the outage fail (`emit` returns an error) rather than vanish.
    ///
    /// Feeds span the nodes too, on Redis Streams: a change published on any node reaches
    /// the matching subscribers on every node, in offset order, and a subscriber that fails
    /// over to another node resumes there (see [`feed`](crate::feed)).
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// let server = eventwire::Server::redis("redis://127.0.0.1:6379").await?;
    /// # let _ = server;
    /// # Ok(()) }
    /// ```
    pub async fn redis(url: &str) -> Result<Self, RedisError> {
        let url = with_resp3(url);
        let error = |source| RedisError {
            url: url.clone(),
            source,
        };
        // Commands and pushes are small and latency is the point: no Nagle's algorithm
        // (redis-rs leaves it on by default).
        let info = redis::IntoConnectionInfo::into_connection_info(url.as_str())
            .map_err(error)?
            .set_tcp_settings(redis::io::tcp::TcpSettings::default().set_nodelay(true));
        let client = redis::Client::open(info).map_err(error)?;
        let driver = ReconnectingDriver::new(&client).await.map_err(error)?;
        let server = Server::with_adapter(RedisAdapterCtr::new_with_driver(
            driver,
            RedisAdapterConfig::default(),
        ));
        let hub = server.feed_hub();
        let streams = crate::feed::streams::Streams::connect(client, hub.limits.clone())
            .await
            .map_err(error)?;
        let _ = hub.streams.set(streams);
        Ok(server)
    }
}

/// `url` with `protocol=resp3` unless it names a protocol: the adapter subscribes through
/// RESP3 push messages.
fn with_resp3(url: &str) -> String {
    if url.contains("protocol=") {
        url.to_owned()
    } else {
        format!(
            "{url}{}protocol=resp3",
            if url.contains('?') { "&" } else { "?" }
        )
    }
}

#[cfg(feature = "redis-cluster")]
mod cluster;
#[cfg(feature = "redis-cluster")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis-cluster")))]
pub use cluster::{ReconnectingClusterDriver, RedisCluster};

/// The channels an adapter listens to, each with the queue its messages go to: the part
/// of a driver that [`ReconnectingDriver`] and the cluster driver share (as socketioxide-redis's
/// own drivers do).
///
/// A queue holds at most the adapter's `stream_buffer` messages (1024 by default). Redis
/// hands messages to a callback that must not block (it runs on the connection's reader),
/// so a full queue cannot push back: the message is dropped, counted in
/// [`dropped`](Self::dropped) and logged at error level, since a room on this node then
/// misses a broadcast. Growing the queue without bound instead would let one stalled node
/// eat its memory.
#[derive(Clone, Default)]
struct Channels {
    queues: Arc<RwLock<HashMap<String, mpsc::Sender<ChanItem>>>>,
    dropped: Arc<AtomicU64>,
}

impl Channels {
    /// Starts queueing `chan`'s messages (at most `size` waiting). Called before
    /// subscribing, so that no message that Redis delivers once the subscription holds
    /// finds no queue.
    fn open(&self, chan: String, size: usize) -> MessageStream<ChanItem> {
        let (tx, rx) = mpsc::channel(size);
        self.write().insert(chan, tx);
        MessageStream::new(rx)
    }

    /// Stops queueing `chan`'s messages.
    fn close(&self, chan: &str) {
        self.write().remove(chan);
    }

    /// Whether the adapter listens to `chan`.
    #[cfg(feature = "redis-cluster")]
    fn contains(&self, chan: &str) -> bool {
        self.read().contains_key(chan)
    }

    /// How many messages were dropped because their queue was full.
    fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// Hands a message pushed by Redis to its channel's queue; ignores other pushes.
    fn deliver(&self, msg: PushInfo) {
        if !matches!(msg.kind, PushKind::Message | PushKind::SMessage) || msg.data.len() < 2 {
            return;
        }
        let mut data = msg.data.into_iter();
        let (Some(chan), Some(payload)) = (data.next(), data.next()) else {
            return;
        };
        let (Ok(chan), Ok(payload)) = (
            String::from_redis_value(chan),
            Vec::<u8>::from_redis_value(payload),
        ) else {
            tracing::error!("unreadable message from redis");
            return;
        };
        let sent = match self.read().get(&chan) {
            Some(tx) => tx.try_send((chan, payload)),
            None => return,
        };
        match sent {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full((chan, _))) => {
                let dropped = self.dropped.fetch_add(1, Ordering::Relaxed) + 1;
                // Logged at the 1st, 2nd, 4th, 8th... drop: loud, but a flood of drops
                // does not become a flood of log lines.
                if dropped.is_power_of_two() {
                    tracing::error!(
                        chan,
                        dropped,
                        "a message from redis was dropped: this node's queue for the channel \
                         is full, so its sockets miss a broadcast"
                    );
                }
            }
            // The adapter stopped reading the channel: nobody is left to miss it.
            Err(mpsc::error::TrySendError::Closed(_)) => {}
        }
    }

    fn read(&self) -> RwLockReadGuard<'_, HashMap<String, mpsc::Sender<ChanItem>>> {
        self.queues.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, HashMap<String, mpsc::Sender<ChanItem>>> {
        self.queues.write().unwrap_or_else(|e| e.into_inner())
    }
}

/// A socketioxide-redis driver on redis-rs's [`ConnectionManager`], which reconnects and
/// re-subscribes after Redis restarts. (socketioxide-redis 0.4's own driver keeps one
/// multiplexed connection and never recovers: measured, every broadcast failed for as long
/// as the test ran after a restart.) The channel handling is the upstream driver's.
///
/// [`Server::redis`] builds it; build it yourself only to pass it to socketioxide-redis:
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use eventwire::redis::ReconnectingDriver;
/// use socketioxide_redis::{RedisAdapterConfig, RedisAdapterCtr};
///
/// let client = redis::Client::open("redis://127.0.0.1:6379?protocol=resp3")?;
/// let driver = ReconnectingDriver::new(&client).await?;
/// let adapter = RedisAdapterCtr::new_with_driver(driver, RedisAdapterConfig::default());
/// # let _ = adapter;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct ReconnectingDriver {
    channels: Channels,
    conn: ConnectionManager,
}

impl ReconnectingDriver {
    /// Connects, delivering subscribed messages to the adapter's channels.
    pub async fn new(client: &redis::Client) -> Result<Self, redis::RedisError> {
        let channels = Channels::default();
        let deliver = channels.clone();
        let config = ConnectionManagerConfig::new()
            .set_automatic_resubscription()
            .set_push_sender(move |msg: PushInfo| {
                deliver.deliver(msg);
                Ok::<(), std::convert::Infallible>(())
            });
        let conn = client.get_connection_manager_with_config(config).await?;
        Ok(Self { channels, conn })
    }

    /// How many messages from Redis this driver (and its clones) dropped because the
    /// adapter's queue for their channel was full; each is a broadcast some local sockets
    /// missed. Every drop is also logged at error level (the 1st, 2nd, 4th, 8th...). A
    /// steady count means the node cannot keep up: give it more CPU, or a larger
    /// `RedisAdapterConfig::with_stream_buffer` (1024 by default).
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// use eventwire::redis::ReconnectingDriver;
    /// use socketioxide_redis::{RedisAdapterConfig, RedisAdapterCtr};
    ///
    /// let client = redis::Client::open("redis://127.0.0.1:6379?protocol=resp3")?;
    /// let driver = ReconnectingDriver::new(&client).await?;
    /// let watched = driver.clone(); // shares the count
    /// let server: eventwire::Server<eventwire::redis::Redis> = eventwire::Server::with_adapter(RedisAdapterCtr::new_with_driver(
    ///     driver,
    ///     RedisAdapterConfig::default(),
    /// ));
    /// # let _ = server;
    /// assert_eq!(watched.dropped_messages(), 0);
    /// # Ok(()) }
    /// ```
    pub fn dropped_messages(&self) -> u64 {
        self.channels.dropped()
    }
}

impl Driver for ReconnectingDriver {
    type Error = redis::RedisError;

    async fn publish(&self, chan: String, val: Vec<u8>) -> Result<(), Self::Error> {
        self.conn
            .clone()
            .publish::<_, _, redis::Value>(chan, val)
            .await?;
        Ok(())
    }

    async fn subscribe(
        &self,
        chan: String,
        size: usize,
    ) -> Result<MessageStream<ChanItem>, Self::Error> {
        // The queue first: messages arrive as soon as Redis holds the subscription, which
        // can be before `subscribe` returns here.
        let stream = self.channels.open(chan.clone(), size);
        if let Err(error) = self.conn.clone().subscribe(chan.as_str()).await {
            self.channels.close(&chan);
            return Err(error);
        }
        Ok(stream)
    }

    async fn unsubscribe(&self, chan: String) -> Result<(), Self::Error> {
        self.channels.close(&chan);
        self.conn.clone().unsubscribe(chan).await?;
        Ok(())
    }

    async fn num_serv(&self, chan: &str) -> Result<u16, Self::Error> {
        let (_, count): (String, u16) = redis::cmd("PUBSUB")
            .arg("NUMSUB")
            .arg(chan)
            .query_async(&mut self.conn.clone())
            .await?;
        Ok(count)
    }
}
