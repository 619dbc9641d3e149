//! W3, room fan-out: one publisher, one room of `members` connections. The publisher sends
//! `publish` events (numbered); the server broadcasts each to the room as `news`. The
//! publisher keeps at most `window` messages that have not yet reached every member, so
//! the server's queues never overflow by the benchmark's own doing; copies that never
//! arrive are counted as drops. Latency runs from the publish to each member's receipt.

use std::cell::RefCell;
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use tokio::sync::Notify;

use super::{Outcome, drive};
use crate::Result;
use crate::client::{Conn, Frame, Request, connect_many, news_number};
use crate::stats::{latency_histogram, quantile_ms, record};

/// A W3 run.
#[derive(Clone, Debug)]
pub struct Params {
    /// Members of the room.
    pub members: usize,
    /// Messages not yet delivered to every member, at most.
    pub window: usize,
    /// How long the publisher publishes.
    pub duration: Duration,
}

/// How long a message may take to reach every member before it counts as incomplete.
const COMPLETION_TIMEOUT: Duration = Duration::from_secs(2);

/// The room's shared record.
struct Deliveries {
    /// When each message was published.
    published: Vec<Instant>,
    /// How many members got each message.
    received: Vec<u32>,
    /// Messages received by every member.
    complete: u64,
    /// The last receipt.
    last: Option<Instant>,
    histogram: Histogram<u64>,
}

/// Runs W3 against the server at `addr`.
pub async fn run(addr: SocketAddr, params: &Params) -> Result<Outcome> {
    let mut members = connect_many(addr, params.members).await?;
    let join = Request::new("join", r#"{"room":"bench"}"#);
    for member in &mut members {
        member.call(&join, 0).await?;
    }
    let mut publisher = Conn::connect(addr).await?;
    drive(async move {
        let record = Rc::new(RefCell::new(Deliveries {
            published: Vec::new(),
            received: Vec::new(),
            complete: 0,
            last: None,
            histogram: latency_histogram(),
        }));
        let progress = Rc::new(Notify::new());
        let total_members = params.members as u32;
        let tasks: Vec<_> = members
            .into_iter()
            .map(|conn| {
                tokio::task::spawn_local(member(
                    conn,
                    record.clone(),
                    progress.clone(),
                    total_members,
                ))
            })
            .collect();
        let start = Instant::now();
        let mut n = 0u32;
        while start.elapsed() < params.duration {
            // Wait (bounded) until message n - window has reached every member.
            if n as usize >= params.window {
                let oldest = n as usize - params.window;
                let waited = Instant::now();
                while record.borrow().received[oldest] < total_members
                    && waited.elapsed() < COMPLETION_TIMEOUT
                {
                    let _ =
                        tokio::time::timeout(Duration::from_millis(50), progress.notified()).await;
                }
            }
            let payload = format!(r#"{{"room":"bench","n":{n},"text":"breaking news"}}"#);
            {
                let mut record = record.borrow_mut();
                record.published.push(Instant::now());
                record.received.push(0);
            }
            publisher
                .out
                .event_without_ack(&Request::new("publish", &payload));
            publisher.flush().await?;
            n += 1;
        }
        // Let the last messages arrive, then stop the members.
        let waited = Instant::now();
        while record.borrow().complete < u64::from(n) && waited.elapsed() < COMPLETION_TIMEOUT {
            let _ = tokio::time::timeout(Duration::from_millis(50), progress.notified()).await;
        }
        for task in &tasks {
            task.abort();
        }
        let record = record.borrow();
        let delivered: u64 = record.received.iter().map(|&count| u64::from(count)).sum();
        let elapsed = record
            .last
            .map_or(Duration::ZERO, |last| last.duration_since(start))
            .as_secs_f64();
        Ok(Outcome {
            figures: vec![
                (
                    "deliveries/s",
                    if elapsed > 0.0 {
                        delivered as f64 / elapsed
                    } else {
                        0.0
                    },
                ),
                ("messages", f64::from(n)),
                ("p50 ms", quantile_ms(&record.histogram, 0.5)),
                ("p99 ms", quantile_ms(&record.histogram, 0.99)),
            ],
            sent: u64::from(n) * u64::from(total_members),
            received: delivered,
            loadgen_cpu: 0.0,
        })
    })
    .await
}

/// One member: records every `news` it receives.
async fn member(
    mut conn: Conn,
    shared: Rc<RefCell<Deliveries>>,
    progress: Rc<Notify>,
    members: u32,
) -> Result<()> {
    loop {
        conn.fill().await?;
        let now = Instant::now();
        let drained = {
            let mut deliveries = shared.borrow_mut();
            conn.drain(|text, _| {
                let Frame::Event(event) = Frame::parse(text) else {
                    return;
                };
                let Some(n) = news_number(event).map(|n| n as usize) else {
                    return;
                };
                let Some(&published) = deliveries.published.get(n) else {
                    return;
                };
                record(&mut deliveries.histogram, now - published);
                deliveries.last = Some(now);
                deliveries.received[n] += 1;
                if deliveries.received[n] == members {
                    deliveries.complete += 1;
                    progress.notify_one();
                }
            })
        };
        drained?;
        conn.flush().await?;
    }
}
