//! Feeds across nodes on Redis Streams (with [`Server::redis`](crate::Server)): one stream
//! per feed holds its changes, each at its offset.
//!
//! - **Publishing** runs one Lua script: it takes the feed's next offset (`HINCRBY` on the
//!   feed's meta hash) and appends the change under the entry id `<offset>-0`, trimmed to
//!   about the feed history's length (`XADD ... MAXLEN ~`). The same script gives the feed
//!   its epoch when the meta hash has none: after Redis lost its data (a restart without
//!   persistence) offsets start again from 1 under a new epoch, so no client mistakes them
//!   for the old ones. A change sent with a name (the outbox's message id) is recorded
//!   once: the script remembers the names of the last history-length changes.
//! - **Delivering**: each node runs one reader per feed (`XREAD BLOCK` from the last offset
//!   it delivered, on a connection of its own), which hands every change to the node's
//!   matching subscribers through the same per-push check as on one node
//!   ([`FeedState::receive`]). A reader that finds the epoch changed, or offsets missing
//!   (trimmed before it read them), ends its node's subscriptions as a resync.
//! - **Resuming** on any node: what the node's own history does not hold is read with
//!   `XRANGE` from the subscriber's offset up to the one its registration saw, so nothing
//!   is missed or sent twice; too old (the history's age, from each entry's time), trimmed
//!   away, or of another epoch, and the answer is a resync.

mod reader;

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use redis::aio::ConnectionManager;
use redis::streams::{StreamId, StreamRangeReply};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::sync::mpsc;

use crate::feed::SendError;
use crate::feed::filter::Filter;
use crate::feed::state::{FeedState, Kind, Limits, Missed, Shared, new_epoch};

/// How many changes `created`/`updated`/`deleted` may queue for one feed's stream before
/// new ones are dropped (with an error in the log).
const QUEUE: usize = 10_000;

/// Appends a change at the feed's next offset. KEYS: stream, meta, names. ARGV: a new epoch
/// (used when the feed has none), the history length, the time (ms), the change's JSON,
/// its name ('' for none).
const PUBLISH: &str = r"
local epoch = redis.call('HGET', KEYS[2], 'epoch')
if not epoch then
  epoch = ARGV[1]
  redis.call('HSET', KEYS[2], 'epoch', epoch)
end
if ARGV[5] ~= '' then
  local seen = redis.call('ZSCORE', KEYS[3], ARGV[5])
  if seen then return {epoch, tonumber(seen)} end
end
local offset = redis.call('HINCRBY', KEYS[2], 'offset', 1)
redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], offset .. '-0', 'e', epoch, 't', ARGV[3], 'c', ARGV[4])
if ARGV[5] ~= '' then
  redis.call('ZADD', KEYS[3], offset, ARGV[5])
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', offset - tonumber(ARGV[2]) - 1)
end
return {epoch, offset}
";

/// The feed's epoch and last offset, giving it `ARGV[1]` as its epoch when it has none.
/// KEYS: meta.
const EPOCH: &str = r"
redis.call('HSETNX', KEYS[1], 'epoch', ARGV[1])
return {redis.call('HGET', KEYS[1], 'epoch'), tonumber(redis.call('HGET', KEYS[1], 'offset') or '0')}
";

/// The Redis side of a server's feeds.
pub(crate) struct Streams {
    client: redis::Client,
    conn: ConnectionManager,
    runtime: tokio::runtime::Handle,
    limits: Arc<Limits>,
}

impl Streams {
    /// Connects; readers and queues run on the current tokio runtime.
    pub(crate) async fn connect(
        client: redis::Client,
        limits: Arc<Limits>,
    ) -> redis::RedisResult<Arc<Self>> {
        let conn = client.get_connection_manager().await?;
        Ok(Arc::new(Self {
            client,
            conn,
            runtime: tokio::runtime::Handle::current(),
            limits,
        }))
    }

    /// Makes `state` span nodes: its publishing goes to its stream, and a reader delivers
    /// the stream to its subscribers on this node.
    pub(crate) fn attach<I, F>(self: &Arc<Self>, contract: &str, state: &Arc<FeedState<I, F>>)
    where
        I: Serialize + DeserializeOwned + Send + Sync + 'static,
        F: Filter<Item = I>,
    {
        let stream = Arc::new(Stream {
            streams: self.clone(),
            keys: Keys::new(contract, state.name),
        });
        let (queue, queued) = mpsc::channel(QUEUE);
        self.runtime
            .spawn(reader::publish_queued(stream.clone(), queued));
        self.runtime
            .spawn(reader::read(Arc::downgrade(state), stream.clone()));
        let _ = state.shared.set(Box::new(SharedFeed { stream, queue }));
    }
}

/// The keys of one feed, in one hash slot.
struct Keys {
    stream: String,
    meta: String,
    names: String,
}

impl Keys {
    fn new(contract: &str, feed: &str) -> Self {
        let tag = format!("eventwire:feed:{{{contract}:{feed}}}");
        Self {
            stream: format!("{tag}:changes"),
            meta: format!("{tag}:meta"),
            names: format!("{tag}:names"),
        }
    }
}

/// One feed's stream.
struct Stream {
    streams: Arc<Streams>,
    keys: Keys,
}

