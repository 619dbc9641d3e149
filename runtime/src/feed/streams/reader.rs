//! The tasks behind a shared feed on one node: its reader, which delivers the stream to the
//! node's subscribers, and the queue of changes published without waiting.

use std::sync::{Arc, Weak};
use std::time::Duration;

use redis::AsyncConnectionConfig;
use redis::aio::MultiplexedConnection;
use redis::streams::StreamReadReply;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::sync::mpsc;

use super::{BLOCK, Stream, decode};
use crate::feed::filter::Filter;
use crate::feed::hub::notify_ended;
use crate::feed::state::{FeedState, Kind};

/// How many entries one `XREAD` returns at most.
const BATCH: usize = 500;

/// Waits between attempts to reach Redis: doubling from 50 ms up to 1 s.
struct Backoff(Duration);

impl Backoff {
    fn new() -> Self {
        Self(Duration::from_millis(50))
    }

    async fn wait(&mut self) {
        tokio::time::sleep(self.0).await;
        self.0 = (self.0 * 2).min(Duration::from_secs(1));
    }
}

/// Delivers the feed's stream to this node's subscribers until the feed is dropped: from
/// the stream's last offset when it starts, then from the last one it delivered. Whenever
/// it (re)connects it checks the feed's epoch, and between reads too (every `BLOCK`).
pub(super) async fn read<I, F>(state: Weak<FeedState<I, F>>, stream: Arc<Stream>)
where
    I: Serialize + DeserializeOwned + Send + Sync + 'static,
    F: Filter<Item = I>,
{
    // Its own connection: a blocking read holds a connection until it returns. The
    // response timeout outlasts the block, so a dead connection is noticed.
    let config = AsyncConnectionConfig::new().set_response_timeout(Some(BLOCK * 3));
    let mut conn: Option<MultiplexedConnection> = None;
    let mut synced = false;
    let mut backoff = Backoff::new();
    loop {
        let Some(current) = state.upgrade() else {
            return;
        };
        let (epoch, last) = (current.epoch(), current.offset());
        drop(current);
        let c = match &mut conn {
            Some(c) => c,
            None => match stream
                .streams
                .client
                .get_multiplexed_async_connection_with_config(&config)
                .await
            {
                Ok(c) => conn.insert(c),
                Err(error) => {
                    tracing::debug!(%error, key = %stream.keys.stream, "a feed reader cannot reach Redis");
                    backoff.wait().await;
                    continue;
                }
            },
        };
        if !synced {
            match stream.epoch(c).await {
                Ok((epoch, offset)) => {
                    let Some(current) = state.upgrade() else {
                        return;
                    };
                    notify_ended(current.sync(&epoch, offset));
                    synced = true;
                    backoff = Backoff::new();
                    continue;
                }
                Err(error) => {
                    tracing::debug!(%error, key = %stream.keys.stream, "a feed reader cannot read its epoch");
                    conn = None;
                    backoff.wait().await;
                    continue;
                }
            }
        }
        let reply: redis::RedisResult<Option<StreamReadReply>> = redis::cmd("XREAD")
            .arg("COUNT")
            .arg(BATCH)
            .arg("BLOCK")
            .arg(BLOCK.as_millis() as u64)
            .arg("STREAMS")
            .arg(&stream.keys.stream)
            .arg(format!("{last}-0"))
            .query_async(c)
            .await;
        match reply {
            Ok(Some(reply)) => {
                let Some(current) = state.upgrade() else {
                    return;
                };
                for entry in reply.keys.iter().flat_map(|key| &key.ids) {
                    let Some((epoch, offset, change)) = decode::<I>(entry) else {
                        continue;
                    };
                    notify_ended(current.receive(&epoch, offset, change));
                }
            }
            // Nothing for a while: is the stream still the one this node reads? A lost
            // one restarts at offset 1 under another epoch, below where this reader waits.
            Ok(None) => {
                let held: redis::RedisResult<Option<String>> = redis::cmd("HGET")
                    .arg(&stream.keys.meta)
                    .arg("epoch")
                    .query_async(c)
                    .await;
                match held {
                    Ok(Some(held)) if held == epoch => {}
                    Ok(_) => synced = false,
                    Err(_) => {
                        conn = None;
                        synced = false;
                    }
                }
            }
            Err(error) => {
                tracing::debug!(%error, key = %stream.keys.stream, "a feed reader lost Redis");
                conn = None;
                synced = false;
                backoff.wait().await;
            }
        }
    }
}

/// Publishes the changes queued by `created`/`updated`/`deleted`, in order; a change Redis
/// keeps refusing (for about 10 seconds) is dropped with an error in the log.
pub(super) async fn publish_queued<I: Serialize>(
    stream: Arc<Stream>,
    mut queued: mpsc::Receiver<Kind<I>>,
) {
    while let Some(change) = queued.recv().await {
        let json = match serde_json::to_string(&change) {
            Ok(json) => json,
            Err(error) => {
                tracing::error!(%error, key = %stream.keys.stream, "a feed change could not be serialized: not published");
                continue;
            }
        };
        let mut backoff = Backoff::new();
        let mut attempts = 0;
        while let Err(error) = stream.add(&json, None).await {
            attempts += 1;
            if attempts == 15 {
                tracing::error!(%error, key = %stream.keys.stream, "a feed change was not published: Redis refused it for 10 seconds");
                break;
            }
            backoff.wait().await;
        }
    }
}
