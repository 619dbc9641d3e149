//! W2, ack throughput in a closed loop: every connection keeps `in_flight` acknowledged
//! events outstanding and sends the next as soon as an answer arrives. Reports answers per
//! second and per second of the server's CPU time (utime + stime from `/proc`), both over
//! the measured window only.

use std::cell::Cell;
use std::collections::HashSet;
use std::rc::Rc;
use std::time::{Duration, Instant};

use super::{Outcome, drive};
use crate::Result;
use crate::client::{Conn, Frame, Request, connect_many};
use crate::process::ServerProcess;

/// A W2 run.
#[derive(Clone, Debug)]
pub struct Params {
    /// Connections.
    pub connections: usize,
    /// Events outstanding per connection.
    pub in_flight: usize,
    /// The event and its payload (`echo` with a message, or `order` for W5 at saturation).
    pub request: Request,
    /// Run but not measured, first.
    pub warmup: Duration,
    /// Measured, after the warm-up.
    pub duration: Duration,
}

/// How long answers are awaited after the window closes.
const DRAIN: Duration = Duration::from_secs(5);

/// Runs W2 against `server`.
pub async fn run(server: &ServerProcess, params: &Params) -> Result<Outcome> {
    let connections = connect_many(server.addr, params.connections).await?;
    drive(async move {
        let start = Instant::now() + params.warmup;
        let end = start + params.duration;
        let counted = Rc::new(Cell::new(0u64));
        let request = Rc::new(params.request.clone());
        let tasks: Vec<_> = connections
            .into_iter()
            .map(|conn| {
                let window = Window { start, end };
                tokio::task::spawn_local(connection(
                    conn,
                    request.clone(),
                    params.in_flight,
                    window,
                    counted.clone(),
                ))
            })
            .collect();
        tokio::time::sleep_until(start.into()).await;
        let cpu_before = server.cpu()?;
        tokio::time::sleep_until(end.into()).await;
        let cpu = (server.cpu()? - cpu_before).as_secs_f64();
        let (mut sent, mut received) = (0, 0);
        for task in tasks {
            let (s, r) = task.await??;
            sent += s;
            received += r;
        }
        let answers = counted.get() as f64;
        Ok(Outcome {
            figures: vec![
                ("acks/s", answers / params.duration.as_secs_f64()),
                (
                    "acks per CPU-s",
                    if cpu > 0.0 { answers / cpu } else { 0.0 },
                ),
                ("server CPU", cpu / params.duration.as_secs_f64()),
            ],
            sent,
            received,
            loadgen_cpu: 0.0,
        })
    })
    .await
}

/// The measured window.
#[derive(Clone, Copy)]
struct Window {
    start: Instant,
    end: Instant,
}

/// One connection: keeps `in_flight` events outstanding until the window ends, then
/// collects the remaining answers. Returns (sent, answered).
async fn connection(
    mut conn: Conn,
    request: Rc<Request>,
    in_flight: usize,
    window: Window,
    counted: Rc<Cell<u64>>,
) -> Result<(u64, u64)> {
    let mut pending = HashSet::with_capacity(in_flight * 2);
    let mut next_id = 0u64;
    for _ in 0..in_flight {
        conn.out.event(&request, next_id);
        pending.insert(next_id);
        next_id += 1;
    }
    conn.flush().await?;
    let mut answered = 0u64;
    let drain_until = window.end + DRAIN;
    while !pending.is_empty() {
        if tokio::time::timeout_at(drain_until.into(), conn.fill())
            .await
            .is_err()
        {
            break;
        }
        let now = Instant::now();
        conn.drain(|text, out| {
            if let Frame::Ack(id) = Frame::parse(text)
                && pending.remove(&id)
            {
                answered += 1;
                if now >= window.start && now < window.end {
                    counted.set(counted.get() + 1);
                }
                if now < window.end {
                    out.event(&request, next_id);
                    pending.insert(next_id);
                    next_id += 1;
                }
            }
        })?;
        conn.flush().await?;
    }
    Ok((next_id, answered))
}
