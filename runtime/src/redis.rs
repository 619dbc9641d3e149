//! Several nodes behind one logical server, through socketioxide's Redis adapter.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

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

impl Server<Redis> {
    /// A server whose rooms and broadcasts span every node connected to the same Redis 7
    /// (the adapter speaks RESP3: `protocol=resp3` is added to the URL when it does not
    /// say). Handlers and contracts are unchanged: only this line differs from
    /// [`Server::new`]. The connection reconnects and re-subscribes when Redis restarts;
    /// broadcasts during the outage fail (`emit` returns an error) rather than vanish.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// let server = eventwire::Server::redis("redis://127.0.0.1:6379").await?;
    /// # let _ = server;
    /// # Ok(()) }
    /// ```
    pub async fn redis(url: &str) -> Result<Self, RedisError> {
        let url = if url.contains("protocol=") {
            url.to_owned()
        } else {
            format!(
                "{url}{}protocol=resp3",
                if url.contains('?') { "&" } else { "?" }
            )
        };
        let error = |source| RedisError {
            url: url.clone(),
            source,
        };
        let client = redis::Client::open(url.as_str()).map_err(error)?;
        let driver = ReconnectingDriver::new(&client).await.map_err(error)?;
        Ok(Server::with_adapter(RedisAdapterCtr::new_with_driver(
            driver,
            RedisAdapterConfig::default(),
        )))
    }
}

type Handlers = Arc<RwLock<HashMap<String, mpsc::Sender<ChanItem>>>>;

/// A socketioxide-redis driver on redis-rs's [`ConnectionManager`], which reconnects and
/// re-subscribes after Redis restarts. (socketioxide-redis 0.4's own driver keeps one
/// multiplexed connection and never recovers: measured, every broadcast failed for as long
/// as the test ran after a restart.) The channel handling is the upstream driver's.
#[derive(Clone)]
pub struct ReconnectingDriver {
    handlers: Handlers,
    conn: ConnectionManager,
}

impl ReconnectingDriver {
    /// Connects, delivering subscribed messages to the adapter's channels.
    pub async fn new(client: &redis::Client) -> Result<Self, redis::RedisError> {
        let handlers: Handlers = Arc::default();
        let deliver = handlers.clone();
        let config = ConnectionManagerConfig::new()
            .set_automatic_resubscription()
            .set_push_sender(move |msg: PushInfo| {
                deliver_message(msg, &deliver);
                Ok::<(), std::convert::Infallible>(())
            });
        let conn = client.get_connection_manager_with_config(config).await?;
        Ok(Self { handlers, conn })
    }
}

fn deliver_message(msg: PushInfo, handlers: &Handlers) {
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
    let handlers = handlers.read().unwrap_or_else(|e| e.into_inner());
    if let Some(tx) = handlers.get(&chan)
        && let Err(error) = tx.try_send((chan, payload))
    {
        tracing::warn!(%error, "redis pubsub channel full");
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
        self.conn.clone().subscribe(chan.as_str()).await?;
        let (tx, rx) = mpsc::channel(size);
        self.handlers
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(chan, tx);
        Ok(MessageStream::new(rx))
    }

    async fn unsubscribe(&self, chan: String) -> Result<(), Self::Error> {
        self.handlers
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&chan);
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
