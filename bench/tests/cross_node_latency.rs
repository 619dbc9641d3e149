//! The cross-node latency measurement once, small: three node processes on a private
//! redis-server, both paths deliver every message to every receiver once and in order, and
//! the table prints. It measures nothing; `cargo run --release -p eventwire-bench --bin
//! cross-node-latency` does.

#[test]
fn both_paths_deliver_everything_across_three_nodes() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_cross-node-latency"))
        .args([
            "--runs",
            "1",
            "--messages",
            "300",
            "--receivers",
            "6",
            "--warmup",
            "50",
        ])
        .output()
        .expect("run cross-node-latency");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "failed:\n{stdout}\n{stderr}");
    if stderr.contains("redis-server is not on PATH") {
        // Said loudly by the Redis helper; with EVENTWIRE_REQUIRE_REDIS=1 it fails instead.
        return;
    }
    for path in [
        "feed (Redis Streams)",
        "room broadcast (Redis pub/sub adapter)",
    ] {
        let row = stdout
            .lines()
            .find(|line| line.starts_with(&format!("| {path} |")))
            .unwrap_or_else(|| panic!("no row for {path}:\n{stdout}\n{stderr}"));
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        // | path | p50 | p99 | max | remote | deliveries | lost | duplicates | out of order |
        // subscriptions ended |
        assert_eq!(
            &cells[6..11],
            &["1800", "0", "0", "0", "0"],
            "{path}: 300 messages to 6 receivers, each once and in order:\n{stdout}\n{stderr}"
        );
    }
    assert!(stdout.contains("Feed ÷ room broadcast"), "{stdout}");
}
