//! `bench callgrind`: instructions per event, counted by callgrind.
//!
//! Wall-clock figures move with whatever else the machine runs; an instruction count does
//! not. Each Rust peer is served on one thread under `valgrind --tool=callgrind`, one
//! connection sends `echo` events (~100 B, validated, acknowledged) with 8 in flight (or
//! `--in-flight N`), and the server exits cleanly (its stdin closes) so callgrind writes
//! its totals. Two runs with different event counts are subtracted, which cancels
//! start-up, the handshake and shutdown: what is left is the cost of one event. One
//! start-up cost does not cancel, as it varies with wall time: quanta's clock calibration,
//! which is left out of the count.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::Result;
use crate::client::{Conn, Frame, Request};
use crate::payloads::message_json;
use crate::peer::Peer;

/// Events of the shorter run; the longer one sends this plus the measured count.
const BASE_EVENTS: u64 = 2_000;

/// The function that calibrates quanta's clock (eventwire's and the rate limiter's).
const QUANTA_CALIBRATION: &str = "<quanta::Clock as core::default::Default>::default";

/// Events in flight on the one connection, unless told otherwise.
pub const IN_FLIGHT: u64 = 8;

/// What callgrind counts per `echo` event of `peer`, from runs of `BASE_EVENTS` and
/// `BASE_EVENTS + events` events, `in_flight` at a time: `Ir` (instructions) first, and
/// with `cache_sim` its simulated cache's reads, writes and misses (`I1mr`: first-level
/// instruction cache misses, `D1mr`/`D1mw`: first-level data misses, `ILmr`/`DLmr`/`DLmw`:
/// last-level misses). With `keep`, callgrind's output files stay there (for
/// `callgrind_annotate`).
pub fn counts_per_event(
    bench: &Path,
    peer: Peer,
    (events, in_flight): (u64, u64),
    keep: Option<&Path>,
    cache_sim: bool,
) -> Result<Vec<(String, f64)>> {
    let small = totals(bench, peer, (BASE_EVENTS, in_flight), keep, cache_sim)?;
    let large = totals(
        bench,
        peer,
        (BASE_EVENTS + events, in_flight),
        keep,
        cache_sim,
    )?;
    Ok(large
        .into_iter()
        .zip(small)
        .map(|((name, large), (_, small))| {
            (name, large.saturating_sub(small) as f64 / events as f64)
        })
        .collect())
}

/// Everything callgrind counted while `peer` served `events` echo events, `in_flight` at
/// a time.
fn totals(
    bench: &Path,
    peer: Peer,
    (events, in_flight): (u64, u64),
    keep: Option<&Path>,
    cache_sim: bool,
) -> Result<Vec<(String, u64)>> {
    let out = keep
        .map_or_else(std::env::temp_dir, Path::to_owned)
        .join(format!(
            "callgrind.{}-{events}x{in_flight}.out",
            peer.name()
        ));
    let remove = keep.is_none();
    counts_serving(bench, peer.name(), &out, remove, cache_sim, |addr| {
        echo(addr, events, in_flight)
    })
}

/// Every instruction `bench serve <peer> --threads 1` ran, under callgrind, while `load`
/// drove it at the address it printed; callgrind's output goes to `out` (removed after
/// when `remove`).
pub fn instructions_serving<F>(
    bench: &Path,
    peer: &str,
    out: &Path,
    remove: bool,
    load: impl FnOnce(SocketAddr) -> F,
) -> Result<u64>
where
    F: Future<Output = Result<()>>,
{
    let counts = counts_serving(bench, peer, out, remove, false, load)?;
    Ok(counts.first().map_or(0, |(_, count)| *count))
}

/// Like [`instructions_serving`], every event callgrind counted (see [`counts_per_event`]).
fn counts_serving<F>(
    bench: &Path,
    peer: &str,
    out: &Path,
    remove: bool,
    cache_sim: bool,
    load: impl FnOnce(SocketAddr) -> F,
) -> Result<Vec<(String, u64)>>
where
    F: Future<Output = Result<()>>,
{
    let mut child = Command::new("valgrind")
        .args(["-q", "--tool=callgrind"])
        .arg(format!(
            "--cache-sim={}",
            if cache_sim { "yes" } else { "no" }
        ))
        // quanta calibrates its clock once per process by spinning for a stretch of wall
        // time, so the instructions it runs vary from run to run (by up to 10 million
        // under valgrind: 500 per event of noise on 20,000 events). Not counted; with a
        // toggle, callgrind starts collecting only if told to.
        .arg(format!("--toggle-collect={QUANTA_CALIBRATION}"))
        .arg("--collect-atstart=yes")
        .arg(format!("--callgrind-out-file={}", out.display()))
        .arg(bench)
        .args(["serve", peer, "--threads", "1"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|error| format!("cannot start valgrind (is it installed?): {error}"))?;
    let mut line = String::new();
    BufReader::new(child.stdout.take().ok_or("no stdout")?).read_line(&mut line)?;
    let port: u16 = line
        .trim()
        .strip_prefix("port ")
        .ok_or_else(|| format!("{peer} printed {line:?}, not its port"))?
        .parse()?;
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let sent = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(load(addr));
    // Closing stdin makes the server exit by itself, and callgrind write its totals.
    drop(child.stdin.take());
    let status = child.wait()?;
    sent?;
    if !status.success() {
        return Err(format!("{peer} under callgrind exited with {status}").into());
    }
    let text = std::fs::read_to_string(out)?;
    if remove {
        let _ = std::fs::remove_file(out);
    }
    let names = text
        .lines()
        .find_map(|line| line.strip_prefix("events: "))
        .ok_or("no events line in callgrind's output")?
        .split_whitespace();
    let values = text
        .lines()
        .find_map(|line| line.strip_prefix("summary: "))
        .or_else(|| text.lines().find_map(|line| line.strip_prefix("totals: ")))
        .ok_or("no totals in callgrind's output")?
        .split_whitespace()
        .map(str::parse::<u64>);
    names
        .zip(values)
        .map(|(name, value)| Ok((name.to_owned(), value?)))
        .collect()
}

/// Sends `events` acknowledged echo events on one connection, `in_flight` at a time, and
/// waits for every answer.
async fn echo(addr: SocketAddr, events: u64, in_flight: u64) -> Result<()> {
    let mut conn = Conn::connect(addr).await?;
    let request = Request::new("echo", &message_json());
    let (mut sent, mut answered) = (0, 0);
    while sent < in_flight.min(events) {
        conn.out.event(&request, sent);
        sent += 1;
    }
    conn.flush().await?;
    while answered < events {
        conn.fill().await?;
        let mut failed = None;
        conn.drain(|text, out| {
            if let Frame::Ack(_) = Frame::parse(text) {
                if !text.contains(r#""ok":true"#) {
                    failed = Some(text.to_owned());
                }
                answered += 1;
                if sent < events {
                    out.event(&request, sent);
                    sent += 1;
                }
            }
        })?;
        if let Some(text) = failed {
            return Err(format!("an echo was not answered ok: {text}").into());
        }
        conn.flush().await?;
    }
    Ok(())
}
