//! Restarting Redis under two live nodes (down for one second): the adapter recovers
//! without restarting them, every broadcast lost meanwhile is reported to its sender, and
//! the window is measured.

use std::time::Duration;

use eventwire_tests::redis::Redis;

#[tokio::test]
async fn the_adapter_recovers_when_redis_restarts() {
    let Some(mut redis) = Redis::start().await else {
        return;
    };
    let urls = eventwire_tests::start_lab_nodes(&redis, 2).await;
    let (first, second) = (urls[0].clone(), urls[1].clone());
    let clients = tokio::spawn(async move {
        eventwire_tests::run_node_with(
            std::path::Path::new("redis_restart.mjs"),
            &[&first, &second, "6000"],
        )
        .await;
    });
    tokio::time::sleep(Duration::from_millis(1500)).await;
    // Redis is down for one second.
    redis.restart(Duration::from_secs(1)).await;
    clients.await.expect("the clients finished");
}
