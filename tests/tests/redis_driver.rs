//! The Redis driver under the adapter, against a real redis-server: no message is lost
//! between subscribing and queueing, and a full queue is counted, not hidden.

use std::time::Duration;

use eventwire::redis::ReconnectingDriver;
use eventwire_tests::redis::Redis;
use futures_util::StreamExt;
use redis::AsyncCommands;
use socketioxide_redis::drivers::Driver;

async fn driver(redis: &Redis) -> ReconnectingDriver {
    let client = redis::Client::open(format!("{}?protocol=resp3", redis.url())).expect("a url");
    ReconnectingDriver::new(&client).await.expect("connects")
}

async fn publisher(redis: &Redis) -> redis::aio::MultiplexedConnection {
    redis::Client::open(redis.url())
        .expect("a url")
        .get_multiplexed_async_connection()
        .await
        .expect("connects")
}

/// A publisher floods a channel while the driver subscribes to it. Every message that
/// Redis says reached a subscriber (PUBLISH answers 1) must come out of the driver's
/// stream; before the queue was opened ahead of the subscription, the first of them
/// landed in the window between Redis confirming the subscription and the queue existing.
#[tokio::test]
async fn every_message_after_the_subscription_reaches_the_stream() {
    let Some(redis) = Redis::start().await else {
        return;
    };
    let driver = driver(&redis).await;
    for round in 0..40 {
        let chan = format!("window-{round}");
        let mut conn = publisher(&redis).await;
        let flood = tokio::spawn({
            let chan = chan.clone();
            async move {
                // The sequence numbers that Redis delivered to a subscriber.
                let mut delivered = Vec::new();
                for n in 0u32..2000 {
                    let receivers: u32 = conn.publish(&chan, n.to_string()).await.expect("publish");
                    if receivers > 0 {
                        delivered.push(n);
                        if delivered.len() == 20 {
                            break;
                        }
                    }
                }
                delivered
            }
        });
        let mut stream = driver
            .subscribe(chan.clone(), 4096)
            .await
            .expect("subscribes");
        let delivered = flood.await.expect("the publisher ends");
        assert!(!delivered.is_empty(), "the subscription took effect");
        let mut received = Vec::new();
        while received.len() < delivered.len() {
            let (_, payload) = tokio::time::timeout(Duration::from_secs(5), stream.next())
                .await
                .unwrap_or_else(|_| panic!("round {round}: got {received:?} of {delivered:?}"))
                .expect("the stream stays open");
            received.push(
                String::from_utf8(payload)
                    .expect("utf-8")
                    .parse::<u32>()
                    .expect("n"),
            );
        }
        assert_eq!(received, delivered, "round {round}");
        driver.unsubscribe(chan).await.expect("unsubscribes");
    }
    assert_eq!(driver.dropped_messages(), 0);
}

/// A queue that nobody reads fills up; what does not fit is dropped and counted (the
/// count is shared by the driver's clones, which is how an app holding a clone watches it).
#[tokio::test]
async fn a_full_queue_counts_what_it_drops() {
    let Some(redis) = Redis::start().await else {
        return;
    };
    let driver = driver(&redis).await;
    let watched = driver.clone();
    let mut stream = driver
        .subscribe("full".into(), 2)
        .await
        .expect("subscribes");
    let mut conn = publisher(&redis).await;
    for n in 0..5 {
        let receivers: u32 = conn.publish("full", n.to_string()).await.expect("publish");
        assert_eq!(receivers, 1);
    }
    tokio::time::timeout(Duration::from_secs(5), async {
        while watched.dropped_messages() < 3 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("the drops are counted");
    let mut first = Vec::new();
    for _ in 0..2 {
        let (_, payload) = stream.next().await.expect("queued");
        first.push(String::from_utf8(payload).expect("utf-8"));
    }
    assert_eq!(first, ["0", "1"], "the queue kept the oldest messages");
    assert_eq!(watched.dropped_messages(), 3);
}
