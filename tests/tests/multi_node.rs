//! Three in-process nodes sharing rooms through a real Redis 7 (a private redis-server):
//! typed emit-with-ack across nodes, remote socket counts and disconnects.

use eventwire_tests::redis::Redis;

#[tokio::test]
async fn typed_operations_span_every_node() {
    let Some(redis) = Redis::start().await else {
        return;
    };
    let urls = eventwire_tests::start_lab_nodes(&redis, 3).await;
    eventwire_tests::run_node_with(
        std::path::Path::new("multi_node.mjs"),
        &[&urls[0], &urls[1], &urls[2]],
    )
    .await;
}
