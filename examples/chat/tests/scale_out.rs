//! Several chat processes behind one logical server, sharing rooms through a real Redis 7
//! (a private redis-server on a free port): messages and presence reach every member on
//! every node exactly once, in each sender's order.

mod support;

use std::path::Path;

/// Messages each of the three members sends (over 10,000 acked messages in all).
const PER_SENDER: &str = "3400";

#[tokio::test]
async fn three_nodes_share_rooms_through_redis() {
    let Some(redis) = eventwire_tests::redis::Redis::start().await else {
        return;
    };
    let dir = support::temp_dir("scale-out");
    let db = dir.join("chat.db");
    let url = redis.url();
    // A load test: lift the per-socket rate limit as an operator would.
    let env = [
        ("EVENTWIRE_REDIS_URL", url.as_str()),
        ("CHAT_RATE_LIMIT", "0"),
    ];
    let mut nodes = Vec::new();
    for _ in 0..3 {
        nodes.push(support::start_chat(&db, &env).await);
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scale_out.mjs");
    let urls: Vec<&str> = nodes.iter().map(|(_, url)| url.as_str()).collect();
    eventwire_tests::run_node_with(&script, &[urls[0], urls[1], urls[2], PER_SENDER]).await;
    drop(nodes);
    let _ = std::fs::remove_dir_all(&dir);
}
