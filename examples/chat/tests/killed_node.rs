//! Calls in flight to a chat process that is killed fail at once on the client (the lost
//! connection settles them), instead of hanging until their timeout.

mod support;

use std::path::Path;

#[tokio::test]
async fn calls_in_flight_to_a_killed_node_fail_at_once() {
    let dir = support::temp_dir("killed-node");
    let db = dir.join("chat.db");
    // Many calls at once: lift the per-socket rate limit.
    let (node, url) = support::start_chat(&db, &[("CHAT_RATE_LIMIT", "0")]).await;
    let pid = node.id().expect("the node runs").to_string();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/killed_node.mjs");
    eventwire_tests::run_node_with(&script, &[&url, &pid]).await;
    drop(node);
    let _ = std::fs::remove_dir_all(&dir);
}