impl Stream {
    /// Appends `change` (JSON); returns its epoch and offset.
    async fn add(&self, change: &str, once: Option<&str>) -> redis::RedisResult<(String, u64)> {
        let length = self.streams.limits.history().length.max(1);
        redis::cmd("EVAL")
            .arg(PUBLISH)
            .arg(3)
            .arg(&self.keys.stream)
            .arg(&self.keys.meta)
            .arg(&self.keys.names)
            .arg(new_epoch())
            .arg(length)
            .arg(now_ms())
            .arg(change)
            .arg(once.unwrap_or(""))
            .query_async(&mut self.streams.conn.clone())
            .await
    }

    /// The feed's epoch and last offset (giving it one when Redis holds none).
    async fn epoch(
        &self,
        conn: &mut impl redis::aio::ConnectionLike,
    ) -> redis::RedisResult<(String, u64)> {
        redis::cmd("EVAL")
            .arg(EPOCH)
            .arg(1)
            .arg(&self.keys.meta)
            .arg(new_epoch())
            .query_async(conn)
            .await
    }

    /// The changes after `from` up to `to` of `epoch`, all of them or `None`.
    async fn range<I: DeserializeOwned>(
        &self,
        epoch: &str,
        from: u64,
        to: u64,
        limit: usize,
    ) -> Option<Missed<I>> {
        let mut conn = self.streams.conn.clone();
        let (held, last): (Option<String>, Option<u64>) = redis::cmd("HMGET")
            .arg(&self.keys.meta)
            .arg("epoch")
            .arg("offset")
            .query_async(&mut conn)
            .await
            .map_err(|error| tracing::warn!(%error, "cannot read a feed's stream to resume a subscriber: resync"))
            .ok()?;
        if held.as_deref() != Some(epoch) || last.unwrap_or(0) < from {
            return None;
        }
        if from >= to {
            return Some(Vec::new());
        }
        let count = usize::try_from(to - from).ok().filter(|n| *n <= limit)?;
        let reply: StreamRangeReply = redis::cmd("XRANGE")
            .arg(&self.keys.stream)
            .arg(format!("{}-0", from + 1))
            .arg(format!("{to}-0"))
            .arg("COUNT")
            .arg(count)
            .query_async(&mut conn)
            .await
            .map_err(|error| tracing::warn!(%error, "cannot read a feed's stream to resume a subscriber: resync"))
            .ok()?;
        // Offsets are consecutive: all `count` entries there means none was trimmed.
        if reply.ids.len() != count {
            return None;
        }
        let oldest = now_ms().saturating_sub(self.streams.limits.history().age.as_millis() as u64);
        if reply.ids.first().and_then(|entry| entry.get::<u64>("t"))? < oldest {
            return None;
        }
        reply
            .ids
            .iter()
            .map(|entry| {
                let (entry_epoch, offset, change) = decode::<I>(entry)?;
                (entry_epoch == epoch).then_some((offset, change))
            })
            .collect()
    }
}

/// An entry's epoch, offset and change; `None` (logged) when it is not one this module wrote.
fn decode<I: DeserializeOwned>(entry: &StreamId) -> Option<(String, u64, Kind<I>)> {
    let offset = entry
        .id
        .split_once('-')
        .and_then(|(ms, _)| ms.parse::<u64>().ok());
    let epoch = entry.get::<String>("e");
    let change = entry
        .get::<String>("c")
        .and_then(|json| serde_json::from_str::<Kind<I>>(&json).ok());
    match (epoch, offset, change) {
        (Some(epoch), Some(offset), Some(change)) => Some((epoch, offset, change)),
        _ => {
            tracing::error!(id = %entry.id, "a feed stream entry could not be read: skipped");
            None
        }
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// A feed's [`Shared`] side: its stream and its publishing queue.
struct SharedFeed<I> {
    stream: Arc<Stream>,
    queue: mpsc::Sender<Kind<I>>,
}

impl<I> Shared<I> for SharedFeed<I>
where
    I: Serialize + DeserializeOwned + Send + Sync + 'static,
{
    fn enqueue(&self, change: Kind<I>) {
        if let Err(error) = self.queue.try_send(change) {
            tracing::error!(%error, key = %self.stream.keys.stream, "a feed change was not published: its queue for Redis is full or closed");
        }
    }

    fn send(
        &self,
        change: Kind<I>,
        once: Option<String>,
    ) -> BoxFuture<'static, Result<u64, SendError>> {
        let stream = self.stream.clone();
        async move {
            let json =
                serde_json::to_string(&change).map_err(|e| SendError::Serialize(e.to_string()))?;
            let (_, offset) = stream
                .add(&json, once.as_deref())
                .await
                .map_err(|e| SendError::Stream(e.to_string()))?;
            Ok(offset)
        }
        .boxed()
    }

    fn missed(
        &self,
        epoch: String,
        from: u64,
        to: u64,
        limit: usize,
    ) -> BoxFuture<'static, Option<Missed<I>>> {
        let stream = self.stream.clone();
        async move { stream.range(&epoch, from, to, limit).await }.boxed()
    }
}

/// How long a reader waits in one `XREAD BLOCK` before it checks the feed's epoch.
const BLOCK: Duration = Duration::from_millis(1000);
