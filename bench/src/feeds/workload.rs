//! W6's load generator side: opens the [`Layout`]'s connections, subscribes (or joins the
//! rooms of) every filter, then publishes changes, each matching one filter, keeping at
//! most `window` changes that have not reached all their holders. Every member checks
//! that each change it receives is for a filter it holds.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use futures_util::{StreamExt, stream};
use hdrhistogram::Histogram;
use tokio::sync::Notify;

use super::Contender;
use super::matching::{Layout, filter_json, task_json};
use crate::Result;
use crate::client::{Conn, Frame, Request, connect_many};
use crate::process::ServerProcess;
use crate::stats::{latency_histogram, quantile_ms, record};
use crate::workloads::{Outcome, drive};

/// A W6 run.
#[derive(Clone, Debug)]
pub struct Params {
    /// Connections, subscriptions and filters.
    pub layout: Layout,
    /// Changes not yet delivered to every holder, at most.
    pub window: usize,
    /// Publishing before the measurement.
    pub warmup: Duration,
    /// Publishing measured.
    pub duration: Duration,
}

/// How long a setup answer or a change's deliveries may take.
const TIMEOUT: Duration = Duration::from_secs(30);

/// What every member records.
struct Deliveries {
    published: Vec<Instant>,
    received: Vec<u32>,
    complete: u64,
    /// Changes received by a connection that holds no filter matching them.
    misdelivered: u64,
    /// Changes before this one are the warm-up: not in the histogram.
    measured_from: usize,
    last: Option<Instant>,
    histogram: Histogram<u64>,
}

