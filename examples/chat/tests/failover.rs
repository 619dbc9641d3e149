//! A client given every node's URL moves to a surviving node when its own dies (three chat
//! processes sharing rooms through a private redis-server).

mod support;

use std::path::Path;

#[tokio::test]
async fn clients_fail_over_to_a_surviving_node() {
    let Some(redis) = eventwire_tests::redis::Redis::start().await else {
        return;
    };
    let dir = support::temp_dir("failover");
    let db = dir.join("chat.db");
    let url = redis.url();
    let env = [("EVENTWIRE_REDIS_URL", url.as_str())];
    let mut nodes = Vec::new();
    for _ in 0..3 {
        nodes.push(support::start_chat(&db, &env).await);
    }
    let pid = nodes[0].0.id().expect("node 1 runs").to_string();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/failover.mjs");
    eventwire_tests::run_node_with(&script, &[&nodes[0].1, &nodes[1].1, &nodes[2].1, &pid]).await;
    drop(nodes);
    let _ = std::fs::remove_dir_all(&dir);
}
