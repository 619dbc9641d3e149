//! With Redis, the chat's rooms span its nodes: member lists and room capacity count the
//! members of every node, and the members of a node that dies are announced as gone by the
//! survivors, exactly once (three chat processes and a private redis-server).

mod support;

use std::path::Path;

#[tokio::test]
async fn members_and_capacity_span_the_nodes_and_survive_a_dead_one() {
    let Some(redis) = eventwire_tests::redis::Redis::start().await else {
        return;
    };
    let dir = support::temp_dir("shared-rooms");
    let db = dir.join("chat.db");
    let url = redis.url();
    // A short lifetime, so that a dead node is noticed within about a second.
    let env = [
        ("EVENTWIRE_REDIS_URL", url.as_str()),
        ("CHAT_CAPACITY", "3"),
        ("CHAT_NODE_LIFETIME_MS", "900"),
    ];
    let mut nodes = Vec::new();
    for _ in 0..3 {
        nodes.push(support::start_chat(&db, &env).await);
    }
    let pid = nodes[0].0.id().expect("node 1 runs").to_string();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/shared_rooms.mjs");
    eventwire_tests::run_node_with(&script, &[&nodes[0].1, &nodes[1].1, &nodes[2].1, &pid]).await;
    drop(nodes);
    let _ = std::fs::remove_dir_all(&dir);
}
