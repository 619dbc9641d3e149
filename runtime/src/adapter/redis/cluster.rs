//! The Redis Cluster adapter: sharded pub/sub, re-subscribed one channel at a time.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use redis::cluster::{ClusterClient, ClusterConfig};
use redis::cluster_async::ClusterConnection;
use redis::{AsyncCommands, FromRedisValue, PushInfo, PushKind};
use socketioxide::adapter::Emitter;
use socketioxide_redis::drivers::{ChanItem, Driver, MessageStream};
use socketioxide_redis::{CustomRedisAdapter, RedisAdapterConfig, RedisAdapterCtr};
use tokio::sync::Notify;

use super::{Channels, RedisError, with_resp3};
use crate::Server;

/// The adapter [`Server::redis_cluster`] uses: socketioxide-redis over a Redis Cluster
/// (sharded pub/sub), on connections that re-subscribe when a cluster node restarts.
pub type RedisCluster = CustomRedisAdapter<Emitter, ReconnectingClusterDriver>;

#[cfg_attr(docsrs, doc(cfg(feature = "redis-cluster")))]
impl Server<RedisCluster> {
    /// A server whose rooms and broadcasts span every node connected to the same Redis 7
    /// Cluster, given the URLs of some of the cluster's nodes (it finds the others). As with
    /// [`Server::redis`], `protocol=resp3` is added to each URL that does not name a
    /// protocol, and handlers and contracts are unchanged. Broadcasts go through sharded
    /// pub/sub (`SPUBLISH`, `SSUBSCRIBE`); the adapter re-subscribes when a cluster node
    /// restarts, and a broadcast that cannot be published meanwhile fails (`emit` returns
    /// an error). Unlike with [`Server::redis`], one broadcast published just as the node
    /// comes back can be missed, without an error, by a node that has not subscribed again
    /// yet (measured: one broadcast, in 3 restarts of 11).
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// let server = eventwire::Server::redis_cluster([
    ///     "redis://127.0.0.1:7000",
    ///     "redis://127.0.0.1:7001",
    ///     "redis://127.0.0.1:7002",
    /// ])
    /// .await?;
    /// # let _ = server;
    /// # Ok(()) }
    /// ```
    pub async fn redis_cluster<U: AsRef<str>>(
        urls: impl IntoIterator<Item = U>,
    ) -> Result<Self, RedisError> {
        let urls: Vec<String> = urls
            .into_iter()
            .map(|url| with_resp3(url.as_ref()))
            .collect();
        let error = |source| RedisError {
            url: urls.join(", "),
            source,
        };
        let client = ClusterClient::new(urls.clone()).map_err(error)?;
        let driver = ReconnectingClusterDriver::new(&client)
            .await
            .map_err(error)?;
        Ok(Server::with_adapter(RedisAdapterCtr::new_with_driver(
            driver,
            RedisAdapterConfig::default(),
        )))
    }
}

/// A socketioxide-redis driver for a Redis Cluster that keeps its subscriptions when a
/// cluster node restarts.
///
/// socketioxide-redis 0.4's own `ClusterDriver` subscribes to all its channels on one
/// redis-rs cluster connection, and redis-rs 1.8 re-subscribes a reconnected node with a
/// single `SSUBSCRIBE` naming all the channels that node serves, which Redis refuses
/// (`CROSSSLOT`) as soon as they hash to different slots, as the adapter's do. Measured with
/// that driver: after one node was down for a second, every broadcast through it was
/// published, answered as sent, and lost until the test ended. (The same mistake in other
/// clients: <https://github.com/redis/node-redis/issues/2902>,
/// <https://github.com/redis/redis-py/pull/4038>.) Re-subscribing ourselves on the shared
/// connection is not enough either: redis-rs replaces a node's connection without telling,
/// and in two test runs of nine one of the two nodes stayed unsubscribed.
///
/// So this driver gives each subscribed channel a cluster connection of its own, whose
/// re-subscription then names one channel and succeeds, and it also subscribes again itself
/// (retrying until it succeeds) as soon as a connection drops, which narrows the time in
/// which a broadcast can reach a node that has not re-subscribed yet, or when Redis ends a
/// subscription because its slot moved. Publishing and queries use one more connection. A
/// node's adapter subscribes to three channels per namespace, so it keeps
/// `3 × namespaces + 1` cluster connections, each with one socket per cluster master.
///
/// [`Server::redis_cluster`] builds it; build it yourself only to pass it to
/// socketioxide-redis:
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use eventwire::redis::ReconnectingClusterDriver;
/// use socketioxide_redis::{RedisAdapterConfig, RedisAdapterCtr};
///
/// let client = redis::cluster::ClusterClient::new(["redis://127.0.0.1:7000?protocol=resp3"])?;
/// let driver = ReconnectingClusterDriver::new(&client).await?;
/// let adapter = RedisAdapterCtr::new_with_driver(driver, RedisAdapterConfig::default());
/// # let _ = adapter;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct ReconnectingClusterDriver {
    client: ClusterClient,
    channels: Channels,
    /// Publishes and queries.
    conn: ClusterConnection,
    /// One connection per subscribed channel.
    subscriptions: Arc<Mutex<HashMap<String, Subscription>>>,
}