/// The change number in a delivered frame: the task's `id`, the first field of `item`.
pub(super) fn change_number(event: &str) -> Option<u32> {
    let start = event.find(r#""item":{"id":"#)? + 13;
    let digits = event[start..]
        .bytes()
        .take_while(u8::is_ascii_digit)
        .count();
    event[start..start + digits].parse().ok()
}

/// Sends every request at once and waits for all their acks, which must say `ok:true`.
pub(super) async fn set_up(mut conn: Conn, requests: Vec<Request>) -> Result<Conn> {
    for (id, request) in requests.iter().enumerate() {
        conn.out.event(request, id as u64);
    }
    conn.flush().await?;
    let mut acked = 0;
    let mut refused = None;
    while acked < requests.len() {
        tokio::time::timeout(TIMEOUT, conn.fill())
            .await
            .map_err(|_| "no answer to a subscribe or join")??;
        conn.drain(|text, _| {
            if let Frame::Ack(_) = Frame::parse(text) {
                acked += 1;
                if !text.contains(r#""ok":true"#) {
                    refused.get_or_insert_with(|| text.to_owned());
                }
            }
        })?;
        conn.flush().await?;
    }
    match refused {
        Some(answer) => Err(format!("refused: {answer}").into()),
        None => Ok(conn),
    }
}

/// What one subscription of `contender` sends for filter `f`: a room to join (the room
/// broadcast), or a feed subscription.
pub(super) fn subscribe(contender: Contender, f: usize) -> Request {
    match contender {
        Contender::Room => Request::new("join", &format!(r#"{{"room":"f{f}"}}"#)),
        Contender::Feeds | Contender::Node => Request::new(
            "eventwire:subscribe",
            &format!(r#"{{"feed":"tasks","filter":{}}}"#, filter_json(f)),
        ),
    }
}

/// `layout`'s connections to `addr`, each holding its subscriptions (or rooms) once answered.
pub(super) async fn members(
    addr: std::net::SocketAddr,
    layout: Layout,
    contender: Contender,
) -> Result<Vec<Conn>> {
    let conns = connect_many(addr, layout.connections).await?;
    stream::iter(conns.into_iter().enumerate())
        .map(|(connection, conn)| {
            let requests = (0..layout.per_connection)
                .map(|k| subscribe(contender, layout.filter(connection, k)))
                .collect();
            set_up(conn, requests)
        })
        .buffered(100)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect()
}

/// Runs W6 for `contender` against `server`.
pub async fn run(server: &ServerProcess, contender: Contender, params: &Params) -> Result<Outcome> {
    let layout = params.layout;
    let filters = layout.filters();
    let members = members(server.addr, layout, contender).await?;
    let mut publisher = Conn::connect(server.addr).await?;
    let holders = layout.per_connection as u32;
    drive(async move {
        let shared = Rc::new(RefCell::new(Deliveries {
            published: Vec::new(),
            received: Vec::new(),
            complete: 0,
            misdelivered: 0,
            measured_from: usize::MAX,
            last: None,
            histogram: latency_histogram(),
        }));
        let progress = Rc::new(Notify::new());
        let tasks: Vec<_> = members
            .into_iter()
            .enumerate()
            .map(|(connection, conn)| {
                let mut held = vec![false; filters];
                for k in 0..layout.per_connection {
                    held[layout.filter(connection, k)] = true;
                }
                tokio::task::spawn_local(member(
                    conn,
                    held,
                    shared.clone(),
                    progress.clone(),
                    holders,
                ))
            })
            .collect();
        let start = Instant::now();
        let mut measured = None;
        let mut n = 0u32;
        loop {
            let elapsed = start.elapsed();
            if measured.is_none() && elapsed >= params.warmup {
                shared.borrow_mut().measured_from = n as usize;
                measured = Some((n, Instant::now(), server.cpu()?));
            }
            if elapsed >= params.warmup + params.duration {
                break;
            }
            if n as usize >= params.window {
                let oldest = n as usize - params.window;
                let waited = Instant::now();
                while shared.borrow().received[oldest] < holders && waited.elapsed() < TIMEOUT {
                    let _ =
                        tokio::time::timeout(Duration::from_millis(50), progress.notified()).await;
                }
            }
            let task = task_json(n, filters);
            let request = match contender {
                Contender::Room => Request::new(
                    "publish",
                    &format!(r#"{{"room":"f{}","task":{task}}}"#, n as usize % filters),
                ),
                Contender::Feeds | Contender::Node => Request::new("change", &task),
            };
            {
                let mut shared = shared.borrow_mut();
                shared.published.push(Instant::now());
                shared.received.push(0);
            }
            publisher.out.event_without_ack(&request);
            publisher.flush().await?;
            n += 1;
        }
        let waited = Instant::now();
        while shared.borrow().complete < u64::from(n) && waited.elapsed() < TIMEOUT {
            let _ = tokio::time::timeout(Duration::from_millis(50), progress.notified()).await;
        }
        let cpu_end = server.cpu()?;
        for task in &tasks {
            task.abort();
        }
        let (first, from, cpu_start) = measured.ok_or("nothing was measured")?;
        let shared = shared.borrow();
        let changes = u64::from(n - first);
        let delivered: u64 = shared.received[first as usize..]
            .iter()
            .map(|&count| u64::from(count))
            .sum();
        let elapsed = shared.last.map_or(0.0, |last| {
            last.saturating_duration_since(from).as_secs_f64()
        });
        let per_second = |count: u64| {
            if elapsed > 0.0 {
                count as f64 / elapsed
            } else {
                0.0
            }
        };
        let cpu = (cpu_end - cpu_start).as_secs_f64();
        let all_delivered: u64 = shared.received.iter().map(|&c| u64::from(c)).sum();
        Ok(Outcome {
            figures: vec![
                ("changes/s", per_second(delivered) / f64::from(holders)),
                ("deliveries/s", per_second(delivered)),
                (
                    "server µs/change",
                    if changes > 0 {
                        cpu * 1e6 / changes as f64
                    } else {
                        0.0
                    },
                ),
                ("p50 ms", quantile_ms(&shared.histogram, 0.5)),
                ("p99 ms", quantile_ms(&shared.histogram, 0.99)),
                ("misdelivered", shared.misdelivered as f64),
            ],
            sent: u64::from(n) * u64::from(holders),
            received: all_delivered,
            loadgen_cpu: 0.0,
        })
    })
    .await
}

/// One member: records every change it receives, and whether it holds its filter.
async fn member(
    mut conn: Conn,
    held: Vec<bool>,
    shared: Rc<RefCell<Deliveries>>,
    progress: Rc<Notify>,
    holders: u32,
) -> Result<()> {
    loop {
        conn.fill().await?;
        let now = Instant::now();
        let drained = {
            let mut shared = shared.borrow_mut();
            conn.drain(|text, _| {
                let Frame::Event(event) = Frame::parse(text) else {
                    return;
                };
                let Some(n) = change_number(event).map(|n| n as usize) else {
                    return;
                };
                let Some(&published) = shared.published.get(n) else {
                    return;
                };
                if !held[n % held.len()] {
                    shared.misdelivered += 1;
                    return;
                }
                if n >= shared.measured_from {
                    record(&mut shared.histogram, now - published);
                }
                shared.last = Some(now);
                shared.received[n] += 1;
                if shared.received[n] == holders {
                    shared.complete += 1;
                    progress.notify_one();
                }
            })
        };
        drained?;
        conn.flush().await?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_change_number_is_the_items_id() {
        let frame = r#"["eventwire:change",{"id":"7","offset":"12","action":"added","key":41,"item":{"id":41,"project":2}}]"#;
        assert_eq!(change_number(frame), Some(41));
        assert_eq!(change_number(r#"["news",{"id":"7"}]"#), None);
    }
}
