//! Publish-to-delivery latency across three node processes sharing a private redis-server,
//! through the two ways a message crosses nodes: a feed (Redis Streams: the change is
//! appended to the feed's stream, and every node's reader hands it to its subscribers) and
//! a room broadcast (socketioxide's Redis pub/sub adapter: the publishing node delivers to
//! its own members and publishes to the others).
//!
//! `cargo run --release -p eventwire-bench --bin cross-node-latency -- [--runs 5]
//! [--messages 2500] [--rate 500] [--receivers 30] [--warmup 500]` (needs redis-server on
//! PATH).
//!
//! The receivers (spread evenly over the nodes) are each subscribed to the `stamps` feed and
//! joined to room `r`. A publisher inside the first node's process (a background task
//! driven by its stdin, as an app publishes) sends `--messages` messages at `--rate` per
//! second, each stamped with its send time on the machine's monotonic clock, through one
//! path per run; each receiver records, on the same clock, the time to its copy. Runs
//! alternate between the paths (feed first in even pairs, room first in odd ones), after
//! one unreported warm-up run of each. Every run counts, per receiver and message, copies
//! lost, duplicated and out of order. Nodes, Redis and receivers share this machine's
//! cores: read the figures as this machine's and the ratios as the finding. Measured,
//! never asserted.

use std::collections::HashMap;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use eventwire::feed::Refused;
use eventwire::{Contract, Cx, Filter, Server, payload};
use eventwire_bench::deliveries::{Run, Tally};
use eventwire_bench::stats::Summary;
use eventwire_tests::raw::{Next, RawSocket};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

/// A stamped message.
#[payload]
#[derive(Debug, Clone)]
pub struct Stamp {
    /// Its key in the feed: `run * 1,000,000 + seq`.
    pub id: u32,
    /// The run it belongs to.
    pub run: u32,
    /// Its number in the run, from 0.
    pub seq: u32,
    /// Microseconds on the machine's monotonic clock when it was published (2^53 µs is
    /// 285 years of uptime).
    #[validate(range(max = 9_007_199_254_740_991u64))]
    pub at: u64,
}

/// Which stamps a subscriber watches: the benchmark's subscribers take them all.
#[payload]
#[derive(Debug, Clone, Default, Filter)]
#[serde(deny_unknown_fields)]
#[filter(item = Stamp)]
pub struct StampFilter {
    /// One run only.
    #[filter(eq)]
    pub run: Option<u32>,
}

/// A room.
#[payload]
pub struct Room {
    /// Its name.
    pub room: String,
}

/// The benchmark's contract.
#[derive(Contract)]
#[contract(namespace = "/")]
pub enum Latency {
    /// The Streams path: stamps published as created items.
    #[feed(item = Stamp, key = id, filter = StampFilter)]
    Stamps,
    /// Joins a room.
    #[client(ack = ())]
    Join(Room),
    /// The pub/sub path: a stamp broadcast to room `r`.
    #[server]
    Delivered(Stamp),
}

struct App;

impl LatencyHandlers for App {
    async fn subscribe_stamps(
        &self,
        _: &Cx<Latency>,
        _: &mut StampFilter,
    ) -> Result<Vec<Stamp>, Refused> {
        // The measurement is of changes, not snapshots: it starts empty.
        Ok(Vec::new())
    }

    async fn join(&self, cx: &Cx<Latency>, room: Room) {
        cx.join(room.room);
    }
}

/// The way a message crosses nodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Path {
    /// A feed on Redis Streams.
    Feed,
    /// A room broadcast through the Redis pub/sub adapter.
    Room,
}

impl Path {
    fn word(self) -> &'static str {
        match self {
            Path::Feed => "feed",
            Path::Room => "room",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Path::Feed => "feed (Redis Streams)",
            Path::Room => "room broadcast (Redis pub/sub adapter)",
        }
    }
}

/// Microseconds on the monotonic clock, which every process of the machine shares.
fn now_us() -> u64 {
    let now = rustix::time::clock_gettime(rustix::time::ClockId::Monotonic);
    now.tv_sec as u64 * 1_000_000 + now.tv_nsec as u64 / 1_000
}

// --- a node -------------------------------------------------------------------------------

