//! Feeds across nodes on Redis Streams, under faults: three node processes (`feed_node`,
//! the board on a shared SQLite database, publishing after commit through the outbox), a
//! real redis-server, and six subscribers of the generated client spread over the nodes
//! (`feeds_nodes.mjs`), which count, for every committed change and every live matching
//! subscriber, duplicates, losses and changes out of order. Each test prints its counts.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use eventwire_tests::redis::Redis;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

/// A child process driven by lines on stdin and read by lines on stdout.
struct Driven {
    child: Child,
    stdin: ChildStdin,
    lines: Lines<BufReader<ChildStdout>>,
}

impl Driven {
    fn spawn(command: &mut Command) -> Self {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("the child starts");
        let stdin = child.stdin.take().expect("piped");
        let lines = BufReader::new(child.stdout.take().expect("piped")).lines();
        Self {
            child,
            stdin,
            lines,
        }
    }

    async fn send(&mut self, line: &str) {
        self.stdin
            .write_all(format!("{line}\n").as_bytes())
            .await
            .expect("the child reads its stdin");
    }

    /// The next line, which must start with `prefix`; the rest of it.
    async fn expect(&mut self, prefix: &str) -> String {
        let line = tokio::time::timeout(Duration::from_secs(60), self.lines.next_line())
            .await
            .unwrap_or_else(|_| panic!("no `{prefix}` within 60 s"))
            .expect("read the child's output")
            .unwrap_or_else(|| panic!("the child ended before `{prefix}`"));
        line.strip_prefix(prefix)
            .unwrap_or_else(|| panic!("expected `{prefix}`, got `{line}`"))
            .trim()
            .to_owned()
    }
}

/// One node: its process and URL.
struct Node {
    process: Driven,
    url: String,
}

async fn node(redis: &Redis, db: &PathBuf) -> Node {
    let mut process = Driven::spawn(
        Command::new(env!("CARGO_BIN_EXE_feed_node"))
            .arg(redis.url())
            .arg(db),
    );
    let url = process.expect("listening").await;
    Node { process, url }
}

/// Three nodes on a fresh database, and the subscribers, ready.
struct Lab {
    redis: Redis,
    db: PathBuf,
    nodes: Vec<Node>,
    clients: Driven,
}

async fn lab(name: &str) -> Option<Lab> {
    let redis = Redis::start().await?;
    assert!(
        eventwire_tests::repo_root()
            .join("node_modules/socket.io-client")
            .is_dir(),
        "the Node test clients need their packages: run `npm ci` at the repository root"
    );
    let db = std::env::temp_dir().join(format!(
        "eventwire-feeds-nodes-{name}-{}.db",
        std::process::id()
    ));
    remove(&db);
    let mut nodes = Vec::new();
    for _ in 0..3 {
        nodes.push(node(&redis, &db).await);
    }
    let mut clients = Driven::spawn(
        Command::new("node")
            .arg("feeds_nodes.mjs")
            .args(nodes.iter().map(|node| &node.url))
            .current_dir(eventwire_tests::node_dir()),
    );
    clients.expect("ready").await;
    Some(Lab {
        redis,
        db,
        nodes,
        clients,
    })
}

impl Lab {
    /// Tells the subscribers the last task is published; prints and returns their counts.
    async fn finish(mut self) -> String {
        self.clients.send("done").await;
        let counts = self.clients.expect("counts").await;
        eprintln!("counts: {counts}");
        let status = tokio::time::timeout(Duration::from_secs(30), self.clients.child.wait())
            .await
            .expect("the clients end")
            .expect("the clients ran");
        assert!(status.success(), "the subscribers' checks failed: {counts}");
        remove(&self.db);
        counts
    }
}

fn remove(db: &std::path::Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
}

#[tokio::test]
async fn a_node_killed_under_live_subscribers_loses_nothing() {
    let Some(mut lab) = lab("kill").await else {
        return;
    };
    lab.nodes[0].process.send("publish 1 300 5").await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    // Its two subscribers fail over to the next node and resume there.
    lab.nodes[1]
        .process
        .child
        .kill()
        .await
        .expect("kill node 1");
    lab.nodes[0].process.expect("published 300").await;
    lab.finish().await;
}

#[tokio::test]
async fn a_redis_restart_loses_nothing_or_resyncs() {
    let Some(mut lab) = lab("redis").await else {
        return;
    };
    lab.nodes[0].process.send("publish 1 300 5").await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    // Without persistence: the streams are gone, offsets start again under a new epoch.
    lab.redis.restart(Duration::from_millis(500)).await;
    lab.nodes[0].process.expect("published 300").await;
    let counts = lab.finish().await;
    assert!(
        !counts.contains("\"resyncs\":0,"),
        "a lost stream is told as a resync: {counts}"
    );
}

#[tokio::test]
async fn a_publisher_killed_between_commit_and_publish_loses_nothing() {
    let Some(mut lab) = lab("crash").await else {
        return;
    };
    lab.nodes[0].process.send("publish 1 100 3").await;
    lab.nodes[0].process.expect("published 100").await;
    // Five tasks committed, the first published but still in the outbox, then it dies.
    lab.nodes[0].process.send("crash 101 5").await;
    lab.nodes[0].process.expect("crashing").await;
    let status = lab.nodes[0].process.child.wait().await.expect("it ran");
    assert!(!status.success(), "the publisher died: {status}");
    // Its relay drains the outbox at start: 101 (already in the stream, recorded once)
    // to 105, then it goes on.
    let mut restarted = node(&lab.redis, &lab.db).await;
    restarted.process.send("publish 106 200 3").await;
    restarted.process.expect("published 200").await;
    lab.nodes[0] = restarted;
    lab.finish().await;
}
