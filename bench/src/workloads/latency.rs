//! W1, ack latency in an open loop: a fixed rate of acknowledged `echo` events spread over
//! the connections, timed from when each was *due* to be sent, so a stalled server is
//! charged for the whole wait of every request scheduled behind it (no coordinated
//! omission).

use std::cell::RefCell;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use tokio::sync::mpsc;

use super::{Outcome, drive};
use crate::Result;
use crate::client::{Conn, Frame, Request, connect_many};
use crate::payloads::message_json;
use crate::stats::{latency_histogram, quantile_ms, record};
use crate::ticker::Ticker;

/// A W1 run.
#[derive(Clone, Debug)]
pub struct Params {
    /// Connections the rate is spread over.
    pub connections: usize,
    /// Acknowledged events per second, in all.
    pub rate: u64,
    /// Sent but not measured, first.
    pub warmup: Duration,
    /// Measured, after the warm-up.
    pub duration: Duration,
}

/// How long answers are awaited after the schedule ends.
const DRAIN: Duration = Duration::from_secs(5);

/// The scheduler's tick.
const TICK: Duration = Duration::from_micros(100);

/// Runs W1 against the server at `addr`.
pub async fn run(addr: SocketAddr, params: &Params) -> Result<Outcome> {
    let connections = connect_many(addr, params.connections).await?;
    drive(async move {
        let request = Rc::new(Request::new("echo", &message_json()));
        let histogram = Rc::new(RefCell::new(latency_histogram()));
        let start = Instant::now();
        let measure_from = start + params.warmup;
        let mut queues = Vec::new();
        let mut tasks = Vec::new();
        for conn in connections {
            let (queue, due) = mpsc::unbounded_channel();
            queues.push(queue);
            tasks.push(tokio::task::spawn_local(connection(
                conn,
                due,
                request.clone(),
                histogram.clone(),
                measure_from,
            )));
        }
        let total = (params.rate as f64 * (params.warmup + params.duration).as_secs_f64()) as u64;
        let ticker = Ticker::new(TICK)?;
        let mut scheduled = 0u64;
        while scheduled < total {
            ticker.tick().await?;
            // Event i is due at i / rate: those with i <= elapsed × rate are due now.
            let due = ((start.elapsed().as_secs_f64() * params.rate as f64) as u64 + 1).min(total);
            for i in scheduled..due {
                let at = start + Duration::from_secs_f64(i as f64 / params.rate as f64);
                let _ = queues[i as usize % queues.len()].send(at);
            }
            scheduled = due;
        }
        drop(queues);
        let (mut sent, mut received) = (0, 0);
        for task in tasks {
            let (s, r) = task.await??;
            sent += s;
            received += r;
        }
        let histogram = histogram.borrow();
        Ok(Outcome {
            figures: figures(&histogram),
            sent,
            received,
            loadgen_cpu: 0.0,
        })
    })
    .await
}

fn figures(histogram: &Histogram<u64>) -> Vec<(&'static str, f64)> {
    vec![
        ("p50 ms", quantile_ms(histogram, 0.5)),
        ("p99 ms", quantile_ms(histogram, 0.99)),
        ("p99.9 ms", quantile_ms(histogram, 0.999)),
        ("max ms", histogram.max() as f64 / 1000.0),
    ]
}

/// One connection: sends what the scheduler hands it, records each answer's latency from
/// its due time. Returns (sent, answered).
async fn connection(
    mut conn: Conn,
    mut due: mpsc::UnboundedReceiver<Instant>,
    request: Rc<Request>,
    histogram: Rc<RefCell<Histogram<u64>>>,
    measure_from: Instant,
) -> Result<(u64, u64)> {
    let mut pending: HashMap<u64, Instant> = HashMap::new();
    let (mut next_id, mut answered) = (0u64, 0u64);
    let mut deadline = None;
    loop {
        tokio::select! {
            biased;
            read = conn.fill() => {
                read?;
                let now = Instant::now();
                conn.drain(|text, _| {
                    if let Frame::Ack(id) = Frame::parse(text)
                        && let Some(at) = pending.remove(&id)
                    {
                        answered += 1;
                        if at >= measure_from {
                            record(&mut histogram.borrow_mut(), now - at);
                        }
                    }
                })?;
            }
            at = due.recv(), if deadline.is_none() => match at {
                Some(at) => {
                    let mut at = Some(at);
                    while let Some(due_at) = at {
                        conn.out.event(&request, next_id);
                        pending.insert(next_id, due_at);
                        next_id += 1;
                        at = due.try_recv().ok();
                    }
                }
                None => deadline = Some(tokio::time::Instant::now() + DRAIN),
            },
            _ = sleep_until(deadline), if deadline.is_some() => break,
        }
        conn.flush().await?;
        if deadline.is_some() && pending.is_empty() {
            break;
        }
    }
    Ok((next_id, answered))
}

/// Sleeps until `deadline`, or forever without one.
async fn sleep_until(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}
