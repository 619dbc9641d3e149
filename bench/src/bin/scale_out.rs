//! Cross-node delivery on three eventwire nodes sharing a private redis-server: latency of
//! room broadcasts (p50/p99/p99.9, HDR histogram) at a fixed rate, and broadcast throughput.
//!
//! `cargo run --release -p eventwire-bench --bin scale-out` (needs redis-server on PATH).
//! A publisher on node 1 emits to a room with 10 members on each of the three nodes; every
//! member records the time from emit to receipt against the process's own clock. Nodes,
//! Redis and clients share this machine's cores: read the figures as this machine's, not as
//! a capacity plan. Measured, never asserted.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use eventwire::{Contract, Cx, payload};
use eventwire_bench::in_process;
use eventwire_tests::raw::{Next, RawSocket};
use hdrhistogram::Histogram;
use tokio::sync::Mutex;

/// A stamped message.
#[payload]
pub struct Stamp {
    /// The room.
    pub room: String,
    /// Nanoseconds since the benchmark's epoch when it was emitted (2^53 ns is 104 days,
    /// far longer than a run).
    #[validate(range(max = 9_007_199_254_740_991u64))]
    pub at: u64,
}

/// A room.
#[payload]
pub struct Room {
    /// Its name.
    pub room: String,
}

/// The benchmark's contract.
#[derive(Contract)]
#[contract(namespace = "/bench")]
pub enum Bench {
    /// Joins a room.
    #[client(ack = ())]
    Join(Room),
    /// Emits the stamp to the room's other members (on every node).
    #[client(ack = ())]
    Publish(Stamp),
    /// A stamp from the publisher.
    #[server]
    Delivered(Stamp),
}

struct App;

impl BenchHandlers for App {
    async fn join(&self, cx: &Cx<Bench>, room: Room) {
        cx.join(room.room);
    }

    async fn publish(&self, cx: &Cx<Bench>, stamp: Stamp) {
        let room = stamp.room.clone();
        let _ = cx.to(room).emit(Bench::delivered(stamp)).await;
    }
}

const RECEIVERS_PER_NODE: usize = 10;
const RATE_PER_SECOND: u64 = 500;
const LATENCY_MESSAGES: u64 = 5_000;
const THROUGHPUT_MESSAGES: u64 = 5_000;

#[tokio::main]
async fn main() {
    in_process::log_warnings();
    let redis = eventwire_tests::redis::Redis::start()
        .await
        .expect("redis-server on PATH");
    let mut nodes = Vec::new();
    for _ in 0..3 {
        let server = in_process::on_redis(&redis)
            .await
            .rate_limit(None)
            .contract::<Bench>(App);
        nodes.push(eventwire_tests::serve_ephemeral(server).await);
    }

    let epoch = Instant::now();
    let latencies = Arc::new(Mutex::new(
        Histogram::<u64>::new_with_bounds(1_000, 60_000_000_000, 3).expect("bounds"),
    ));
    let received = Arc::new(AtomicU64::new(0));
    let mut receivers = Vec::new();
    for node in &nodes {
        for _ in 0..RECEIVERS_PER_NODE {
            let mut socket = RawSocket::connect(node, "/bench").await;
            socket.send(r#"42/bench,1["join",{"room":"r"}]"#).await;
            assert!(matches!(socket.next().await, Next::Text(t) if t.starts_with("43/bench,1")));
            let (latencies, received) = (latencies.clone(), received.clone());
            receivers.push(tokio::spawn(async move {
                while let Next::Text(text) = socket.next().await {
                    if let Some(at) = text
                        .split("\"at\":")
                        .nth(1)
                        .and_then(|rest| rest.trim_end_matches(['}', ']']).parse::<u64>().ok())
                    {
                        let latency = epoch.elapsed().as_nanos() as u64 - at;
                        latencies.lock().await.saturating_record(latency);
                        received.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }));
        }
    }
    let members = (RECEIVERS_PER_NODE * nodes.len()) as u64;
    let mut publisher = RawSocket::connect(&nodes[0], "/bench").await;

    // Latency at a fixed rate (the schedule, not the previous send, sets each emit time).
    let mut ticker = tokio::time::interval(Duration::from_secs(1) / RATE_PER_SECOND as u32);
    for i in 0..LATENCY_MESSAGES {
        ticker.tick().await;
        let at = epoch.elapsed().as_nanos() as u64;
        publisher
            .send(&format!(r#"42/bench,["publish",{{"room":"r","at":{at}}}]"#))
            .await;
        let _ = i;
    }
    wait_for(&received, LATENCY_MESSAGES * members).await;
    let h = latencies.lock().await.clone();
    let ms = |ns: u64| ns as f64 / 1e6;
    println!("| workload | value |\n|---|---|");
    println!(
        "| cross-node broadcast latency at {RATE_PER_SECOND} msg/s to {members} members on 3 nodes | p50 {:.2} ms, p99 {:.2} ms, p99.9 {:.2} ms, max {:.2} ms ({} deliveries) |",
        ms(h.value_at_quantile(0.5)),
        ms(h.value_at_quantile(0.99)),
        ms(h.value_at_quantile(0.999)),
        ms(h.max()),
        h.len()
    );

    // Throughput: as fast as the publisher can emit.
    received.store(0, Ordering::Relaxed);
    let start = Instant::now();
    for _ in 0..THROUGHPUT_MESSAGES {
        let at = epoch.elapsed().as_nanos() as u64;
        publisher
            .send(&format!(r#"42/bench,["publish",{{"room":"r","at":{at}}}]"#))
            .await;
    }
    let delivered = wait_for(&received, THROUGHPUT_MESSAGES * members).await;
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "| broadcast throughput, {THROUGHPUT_MESSAGES} emits to {members} members on 3 nodes | {:.0} deliveries/s ({delivered} of {} delivered in {seconds:.2} s) |",
        delivered as f64 / seconds,
        THROUGHPUT_MESSAGES * members
    );
    drop(receivers);
    drop(redis);
}

/// Waits until `expected` deliveries arrived or they stop coming for 3 s; returns the count.
async fn wait_for(received: &AtomicU64, expected: u64) -> u64 {
    let mut last = (0, Instant::now());
    loop {
        let now = received.load(Ordering::Relaxed);
        if now >= expected {
            return now;
        }
        if now != last.0 {
            last = (now, Instant::now());
        } else if last.1.elapsed() > Duration::from_secs(3) {
            return now;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