/// A node process: serves [`Latency`] on a Redis-backed server, prints `port <n>`, then
/// takes `publish <feed|room> <run> <messages> <rate>` on stdin, publishes from a task of
/// its own and prints `published <run> <failed emits>`.
async fn node(redis: &str) {
    let server = Server::redis(redis)
        .await
        .expect("the Redis adapter")
        .rate_limit(None);
    let stamps = server.feeds::<Latency>().feed(Latency::stamps());
    let rooms = server.emitter::<Latency>();
    let server = server.contract::<Latency>(App);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    println!("port {}", listener.local_addr().expect("bound").port());
    tokio::spawn(async move { server.serve_on(listener).await.expect("serve") });

    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let words: Vec<&str> = line.split_whitespace().collect();
        let ["publish", path, run, messages, rate] = words.as_slice() else {
            panic!("unknown command: {line}");
        };
        let (run, messages, rate): (u32, u32, u32) = (
            run.parse().expect("a run"),
            messages.parse().expect("a count"),
            rate.parse().expect("a rate"),
        );
        // The schedule, not the previous publish, sets each send time; a late tick is
        // caught up at once (tokio's default), so the rate holds on average.
        let mut ticker = tokio::time::interval(Duration::from_secs(1) / rate);
        let mut failed = 0;
        for seq in 0..messages {
            ticker.tick().await;
            let stamp = Stamp {
                id: run * 1_000_000 + seq,
                run,
                seq,
                at: now_us(),
            };
            match *path {
                "feed" => {
                    stamps.created(stamp);
                }
                "room" => {
                    if rooms.to("r").emit(Latency::delivered(stamp)).await.is_err() {
                        failed += 1;
                    }
                }
                other => panic!("unknown path {other}"),
            }
        }
        println!("published {run} {failed}");
    }
}

/// A node process seen from the driver.
struct NodeProcess {
    _child: Child,
    stdin: ChildStdin,
    lines: Lines<BufReader<ChildStdout>>,
    url: String,
}

impl NodeProcess {
    async fn spawn(redis: &str) -> Self {
        let mut child = Command::new(std::env::current_exe().expect("this program"))
            .args(["node", redis])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("a node starts");
        let stdin = child.stdin.take().expect("piped");
        let mut lines = BufReader::new(child.stdout.take().expect("piped")).lines();
        let port = Self::line(&mut lines, "port").await;
        Self {
            _child: child,
            stdin,
            lines,
            url: format!("http://127.0.0.1:{port}"),
        }
    }

    /// The rest of the next line, which must start with `prefix`.
    async fn line(lines: &mut Lines<BufReader<ChildStdout>>, prefix: &str) -> String {
        let line = tokio::time::timeout(Duration::from_secs(60), lines.next_line())
            .await
            .unwrap_or_else(|_| panic!("no `{prefix}` from a node within 60 s"))
            .expect("read a node's output")
            .unwrap_or_else(|| panic!("a node ended before `{prefix}`"));
        line.strip_prefix(prefix)
            .unwrap_or_else(|| panic!("expected `{prefix}` from a node, got `{line}`"))
            .trim()
            .to_owned()
    }

    /// Publishes a run and waits until the node has sent it; the emits that failed.
    async fn publish(&mut self, path: Path, run: u32, messages: u32, rate: u32) -> u64 {
        let command = format!("publish {} {run} {messages} {rate}\n", path.word());
        self.stdin
            .write_all(command.as_bytes())
            .await
            .expect("the node reads its stdin");
        let answer = Self::line(&mut self.lines, "published").await;
        let (done, failed) = answer.split_once(' ').expect("`<run> <failed>`");
        assert_eq!(
            done.parse::<u32>().ok(),
            Some(run),
            "the node published {done}"
        );
        failed.parse().expect("a count")
    }
}

// --- the receivers ------------------------------------------------------------------------

/// The runs in progress, by number, and what arrived for no run.
#[derive(Default)]
struct Book {
    runs: HashMap<u32, (Path, Run)>,
    strays: u64,
}

