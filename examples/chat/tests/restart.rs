//! A restart loses no history: the chat binary writes messages, is killed, and a new
//! process on the same SQLite file serves them.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// Starts the chat binary on a free port; returns it and its URL.
async fn start(db: &Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_chat"))
        .args(["--port", "0", "--db"])
        .arg(db)
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the chat binary starts");
    let stdout = child.stdout.take().expect("piped");
    let mut line = String::new();
    tokio::time::timeout(
        Duration::from_secs(30),
        BufReader::new(stdout).read_line(&mut line),
    )
    .await
    .expect("the chat prints its URL within 30 s")
    .expect("reads stdout");
    // "chat: open http://127.0.0.1:PORT/ (messages are kept in ...)"
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .expect("a URL")
        .trim_end_matches('/')
        .to_owned();
    (child, url)
}

#[tokio::test]
async fn history_survives_a_restart() {
    let dir = std::env::temp_dir().join(format!("chat-restart-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let db = dir.join("chat.db");
    let _ = std::fs::remove_file(&db);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/restart.mjs");

    let (mut first, url) = start(&db).await;
    eventwire_tests::run_node_with(&script, &[&url, "write"]).await;
    first.kill().await.expect("stop the first process");

    let (mut second, url) = start(&db).await;
    eventwire_tests::run_node_with(&script, &[&url, "read"]).await;
    second.kill().await.expect("stop the second process");
    let _ = std::fs::remove_dir_all(&dir);
}
