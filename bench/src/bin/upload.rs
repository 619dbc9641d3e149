//! A 100 MB upload over loopback, three ways: in 1 MB binary chunks, each awaited with
//! `emitWithAck` (the pattern socket.io documents for files), against eventwire and against
//! Node's socket.io; and through eventwire's upload stream (`#[upload]`, the generated
//! client's `stream(meta, data)`: 1 MiB chunks, a window of 8 in flight, SHA-256 checked).
//! MB/s and the server's peak resident memory, median of three rounds run side by side.
//!
//! `cargo run --release -p eventwire-bench --bin upload [megabytes] [rounds]` (needs `node`
//! and the repository's `npm ci`). The client is socket.io-client in Node for every server;
//! client and server share this machine's cores. Measured, never asserted.

use std::process::Stdio;
use std::time::Duration;

use eventwire::{Bytes, Contract, Cx, Server, payload};
use futures_util::StreamExt;
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

/// What a streamed upload declares.
#[payload]
pub struct FileMeta {
    /// The file's name.
    pub name: String,
}

/// An upload in chunks.
#[derive(Contract)]
pub enum Upload {
    /// Stores one chunk; the answer is its size.
    #[client(ack = u32)]
    Chunk(Chunk),
    /// Receives a whole file as a stream; the answer is its size.
    #[upload(ack = u32)]
    Stream(FileMeta),
}

struct App;

impl UploadHandlers for App {
    async fn chunk(&self, _: &Cx<Upload>, chunk: Chunk) -> u32 {
        chunk.data.len() as u32
    }

    async fn stream(
        &self,
        _: &Cx<Upload>,
        _: FileMeta,
        mut upload: eventwire::upload::Upload,
    ) -> u32 {
        let mut size = 0;
        while let Some(chunk) = upload.next().await {
            match chunk {
                Ok(chunk) => size += chunk.len(),
                Err(_) => return 0,
            }
        }
        size as u32
    }
}

fn node_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("node")
}

/// Runs a Node client script against `url`; returns MB/s.
async fn run_client(script: &str, args: &[&str]) -> f64 {
    let output = Command::new("node")
        .arg(node_dir().join(script))
        .args(args)
        .output()
        .await
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{script} failed: {stdout}{}",
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

/// Resets the peak resident memory to the current one (Linux), so that each mode's peak is
/// its own.
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// The generated client of the `Upload` contract, written where Node resolves
/// socket.io-client from the repository's `node_modules`; returns the `.js` path.
fn generated_client() -> std::path::PathBuf {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("repo root");
    let dir = root.join("target/upload-bench");
    std::fs::create_dir_all(&dir).expect("output dir");
    let files = eventwire_codegen::Generator::new()
        .contract::<Upload>()
        .files("upload")
        .expect("generates");
    for file in &files {
        std::fs::write(dir.join(&file.name), &file.contents).expect("write");
    }
    dir.join("upload.js")
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let megabytes = std::env::args().nth(1).unwrap_or_else(|| "100".into());
    let rounds: usize = std::env::args()
        .nth(2)
        .and_then(|r| r.parse().ok())
        .unwrap_or(3);
    let client = generated_client();
    let client = client.to_str().expect("a UTF-8 path");

    let server = Server::new()
        .max_message_size(2 * 1024 * 1024)
        .upload_chunk_size(1024 * 1024)
        .max_upload_size(1 << 30)
        .contract::<Upload>(App);
    let url = eventwire_tests::serve_ephemeral(server).await;
    let idle = peak_rss_kib();

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
    let node_url = format!("http://127.0.0.1:{port}");

    let (mut awaited, mut streamed, mut node_speeds) = (Vec::new(), Vec::new(), Vec::new());
    let (mut awaited_rss, mut streamed_rss) = (0, 0);
    for _ in 0..rounds {
        reset_peak_rss();
        awaited.push(run_client("upload.mjs", &[&url, &megabytes]).await);
        awaited_rss = awaited_rss.max(peak_rss_kib());
        reset_peak_rss();
        streamed.push(run_client("upload_stream.mjs", &[&url, &megabytes, client]).await);
        streamed_rss = streamed_rss.max(peak_rss_kib());
        node_speeds.push(run_client("upload.mjs", &[&node_url, &megabytes]).await);
    }
    drop(node.stdin.take());
    let node_rss = lines
        .next_line()
        .await
        .expect("reads")
        .and_then(|l| l.strip_prefix("rss_kib ").map(str::to_owned))
        .expect("a memory figure");
    let node_rss: u64 = node_rss.parse().unwrap_or(0);

    let (awaited, streamed, node_speed) = (median(awaited), median(streamed), median(node_speeds));
    println!(
        "upload of {megabytes} MB over loopback, median of {rounds} rounds (server idle RSS {} MiB):",
        idle / 1024
    );
    println!(
        "  eventwire, 1 MB chunks each awaited  {awaited:7.1} MB/s   server peak RSS {} MiB",
        awaited_rss / 1024
    );
    println!(
        "  eventwire upload stream (window 8)   {streamed:7.1} MB/s   server peak RSS {} MiB",
        streamed_rss / 1024
    );
    println!(
        "  socket.io, 1 MB chunks each awaited  {node_speed:7.1} MB/s   server peak RSS {} MiB",
        node_rss / 1024
    );
    println!(
        "  stream / socket.io: {:.2}x; stream / eventwire awaited: {:.2}x",
        streamed / node_speed,
        streamed / awaited
    );
}
