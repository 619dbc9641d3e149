//! The servers under test, run as child processes of the benchmark (`bench serve PEER`).
//!
//! Every peer does the same work for the same frames: it decodes and validates the event's
//! payload and answers `{"ok":true,"data":...}` as its acknowledgement (`echo` with the
//! message, `order` with a [`Receipt`](crate::payloads::Receipt)), joins rooms (`join`),
//! and broadcasts `publish` to the room as `news`. They differ only in how:
//!
//! - [`eventwire`]: a typed contract with `#[validate]` rules and typed acks;
//! - [`raw`]: socketioxide by hand, `TryData<T>` + hand-written checks + `AckSender`;
//! - `node`: Node's socket.io 4.8 (`bench/node/server.mjs`);
//! - [`echo`]: the ceiling, tokio-tungstenite answering Socket.IO frames without parsing
//!   their JSON.

pub mod echo;
pub mod eventwire;
pub mod raw;

use std::io::Write;

use tokio::net::TcpListener;

use crate::Result;

/// A Rust server's runtime: a current-thread tokio runtime for one thread (the pinned
/// runs), a multi-thread one otherwise.
fn runtime(threads: usize) -> Result<tokio::runtime::Runtime> {
    Ok(if threads <= 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .enable_all()
            .build()?
    })
}

/// Serves `peer` on an ephemeral port of 127.0.0.1 and prints `port <n>` on stdout; runs
/// until killed or until stdin closes (the benchmark is gone).
pub fn serve(peer: &str, threads: usize) -> Result<()> {
    crate::process::raise_fd_limit()?;
    std::thread::spawn(|| {
        let _ = std::io::copy(&mut std::io::stdin(), &mut std::io::sink());
        std::process::exit(0);
    });
    runtime(threads)?.block_on(async move {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "port {}", listener.local_addr()?.port())?;
        stdout.flush()?;
        drop(stdout);
        match peer {
            "eventwire" => eventwire::serve(listener).await,
            "raw" => raw::serve(listener).await,
            "echo" => echo::serve(listener).await,
            "feeds" => crate::feeds::server::serve(listener).await,
            other => Err(format!("unknown Rust peer `{other}`").into()),
        }
    })
}