/// A channel's own connection, and the task that subscribes it again when the connection
/// drops or Redis ends the subscription.
struct Subscription {
    conn: ClusterConnection,
    _resubscriber: AbortOnDrop,
}

impl ReconnectingClusterDriver {
    /// Connects (the client must speak RESP3), delivering subscribed messages to the
    /// adapter's channels.
    pub async fn new(client: &ClusterClient) -> Result<Self, redis::RedisError> {
        Ok(Self {
            client: client.clone(),
            channels: Channels::default(),
            conn: client.get_async_connection().await?,
            subscriptions: Arc::default(),
        })
    }

    /// How many messages from Redis this driver (and its clones) dropped because the
    /// adapter's queue for their channel was full, as
    /// [`ReconnectingDriver::dropped_messages`](super::ReconnectingDriver::dropped_messages).
    pub fn dropped_messages(&self) -> u64 {
        self.channels.dropped()
    }

    fn subscriptions(&self) -> MutexGuard<'_, HashMap<String, Subscription>> {
        self.subscriptions.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Whether Redis says it ended the connection's subscription to `chan`: the channel's slot
/// moved to another node. (redis-rs then stops tracking it instead of following it.)
fn is_unsubscribed(msg: &PushInfo, chan: &str) -> bool {
    msg.kind == PushKind::SUnsubscribe
        && msg
            .data
            .first()
            .and_then(|value| String::from_redis_value_ref(value).ok())
            .is_some_and(|name| name == chan)
}

/// Subscribes `conn` to `chan` again each time `lost` is notified, retrying until it
/// succeeds.
async fn resubscribe(mut conn: ClusterConnection, chan: String, lost: Arc<Notify>) {
    loop {
        lost.notified().await;
        let mut delay = Duration::from_millis(50);
        while let Err(error) = conn.ssubscribe(chan.as_str()).await {
            tracing::warn!(%error, chan, "cannot subscribe again; retrying");
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(Duration::from_secs(1));
        }
    }
}

/// Stops a re-subscription task when its subscription is dropped.
struct AbortOnDrop(tokio::task::AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Driver for ReconnectingClusterDriver {
    type Error = redis::RedisError;

    async fn publish(&self, chan: String, val: Vec<u8>) -> Result<(), Self::Error> {
        self.conn
            .clone()
            .spublish::<_, _, redis::Value>(chan, val)
            .await?;
        Ok(())
    }

    async fn subscribe(
        &self,
        chan: String,
        size: usize,
    ) -> Result<MessageStream<ChanItem>, Self::Error> {
        let lost = Arc::new(Notify::new());
        let config = ClusterConfig::new().set_push_sender({
            let (channels, lost, chan) = (self.channels.clone(), lost.clone(), chan.clone());
            move |msg: PushInfo| {
                if (msg.kind == PushKind::Disconnection || is_unsubscribed(&msg, &chan))
                    && channels.contains(&chan)
                {
                    lost.notify_one();
                } else {
                    channels.deliver(msg);
                }
                Ok::<(), std::convert::Infallible>(())
            }
        });
        // The queue first: messages arrive as soon as Redis holds the subscription, which
        // can be before `ssubscribe` returns here.
        let stream = self.channels.open(chan.clone(), size);
        let subscribed = async {
            let mut conn = self.client.get_async_connection_with_config(config).await?;
            conn.ssubscribe(chan.as_str()).await?;
            Ok::<_, redis::RedisError>(conn)
        };
        let conn = match subscribed.await {
            Ok(conn) => conn,
            Err(error) => {
                self.channels.close(&chan);
                return Err(error);
            }
        };
        let resubscriber = tokio::spawn(resubscribe(conn.clone(), chan.clone(), lost));
        self.subscriptions().insert(
            chan,
            Subscription {
                conn,
                _resubscriber: AbortOnDrop(resubscriber.abort_handle()),
            },
        );
        Ok(stream)
    }

    async fn unsubscribe(&self, chan: String) -> Result<(), Self::Error> {
        self.channels.close(&chan);
        let subscription = self.subscriptions().remove(&chan);
        if let Some(mut subscription) = subscription {
            subscription.conn.sunsubscribe(chan).await?;
        }
        Ok(())
    }

    async fn num_serv(&self, chan: &str) -> Result<u16, Self::Error> {
        // redis-rs sends this to every node and adds up the counts.
        let (_, count): (String, u16) = redis::cmd("PUBSUB")
            .arg("SHARDNUMSUB")
            .arg(chan)
            .query_async(&mut self.conn.clone())
            .await?;
        Ok(count)
    }
}
