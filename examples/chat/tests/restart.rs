//! A restart loses no history: the chat binary writes messages, is killed, and a new
//! process on the same SQLite file serves them.

mod support;

use std::path::Path;

#[tokio::test]
async fn history_survives_a_restart() {
    let dir = support::temp_dir("restart");
    let db = dir.join("chat.db");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/restart.mjs");

    let (mut first, url) = support::start_chat(&db, &[]).await;
    eventwire_tests::run_node_with(&script, &[&url, "write"]).await;
    first.kill().await.expect("stop the first process");

    let (mut second, url) = support::start_chat(&db, &[]).await;
    eventwire_tests::run_node_with(&script, &[&url, "read"]).await;
    second.kill().await.expect("stop the second process");
    let _ = std::fs::remove_dir_all(&dir);
}
