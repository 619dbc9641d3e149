//! eventwire's benchmarks: eventwire against raw socketioxide, Node's socket.io and a
//! tokio-tungstenite ceiling, side by side in one run.
//!
//! `./scripts/bench` runs everything and rewrites `BENCHMARKS.md` and the charts under
//! `docs/benchmarks/`; the test command runs every workload once at a tiny size
//! (`bench/tests/smoke.rs`).
//!
//! # How it measures
//!
//! - **The load generator** is this crate, on one thread (a current-thread tokio runtime,
//!   pinned to core 1). It speaks Engine.IO v4 / Socket.IO v5 over WebSocket itself
//!   ([`client`]): `/socket.io/?EIO=4&transport=websocket`, the open packet, `40`, the
//!   `40{sid}` answer, pongs to pings. Frames are encoded once; per message only the ack id
//!   is written. A connection task handles every frame already received before it flushes
//!   its answers, so requests are pipelined. Latencies go into HDR histograms
//!   ([`stats`]). Its own CPU time is read from `/proc/self/stat` for every run and
//!   reported, to show it was not the bottleneck.
//! - **The servers** ([`servers`], `bench/node/server.mjs`) run as child processes pinned to
//!   core 0 with `taskset`, the Rust ones on a current-thread tokio runtime, each run
//!   against a freshly started server, peers interleaved within every repeat
//!   ([`plan`]). All do the same work on the same frames (see [`servers`]).
//! - **Open-loop timing** (W1) follows a schedule driven by a 100 µs `timerfd`
//!   ([`ticker`]) and measures from each request's due time, so a stalled server is
//!   charged for every request that queued behind the stall (no coordinated omission).
//! - **Drops** are counted in every workload: events sent against answers received, W3
//!   copies expected against copies received, W4 connections opened against connections
//!   still open.

pub mod callgrind;
pub mod charts;
pub mod client;
pub mod deliveries;
pub mod feeds;
pub mod in_process;
pub mod payloads;
pub mod peer;
pub mod plan;
pub mod process;
pub mod report;
pub mod servers;
pub mod stats;
pub mod ticker;
pub mod workloads;

/// Errors of the benchmark: reported, never recovered from.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// The benchmark's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
