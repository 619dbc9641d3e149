//! A 100 MB upload over loopback in 1 MB binary chunks, each awaited with `emitWithAck` (the
//! pattern socket.io documents for files), against eventwire and against Node's socket.io:
//! MB/s and the server's peak resident memory.
//!
//! `cargo run --release -p eventwire-bench --bin upload [megabytes]` (needs `node` and the
//! repository's `npm ci`). The client is socket.io-client in Node for both servers; client
//! and server share this machine's cores. Measured, never asserted.

use std::process::Stdio;
use std::time::Duration;

use eventwire::{Bytes, Contract, Cx, Server, payload};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

/// One chunk of a file.
#[payload]
pub struct Chunk {
    /// Its position.
    pub seq: u32,
    /// At most 1 MiB.
    #[validate(length(max = 1048576))]
    pub data: Bytes,
}

/// An upload in chunks.
#[derive(Contract)]
pub enum Upload {
    /// Stores one chunk; the answer is its size.
    #[client(ack = u32)]
    Chunk(Chunk),
}

struct App;

impl UploadHandlers for App {
    async fn chunk(&self, _: &Cx<Upload>, chunk: Chunk) -> u32 {
        chunk.data.len() as u32
    }
}

fn node_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("node")
}

/// Runs the Node client against `url`; returns MB/s.
async fn upload(url: &str, megabytes: &str) -> f64 {
    let output = Command::new("node")
        .arg(node_dir().join("upload.mjs"))
        .args([url, megabytes])
        .output()
        .await
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "upload.mjs failed: {stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
        .lines()
        .find_map(|l| l.strip_prefix("mb_per_s "))
        .and_then(|v| v.parse().ok())
        .expect("a figure")
}

/// This process's peak resident memory, in KiB (Linux).
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let megabytes = std::env::args().nth(1).unwrap_or_else(|| "100".into());

    let server = Server::new()
        .max_message_size(2 * 1024 * 1024)
        .contract::<Upload>(App);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("bound"));
    tokio::spawn(async move { server.serve_on(listener).await.expect("serve") });
    let idle = peak_rss_kib();
    let rust = upload(&url, &megabytes).await;
    let rust_rss = peak_rss_kib();

    let mut node = Command::new("node")
        .arg(node_dir().join("upload_server.mjs"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("node runs");
    let mut lines = BufReader::new(node.stdout.take().expect("stdout")).lines();
    let port = tokio::time::timeout(Duration::from_secs(10), lines.next_line())
        .await
        .expect("the Node server starts")
        .expect("reads")
        .and_then(|l| l.strip_prefix("port ").map(str::to_owned))
        .expect("a port");
    let node_speed = upload(&format!("http://127.0.0.1:{port}"), &megabytes).await;
    drop(node.stdin.take());
    let node_rss = lines
        .next_line()
        .await
        .expect("reads")
        .and_then(|l| l.strip_prefix("rss_kib ").map(str::to_owned))
        .expect("a memory figure");

    println!("upload of {megabytes} MB in 1 MB chunks, each awaited:");
    println!(
        "  eventwire  {rust:7.1} MB/s   server peak RSS {} MiB (idle {} MiB)",
        rust_rss / 1024,
        idle / 1024
    );
    println!(
        "  socket.io  {node_speed:7.1} MB/s   server peak RSS {} MiB",
        node_rss.parse::<u64>().unwrap_or(0) / 1024
    );
}
