//! Catching up after a disconnect: a subscriber drops, changes are published while it is
//! away (2 s), and it subscribes again with `resume` from the last offset it applied. The
//! figure is the time from that subscribe to the last missed change received, with every
//! missed change checked: each once, in offset order, none lost. On one node the history is
//! in the server's memory; across two nodes sharing a private redis-server it is the feed's
//! Redis stream, and the subscriber resumes on the other node.
//!
//! `cargo run --release -p eventwire-bench --bin feed-catchup -- [--changes 10000] [--runs 5]`
//! (needs redis-server on PATH for the cross-node rows). Client and servers share this
//! machine's cores and one process: read the figures as this machine's. Measured, never
//! asserted.

use std::time::{Duration, Instant};

use eventwire::feed::Refused;
use eventwire::{Cx, Feed, Server, ServerAdapter};
use eventwire_bench::feeds::server::{Live, LiveHandlers, Status, Task, TaskFilter};
use eventwire_bench::in_process;
use eventwire_tests::raw::{Next, RawSocket};

/// The feed only: subscribers start from an empty snapshot, changes are published here.
struct App;

impl LiveHandlers for App {
    async fn subscribe_tasks(
        &self,
        _: &Cx<Live>,
        _: &mut TaskFilter,
    ) -> Result<Vec<Task>, Refused> {
        Ok(Vec::new())
    }
    async fn change(&self, _: &Cx<Live>, _: Task) {}
    async fn join(&self, _: &Cx<Live>, _: eventwire_bench::feeds::server::Room) {}
    async fn publish(&self, _: &Cx<Live>, _: eventwire_bench::feeds::server::Publish) {}
}

/// A node: its URL and its handle on the feed.
struct Node {
    url: String,
    tasks: Feed<Task, TaskFilter>,
}

async fn node<A: ServerAdapter>(server: Server<A>, changes: usize) -> Node {
    // Long enough a history, a resume buffer and a socket queue for every missed change
    // (the replay goes into the socket's queue at once, so a resume replays at most half
    // of it; a longer one is a resync).
    let server = server
        .rate_limit(None)
        .max_buffer_size(changes * 2)
        .feed_history(changes * 2)
        .subscription_buffer(changes * 2);
    let tasks = server.feeds::<Live>().feed(Live::tasks());
    let url = eventwire_tests::serve_ephemeral(server.contract::<Live>(App)).await;
    Node { url, tasks }
}

/// The text after `"<field>":"` up to the next quote.
fn text_field<'a>(frame: &'a str, field: &str) -> Option<&'a str> {
    let start = frame.find(&format!(r#""{field}":""#))? + field.len() + 4;
    frame[start..].split('"').next()
}

/// Subscribes on `url`; the epoch and offset of the (empty) snapshot.
async fn subscribe(url: &str) -> (RawSocket, String, String) {
    let mut socket = RawSocket::connect(url, "/").await;
    socket
        .send(r#"421["eventwire:subscribe",{"feed":"tasks","filter":{}}]"#)
        .await;
    let Next::Text(answer) = socket.next().await else {
        panic!("no answer to the subscribe")
    };
    let epoch = text_field(&answer, "epoch").expect("an epoch").to_owned();
    let offset = text_field(&answer, "offset").expect("an offset").to_owned();
    (socket, epoch, offset)
}

/// One catch-up: subscribe on `first`, drop, publish `changes` on `publisher`, wait 2 s,
/// resume on `second`; the time to the last missed change.
async fn catch_up(
    first: &Node,
    publisher: &Node,
    second: &Node,
    changes: usize,
    run: usize,
) -> Duration {
    let (socket, epoch, offset) = subscribe(&first.url).await;
    drop(socket);
    let base = run * 1_000_000;
    for n in 0..changes {
        publisher.tasks.created(Task {
            id: (base + n) as u32,
            project: 1,
            status: Status::Todo,
            priority: 3,
            title: format!("missed change {n}"),
        });
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut socket = RawSocket::connect(&second.url, "/").await;
    let started = Instant::now();
    socket
        .send(&format!(
            r#"421["eventwire:subscribe",{{"feed":"tasks","filter":{{}},"resume":{{"epoch":"{epoch}","offset":"{offset}"}}}}]"#
        ))
        .await;
    let mut next_id = base;
    let mut resumed = false;
    while next_id < base + changes {
        match socket.next().await {
            Next::Text(text) if text.starts_with("431") => {
                resumed = text.contains(r#""resumed":true"#);
                assert!(resumed, "the resume was answered with a resync: {text}");
            }
            Next::Text(text) if text.contains("eventwire:change") => {
                let id: usize = text
                    .split(r#""key":"#)
                    .nth(1)
                    .and_then(|rest| rest.split([',', '}']).next())
                    .and_then(|key| key.parse().ok())
                    .expect("a key");
                assert_eq!(id, next_id, "missed changes arrive each once, in order");
                next_id += 1;
            }
            Next::Text(text) if text.contains("eventwire:end") => {
                panic!("the subscription ended while catching up: {text}")
            }
            Next::Text(_) => {}
            other => panic!(
                "the connection ended while catching up ({other:?}), {} of {changes} changes received",
                next_id - base
            ),
        }
    }
    assert!(resumed);
    let took = started.elapsed();
    eprintln!("run {run}: caught up with {changes} changes in {took:?}");
    took
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn flag(args: &[String], name: &str, default: usize) -> usize {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map_or(default, |v| v.parse().expect("a number"))
}

#[tokio::main]
async fn main() {
    in_process::log_warnings();
    let args: Vec<String> = std::env::args().collect();
    let changes = flag(&args, "--changes", 10_000);
    let runs = flag(&args, "--runs", 5);

    let single = node(Server::new(), changes).await;
    let mut one_node = Vec::new();
    for run in 0..runs {
        one_node.push(catch_up(&single, &single, &single, changes, run).await);
    }

    let mut across = Vec::new();
    let redis = eventwire_tests::redis::Redis::start().await;
    if let Some(redis) = &redis {
        let mut nodes = Vec::new();
        for _ in 0..2 {
            nodes.push(node(in_process::on_redis(redis).await, changes).await);
        }
        // The feed's reader on each node starts with the node.
        tokio::time::sleep(Duration::from_millis(500)).await;
        for run in 0..runs {
            across.push(catch_up(&nodes[0], &nodes[0], &nodes[1], changes, runs + run).await);
        }
    } else {
        eprintln!("redis-server is not on PATH: the cross-node row is skipped");
    }

    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let row = |name: &str, samples: Vec<Duration>| {
        let (min, max) = (samples.iter().min().copied(), samples.iter().max().copied());
        let median = median(samples);
        println!(
            "| {name} | {:.0} [{:.0}–{:.0}] | {:.0} |",
            ms(median),
            min.map_or(0.0, ms),
            max.map_or(0.0, ms),
            changes as f64 / median.as_secs_f64()
        );
    };
    println!(
        "| resumed after a 2 s disconnect that missed {changes} changes | ms to caught up, median of {runs} [min–max] | changes/s |"
    );
    println!("|---|---:|---:|");
    row("one node (history in memory)", one_node);
    if !across.is_empty() {
        row(
            "two nodes on Redis, resumed on the other node (history in a Redis stream)",
            across,
        );
    }
}
