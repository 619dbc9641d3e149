//! The board server is killed and restarted (a new process on the same port and SQLite
//! file) under two Chromium tabs: their live lists resync to the restarted server's
//! state and stay live, ending equal to what a fresh load shows (`restart.mjs`).
//!
//! Skipped like `browser.rs` when Chromium is missing, unless `EVENTWIRE_REQUIRE_BROWSER=1`.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};

const CHROMIUM: &str = "/usr/bin/chromium";

/// Starts the board binary on `port` (0: a free one) with `db`; returns it and its URL.
async fn start_board(port: u16, db: &Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_board"))
        .args(["--port", &port.to_string(), "--db"])
        .arg(db)
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the board binary starts");
    let mut line = String::new();
    tokio::time::timeout(
        Duration::from_secs(30),
        BufReader::new(child.stdout.take().expect("piped")).read_line(&mut line),
    )
    .await
    .expect("the board prints its URL within 30 s")
    .expect("reads stdout");
    // "board: open http://127.0.0.1:PORT/ (tasks are kept in ...)"
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no URL in {line:?}"))
        .to_owned();
    (child, url)
}

#[tokio::test]
async fn two_tabs_resync_after_the_server_restarts() {
    if !Path::new(CHROMIUM).exists() {
        assert!(
            std::env::var("EVENTWIRE_REQUIRE_BROWSER").as_deref() != Ok("1"),
            "EVENTWIRE_REQUIRE_BROWSER=1 but {CHROMIUM} is missing: `apt-get install chromium`"
        );
        eprintln!(
            "\n*** SKIPPED: the board's restart test needs {CHROMIUM} (`apt-get install chromium`) ***\n"
        );
        return;
    }
    let dir = std::env::temp_dir().join(format!("board-restart-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let db = dir.join("board.db");

    let (mut first, url) = start_board(0, &db).await;
    let port: u16 = url
        .trim_end_matches('/')
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no port in {url}"));

    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/restart.mjs");
    let screenshot = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/board-restart.png");
    let mut node = Command::new("node")
        .arg(&script)
        .arg(&url)
        .arg(&screenshot)
        .current_dir(eventwire_tests::node_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("`node` must be on PATH");
    let mut stdin = node.stdin.take().expect("piped");
    let mut lines = BufReader::new(node.stdout.take().expect("piped")).lines();
    let asked = tokio::time::timeout(Duration::from_secs(60), lines.next_line())
        .await
        .expect("the tabs are ready within 60 s")
        .expect("reads the script's output");
    assert_eq!(
        asked.as_deref(),
        Some("restart"),
        "restart.mjs failed before the restart"
    );

    first.kill().await.expect("kill the first server");
    let (mut second, again) = start_board(port, &db).await;
    assert_eq!(
        again, url,
        "the restarted server listens where the tabs reconnect"
    );
    stdin
        .write_all(b"restarted\n")
        .await
        .expect("tell the script");

    let status = tokio::time::timeout(Duration::from_secs(60), node.wait())
        .await
        .expect("restart.mjs finishes within 60 s")
        .expect("node ran");
    while let Ok(Some(line)) = lines.next_line().await {
        eprintln!("{line}");
    }
    assert!(
        status.success(),
        "restart.mjs failed ({status}); its error is above"
    );
    second.kill().await.expect("stop the second server");
    let _ = std::fs::remove_dir_all(&dir);
}
