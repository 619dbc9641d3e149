//! Resuming feeds after a lost connection, with the generated client and the real
//! socket.io-client (`feeds_resume.mjs`): the missed changes replay in order and exactly
//! once; when the history no longer reaches back, or the server restarted, the client
//! gets a resync (a fresh snapshot) instead of a silent gap.

use std::process::Stdio;
use std::time::Duration;

use std::collections::HashMap;

use eventwire_tests::board::{
    Activity, Board, BoardApp, Status, Task, frame_arguments, raw_member,
};

use serde_json::Value;
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

/// Several subscriptions resuming on one connection share its queue: together they replay
/// at most half of it (here 8 packets, so 4 changes). Five subscriptions that each missed 3
/// changes would queue 15 changes and 5 answers at once; one replays, the others resync,
/// and none ends with `overflow`. One thread: the socket's writer does not drain the queue
/// between the resumes, as with resumes that arrive together after a reconnect.
#[tokio::test(flavor = "current_thread")]
async fn resumes_on_one_connection_share_its_queue() {
    let board = eventwire_tests::board::start_board_with(|server| server.max_buffer_size(8)).await;
    let activity = board.feeds.feed(Board::activity());
    let notice = |task| Activity {
        task,
        workspace: 10,
    };
    let subscriptions = eventwire_tests::board::BOARD_MAX_SUBSCRIPTIONS;

    let mut first = raw_member(&board.url, 10, "ann").await;
    let mut from = Vec::new();
    for ack in 1..=subscriptions {
        first
            .send(&format!(
                r#"42/board,{ack}["eventwire:subscribe",{{"feed":"activity"}}]"#
            ))
            .await;
        let answer = frame_arguments(&mut first).await;
        let data = &answer[0]["data"];
        assert_eq!(answer[0]["ok"], true, "{answer}");
        from.push((data["epoch"].clone(), data["offset"].clone()));
    }
    drop(first);
    let offset = |value: &Value| value.as_str().unwrap().parse::<u64>().unwrap();
    let before = offset(&from[0].1);
    assert!(from.iter().all(|(_, o)| offset(o) == before));
    // Missed while away: 3 changes for every subscription, each within the limit of one.
    for task in 1..=3 {
        activity.created(notice(task));
    }

    let mut second = raw_member(&board.url, 10, "ann").await;
    for (ack, (epoch, offset)) in (1..=subscriptions).zip(&from) {
        second
            .send(&format!(
                r#"42/board,{ack}["eventwire:subscribe",{{"feed":"activity","resume":{{"epoch":{epoch},"offset":{offset}}}}}]"#
            ))
            .await;
    }
    // Per subscription id: whether it resumed, and the offsets of the changes it got.
    let mut answers: HashMap<String, bool> = HashMap::new();
    let mut changes: HashMap<String, Vec<u64>> = HashMap::new();
    let mut live_sent = false;
    let live = before + 4;
    tokio::time::timeout(Duration::from_secs(10), async {
        while !(live_sent
            && answers.len() == subscriptions
            && answers
                .keys()
                .all(|id| changes.get(id).and_then(|c| c.last()) == Some(&live)))
        {
            let args = frame_arguments(&mut second).await;
            match args[0].as_str() {
                Some("eventwire:change") => changes
                    .entry(args[1]["id"].as_str().unwrap().to_owned())
                    .or_default()
                    .push(offset(&args[1]["offset"])),
                Some("eventwire:end") => panic!("a subscription ended: {args}"),
                _ => {
                    let data = &args[0]["data"];
                    assert_eq!(args[0]["ok"], true, "{args}");
                    answers.insert(
                        data["id"].as_str().unwrap().to_owned(),
                        data["resumed"] == true,
                    );
                }
            }
            if answers.len() == subscriptions && !live_sent {
                activity.created(notice(4));
                live_sent = true;
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("not every subscription went live: {answers:?} {changes:?}"));

    let resumed: Vec<&String> = answers
        .iter()
        .filter(|(_, r)| **r)
        .map(|(id, _)| id)
        .collect();
    assert_eq!(resumed.len(), 1, "one replay of 3 fits in 4: {answers:?}");
    for (id, resumed) in &answers {
        let expected: Vec<u64> = if *resumed {
            (before + 1..=live).collect()
        } else {
            vec![live]
        };
        assert_eq!(
            changes[id], expected,
            "subscription {id} (resumed: {resumed})"
        );
    }
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
