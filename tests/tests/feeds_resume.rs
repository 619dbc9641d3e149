//! Resuming feeds after a lost connection, with the generated client and the real
//! socket.io-client (`feeds_resume.mjs`): the missed changes replay in order and exactly
//! once; when the history no longer reaches back, or the server restarted, the client
//! gets a resync (a fresh snapshot) instead of a silent gap.

use std::process::Stdio;
use std::time::Duration;

use eventwire_tests::board::{Board, BoardApp, Status, Task};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

#[tokio::test]
async fn a_reconnecting_client_gets_exactly_what_it_missed() {
    let board = eventwire_tests::board::start_board().await;
    run(&board.url, "resume").await;
}

#[tokio::test]
async fn a_history_too_short_is_a_resync() {
    let board = eventwire_tests::board::start_board_with(|server| server.feed_history(3)).await;
    run(&board.url, "short").await;
}

/// The replay is queued for the socket at once: one longer than half its queue (here 8
/// packets, so 4 changes; 5 were missed) is a resync, not an `overflow` part way through.
#[tokio::test]
async fn a_replay_longer_than_the_socket_queue_takes_is_a_resync() {
    let board = eventwire_tests::board::start_board_with(|server| server.max_buffer_size(8)).await;
    run(&board.url, "short").await;
}

#[tokio::test]
async fn a_restarted_server_is_a_resync() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let url = format!("http://{address}");
    let first = tokio::spawn(serve(listener, BoardApp::default()));

    let mut node = node(&url, "restart");
    let mut stdin = node.stdin.take().unwrap();
    let mut lines = BufReader::new(node.stdout.take().unwrap()).lines();
    let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .expect("the client asks for the restart in time")
        .unwrap();
    assert_eq!(line.as_deref(), Some("restart"), "the client's output");
    first.abort();
    let _ = first.await;
    // The restarted server's store: what a database would hold after writes the old
    // server's subscribers never heard of.
    let app = BoardApp::default();
    {
        let mut tasks = app.tasks.lock().unwrap();
        for (id, status) in [(1, Status::Done), (2, Status::Doing), (7, Status::Doing)] {
            tasks.insert(
                id,
                Task {
                    id,
                    workspace: 10,
                    status,
                    assignee: "ann".into(),
                    priority: 3,
                    title: format!("task {id}"),
                },
            );
        }
    }
    let listener = rebind(address).await;
    let second = tokio::spawn(serve(listener, app));
    stdin.write_all(b"restarted\n").await.unwrap();
    let status = tokio::time::timeout(Duration::from_secs(30), node.wait())
        .await
        .expect("the client finishes in time")
        .unwrap();
    let mut stderr = String::new();
    if let Some(mut err) = node.stderr.take() {
        use tokio::io::AsyncReadExt;
        let _ = err.read_to_string(&mut stderr).await;
    }
    assert!(
        status.success(),
        "feeds_resume.mjs restart failed: {stderr}"
    );
    second.abort();
}

async fn serve(listener: tokio::net::TcpListener, app: BoardApp) {
    let server = eventwire::Server::new().contract::<Board>(app);
    server.serve_on(listener).await.expect("serve");
}

/// Binds `address` again; the old listener's port may take a moment to be free.
async fn rebind(address: std::net::SocketAddr) -> tokio::net::TcpListener {
    for _ in 0..100 {
        if let Ok(listener) = tokio::net::TcpListener::bind(address).await {
            return listener;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("could not bind {address} again");
}

fn node(url: &str, mode: &str) -> tokio::process::Child {
    tokio::process::Command::new("node")
        .args(["feeds_resume.mjs", url, mode])
        .current_dir(eventwire_tests::node_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("`node` must be on PATH to run the end-to-end tests")
}

async fn run(url: &str, mode: &str) {
    let output = tokio::time::timeout(Duration::from_secs(30), node(url, mode).wait_with_output())
        .await
        .expect("the client finishes in time")
        .unwrap();
    assert!(
        output.status.success(),
        "feeds_resume.mjs {mode} failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
