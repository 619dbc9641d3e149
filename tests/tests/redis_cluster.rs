//! Three in-process nodes sharing rooms through a real Redis 7 Cluster (three private
//! redis-server masters): room broadcasts with `except`, typed emit-with-ack across nodes,
//! remote socket counts and disconnects, and recovery when a cluster node restarts.

use std::path::Path;
use std::time::Duration;

use eventwire_tests::redis_cluster::RedisCluster;

#[tokio::test]
async fn room_broadcasts_reach_every_node_once() {
    let Some(cluster) = RedisCluster::start().await else {
        return;
    };
    let urls = eventwire_tests::start_lab_cluster_nodes(&cluster, 3).await;
    eventwire_tests::run_node_with(
        Path::new("cluster_rooms.mjs"),
        &[&urls[0], &urls[1], &urls[2]],
    )
    .await;
}

#[tokio::test]
async fn typed_operations_span_every_node() {
    let Some(cluster) = RedisCluster::start().await else {
        return;
    };
    let urls = eventwire_tests::start_lab_cluster_nodes(&cluster, 3).await;
    // The same client program as on a single Redis.
    eventwire_tests::run_node_with(Path::new("multi_node.mjs"), &[&urls[0], &urls[1], &urls[2]])
        .await;
}

/// Restarts (down for one second) the cluster node that serves the lab's broadcast channel,
/// under two live eventwire nodes: they recover without a restart, and the broadcasts
/// meanwhile wait for the node and go out.
///
/// Known gap: one broadcast may still be lost without an error. The shout that waited for
/// the node can be published the moment it is back, before the receiving node's connection
/// has subscribed again (measured: 3 runs of 11 lost exactly one, the rest none). The
/// single-Redis test allows none.
#[tokio::test]
async fn the_adapter_recovers_when_a_cluster_node_restarts() {
    let Some(mut cluster) = RedisCluster::start().await else {
        return;
    };
    let urls = eventwire_tests::start_lab_cluster_nodes(&cluster, 2).await;
    // socketioxide-redis publishes every broadcast of `/lab` on this sharded channel, and
    // every node subscribes to it: restarting its node cuts both ways.
    let owner = cluster.owner_of("socket.io-request#/lab#").await;
    let (first, second) = (urls[0].clone(), urls[1].clone());
    let clients = tokio::spawn(async move {
        eventwire_tests::run_node_with(
            Path::new("redis_restart.mjs"),
            &[&first, &second, "8000", "1"],
        )
        .await;
    });
    tokio::time::sleep(Duration::from_millis(1500)).await;
    cluster.restart(owner, Duration::from_secs(1)).await;
    clients.await.expect("the clients finished");
}
