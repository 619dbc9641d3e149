//! Feed soak: subscribes, unsubscribes and disconnects over and over against the test
//! board on this process, and reports the resident memory before and after, and what stayed
//! registered (nothing may).
//!
//! `cargo run --release -p eventwire-bench --bin feed-soak -- [CYCLES]` (default 100,000).
//! Each cycle is one WebSocket connection that subscribes to a feed, unsubscribes,
//! subscribes again and disconnects without unsubscribing; every 100th publishes a change.

use std::time::{Duration, Instant};

use eventwire_tests::board::{Activity, Board, start_board_with};
use eventwire_tests::raw::{Next, RawSocket};

/// Resident memory of this process, in KiB.
fn resident_kib() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * 4
}

async fn expect_ok(socket: &mut RawSocket) {
    match socket.next().await {
        Next::Text(text) if text.contains(r#""ok":true"#) => {}
        other => panic!("expected an ok acknowledgement, got {other:?}"),
    }
}

async fn cycle(url: &str, n: u32) {
    let mut socket = RawSocket::open(url).await;
    socket
        .send(&format!(
            r#"40/board,{{"workspace":{},"name":"s"}}"#,
            n % 10
        ))
        .await;
    assert!(matches!(socket.next().await, Next::Text(t) if t.starts_with("40/board,{\"sid\"")));
    socket
        .send(r#"42/board,1["eventwire:subscribe",{"feed":"activity"}]"#)
        .await;
    let Next::Text(snapshot) = socket.next().await else {
        panic!("no snapshot")
    };
    let id = snapshot
        .split(r#""id":""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a subscription id")
        .to_owned();
    socket
        .send(&format!(
            r#"42/board,2["eventwire:unsubscribe",{{"id":"{id}"}}]"#
        ))
        .await;
    expect_ok(&mut socket).await;
    socket
        .send(r#"42/board,3["eventwire:subscribe",{"feed":"activity"}]"#)
        .await;
    expect_ok(&mut socket).await;
}

fn main() {
    let cycles: u32 = std::env::args()
        .nth(1)
        .map(|n| n.parse().expect("CYCLES is a number"))
        .unwrap_or(100_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async move {
        let board = start_board_with(|server| server.rate_limit(None)).await;
        let activity = board.feeds.feed(Board::activity());
        let settle = || async {
            let deadline = Instant::now() + Duration::from_secs(10);
            while activity.subscriptions() + activity.pending() > 0 && Instant::now() < deadline {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        };
        // Warm up: connection pools, allocator arenas, lazily created state.
        for n in 0..2_000 {
            cycle(&board.url, n).await;
        }
        settle().await;
        let baseline = resident_kib();
        let started = Instant::now();
        for n in 0..cycles {
            cycle(&board.url, n).await;
            if n % 100 == 0 {
                activity.created(Activity { task: n, workspace: n % 10 });
            }
            if n % 10_000 == 9_999 {
                println!("{:>7} cycles, resident {} KiB", n + 1, resident_kib());
            }
        }
        let elapsed = started.elapsed();
        settle().await;
        let after = resident_kib();
        let left = activity.subscriptions() + activity.pending();
        println!(
            "feed soak: {cycles} cycles in {:.1} s ({:.0}/s); resident {baseline} KiB before, {after} KiB after ({:+} KiB); subscriptions left: {left}",
            elapsed.as_secs_f64(),
            f64::from(cycles) / elapsed.as_secs_f64(),
            after as i64 - baseline as i64,
        );
        assert_eq!(left, 0, "subscriptions stayed registered");
    });
}