/// A receiver: subscribes to the feed and joins the room on `url`, then records every
/// stamp it gets, on either path, into `book` until the connection ends (its reads answer
/// the server's pings, so an idle stretch between runs does not drop it). A subscription
/// the server ends (`overflow`, when a stall filled the socket's queue) is counted in the
/// feed runs in progress and taken out again, as the generated client lets an app do.
async fn receiver(
    url: String,
    index: usize,
    book: Arc<Mutex<Book>>,
) -> tokio::task::JoinHandle<()> {
    let mut socket = RawSocket::connect(&url, "/").await;
    socket
        .send(r#"421["eventwire:subscribe",{"feed":"stamps","filter":{}}]"#)
        .await;
    expect_ack(&mut socket, "431").await;
    socket.send(r#"422["join",{"room":"r"}]"#).await;
    expect_ack(&mut socket, "432").await;
    tokio::spawn(async move {
        loop {
            match socket.next().await {
                Next::Text(text) => {
                    let received = now_us();
                    if let Some((path, stamp)) = stamp_of(&text) {
                        let mut book = book.lock().expect("not poisoned");
                        match book.runs.get_mut(&stamp.run) {
                            Some((expected, run)) if *expected == path => {
                                run.record(index, stamp.seq, received.saturating_sub(stamp.at));
                            }
                            _ => book.strays += 1,
                        }
                    } else if text.contains("eventwire:end") {
                        eprintln!("receiver {index}'s subscription ended: {text}");
                        for (path, run) in book.lock().expect("not poisoned").runs.values_mut() {
                            if *path == Path::Feed {
                                run.ended();
                            }
                        }
                        socket
                            .send(r#"42["eventwire:subscribe",{"feed":"stamps","filter":{}}]"#)
                            .await;
                    }
                }
                Next::Silence | Next::Binary(_) => {}
                Next::Closed => return,
            }
        }
    })
}

async fn expect_ack(socket: &mut RawSocket, prefix: &str) {
    match socket.next().await {
        Next::Text(text) if text.starts_with(prefix) && text.contains(r#""ok":true"#) => {}
        other => panic!("expected ack {prefix} with ok:true, got {other:?}"),
    }
}

/// The path and stamp of a delivery frame (`42["eventwire:change",{..,"item":{..}}]` or
/// `42["delivered",{..}]`).
fn stamp_of(text: &str) -> Option<(Path, StampSeen)> {
    let frame: Value = serde_json::from_str(text.strip_prefix("42")?).ok()?;
    let (path, stamp) = match frame.get(0)?.as_str()? {
        "eventwire:change" => (Path::Feed, frame.get(1)?.get("item")?),
        "delivered" => (Path::Room, frame.get(1)?),
        _ => return None,
    };
    let field = |name: &str| stamp.get(name).and_then(Value::as_u64);
    Some((
        path,
        StampSeen {
            run: u32::try_from(field("run")?).ok()?,
            seq: u32::try_from(field("seq")?).ok()?,
            at: field("at")?,
        },
    ))
}

/// The fields of a received stamp the tally needs.
struct StampSeen {
    run: u32,
    seq: u32,
    at: u64,
}

// --- the driver ---------------------------------------------------------------------------

struct Settings {
    runs: u32,
    messages: u32,
    rate: u32,
    receivers: usize,
    warmup: u32,
}

fn flag(args: &[String], name: &str, default: u32) -> u32 {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map_or(default, |v| v.parse().expect("a number"))
}

/// One run through `path`: its tally, with the emits that failed counted as lost already.
async fn run_once(
    publisher: &mut NodeProcess,
    book: &Arc<Mutex<Book>>,
    local: &[bool],
    path: Path,
    number: u32,
    messages: u32,
    rate: u32,
) -> (Tally, u64) {
    book.lock()
        .expect("not poisoned")
        .runs
        .insert(number, (path, Run::new(messages, local)));
    let failed = publisher.publish(path, number, messages, rate).await;
    // Wait for every copy, or until none has come for 2 s.
    let expected = messages as u64 * local.len() as u64;
    let mut last = (0, Instant::now());
    loop {
        let now = book.lock().expect("not poisoned").runs[&number]
            .1
            .deliveries();
        if now >= expected {
            break;
        }
        if now != last.0 {
            last = (now, Instant::now());
        } else if last.1.elapsed() > Duration::from_secs(2) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let (_, run) = book
        .lock()
        .expect("not poisoned")
        .runs
        .remove(&number)
        .expect("registered above");
    (run.tally(), failed)
}

fn print_report(settings: &Settings, nodes: usize, results: &[(Path, Tally, u64)], strays: u64) {
    let Settings {
        runs,
        messages,
        rate,
        receivers,
        ..
    } = settings;
    println!(
        "| {messages} messages at {rate}/s to {receivers} receivers on {nodes} nodes, published on node 1 | p50 ms | p99 ms | max ms | p50 / p99 ms on the other nodes | deliveries | lost | duplicates | out of order | subscriptions ended |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let mut medians = HashMap::new();
    for path in [Path::Feed, Path::Room] {
        let tallies: Vec<&Tally> = results
            .iter()
            .filter(|(p, ..)| *p == path)
            .map(|(_, tally, _)| tally)
            .collect();
        let failed: u64 = results
            .iter()
            .filter(|(p, ..)| *p == path)
            .map(|(.., failed)| failed)
            .sum();
        let of = |pick: fn(&Tally) -> f64| {
            Summary::of(&tallies.iter().map(|t| pick(t)).collect::<Vec<_>>())
        };
        let sum = |pick: fn(&Tally) -> u64| tallies.iter().map(|t| pick(t)).sum::<u64>();
        let range = |s: Summary| format!("{:.2} [{:.2}–{:.2}]", s.median, s.min, s.max);
        let (p50, p99, max) = (of(|t| t.p50), of(|t| t.p99), of(|t| t.max));
        let (remote_p50, remote_p99) = (of(|t| t.remote_p50), of(|t| t.remote_p99));
        println!(
            "| {} | {} | {} | {} | {:.2} / {:.2} | {} | {} | {} | {} | {} |",
            path.label(),
            range(p50),
            range(p99),
            range(max),
            remote_p50.median,
            remote_p99.median,
            sum(|t| t.deliveries),
            sum(|t| t.lost),
            sum(|t| t.duplicates),
            sum(|t| t.out_of_order),
            sum(|t| t.ended),
        );
        if failed > 0 {
            println!("\n{failed} emits of the {} path failed.", path.word());
        }
        medians.insert(path, (p50.median, p99.median, remote_p50.median));
    }
    let (feed, room) = (medians[&Path::Feed], medians[&Path::Room]);
    println!(
        "\nMedians of {runs} runs per path [min–max]. Feed ÷ room broadcast: p50 {:.2}×, p99 {:.2}×, p50 on the other nodes {:.2}×.",
        feed.0 / room.0,
        feed.1 / room.1,
        feed.2 / room.2
    );
    if strays > 0 {
        println!("{strays} copies arrived after their run was counted.");
    }
}

async fn drive(settings: Settings) {
    let Some(redis) = eventwire_tests::redis::Redis::start().await else {
        eprintln!("redis-server is not on PATH: nothing measured");
        return;
    };
    let mut nodes = Vec::new();
    for _ in 0..3 {
        nodes.push(NodeProcess::spawn(&redis.url()).await);
    }
    let book = Arc::new(Mutex::new(Book::default()));
    let mut local = Vec::new();
    let mut tasks = Vec::new();
    for index in 0..settings.receivers {
        let node = index % nodes.len();
        local.push(node == 0);
        tasks.push(receiver(nodes[node].url.clone(), index, book.clone()).await);
    }
    let publisher = &mut nodes[0];
    let mut number = 0;
    for path in [Path::Feed, Path::Room] {
        let (tally, _) = run_once(
            publisher,
            &book,
            &local,
            path,
            number,
            settings.warmup,
            settings.rate,
        )
        .await;
        eprintln!("warm-up, {}: {tally:?}", path.word());
        number += 1;
    }
    let mut results = Vec::new();
    for pair in 0..settings.runs {
        let order = if pair % 2 == 0 {
            [Path::Feed, Path::Room]
        } else {
            [Path::Room, Path::Feed]
        };
        for path in order {
            let (tally, failed) = run_once(
                publisher,
                &book,
                &local,
                path,
                number,
                settings.messages,
                settings.rate,
            )
            .await;
            eprintln!(
                "run {pair}, {}: {tally:?}, {failed} failed emits",
                path.word()
            );
            results.push((path, tally, failed));
            number += 1;
        }
    }
    let strays = book.lock().expect("not poisoned").strays;
    print_report(&settings, nodes.len(), &results, strays);
    for task in tasks {
        task.abort();
    }
    drop(nodes);
    drop(redis);
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    // One thread per process: three nodes, Redis and the receivers already outnumber the
    // machine's cores.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    // Dropped packets are logged as warnings (full queues, a feed's full publish queue).
    tracing_subscriber::fmt()
        .with_env_filter("warn")
        .with_writer(std::io::stderr)
        .init();
    if args.get(1).map(String::as_str) == Some("node") {
        runtime.block_on(node(args.get(2).expect("`node <redis url>`")));
        return;
    }
    let settings = Settings {
        runs: flag(&args, "--runs", 5),
        messages: flag(&args, "--messages", 2_500),
        rate: flag(&args, "--rate", 500),
        receivers: flag(&args, "--receivers", 30) as usize,
        warmup: flag(&args, "--warmup", 500),
    };
    runtime.block_on(drive(settings));
}
