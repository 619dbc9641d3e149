//! `bench callgrind-feeds`: instructions per delivery, feed against room broadcast, counted
//! by callgrind.
//!
//! W6's wall-clock figures move with whatever else the machine runs; an instruction count
//! does not. The W6 server (`bench serve feeds`) runs on one thread under
//! `valgrind --tool=callgrind`, the load generator opens a [`Layout`]'s connections (real
//! socketioxide sockets over loopback WebSockets), subscribes every filter to the `tasks`
//! feed or joins its room, then publishes changes one at a time, each matching one filter,
//! and waits until all its holders have it before the next: the two contenders deliver the
//! same frames to the same sockets, one delivery per socket per change. Two runs with
//! different change counts are subtracted, which cancels start-up, the handshakes, the
//! subscriptions and shutdown: what is left is the cost of the extra changes, divided by
//! their deliveries.

use std::cell::RefCell;
use std::net::SocketAddr;
use std::path::Path;
use std::rc::Rc;
use std::time::Duration;

use tokio::sync::Notify;

use super::Contender;
use super::matching::{Layout, task_json};
use super::workload::{change_number, members};
use crate::Result;
use crate::callgrind::instructions_serving;
use crate::client::{Conn, Frame, Request};

/// Changes of the shorter run; the longer one publishes this plus the measured count.
const BASE_CHANGES: u32 = 100;

/// How long one change's deliveries may take (callgrind slows the server ~50×).
const TIMEOUT: Duration = Duration::from_secs(120);

/// Instructions per delivery of `contender` (feeds or room broadcast) on `layout`, from runs
/// of `BASE_CHANGES` and `BASE_CHANGES + changes` changes. With `keep`, callgrind's output
/// files stay there (for `callgrind_annotate`).
pub fn per_delivery(
    bench: &Path,
    contender: Contender,
    layout: Layout,
    changes: u32,
    keep: Option<&Path>,
) -> Result<f64> {
    if contender == Contender::Node {
        return Err("callgrind counts the Rust server only".into());
    }
    let run = |count: u32| {
        let name = match contender {
            Contender::Feeds => "feeds",
            _ => "room",
        };
        let out = keep
            .map_or_else(std::env::temp_dir, Path::to_owned)
            .join(format!("callgrind.{name}-{count}.out"));
        instructions_serving(bench, "feeds", &out, keep.is_none(), |addr| {
            publish(addr, contender, layout, count)
        })
    };
    let small = run(BASE_CHANGES)?;
    let large = run(BASE_CHANGES + changes)?;
    let deliveries = u64::from(changes) * layout.per_connection as u64;
    Ok(large.saturating_sub(small) as f64 / deliveries as f64)
}

/// What the members have received, by change number.
struct Received {
    counts: Vec<u32>,
    /// Changes received by a connection that holds no filter matching them.
    misdelivered: u64,
}

/// Sets up `layout` for `contender`, publishes `changes` changes one at a time and waits for
/// each one's deliveries; fails if one is missing, or reaches a socket that did not ask.
async fn publish(
    addr: SocketAddr,
    contender: Contender,
    layout: Layout,
    changes: u32,
) -> Result<()> {
    tokio::task::LocalSet::new()
        .run_until(async move {
            let filters = layout.filters();
            let members = members(addr, layout, contender).await?;
            let received = Rc::new(RefCell::new(Received {
                counts: vec![0; changes as usize],
                misdelivered: 0,
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
                    tokio::task::spawn_local(member(conn, held, received.clone(), progress.clone()))
                })
                .collect();
            let mut publisher = Conn::connect(addr).await?;
            let holders = layout.per_connection as u32;
            let mut outcome = Ok(());
            for n in 0..changes {
                let task = task_json(n, filters);
                let request = match contender {
                    Contender::Room => Request::new(
                        "publish",
                        &format!(r#"{{"room":"f{}","task":{task}}}"#, n as usize % filters),
                    ),
                    _ => Request::new("change", &task),
                };
                publisher.out.event_without_ack(&request);
                publisher.flush().await?;
                let all = tokio::time::timeout(TIMEOUT, async {
                    while received.borrow().counts[n as usize] < holders {
                        progress.notified().await;
                    }
                });
                if all.await.is_err() {
                    outcome = Err(format!(
                        "change {n}: {} of {holders} deliveries",
                        received.borrow().counts[n as usize]
                    )
                    .into());
                    break;
                }
            }
            for task in &tasks {
                task.abort();
            }
            let misdelivered = received.borrow().misdelivered;
            if misdelivered > 0 {
                return Err(format!(
                    "{misdelivered} changes reached a socket without their filter"
                )
                .into());
            }
            outcome
        })
        .await
}

/// One member: counts every change it receives, and whether it holds its filter.
async fn member(
    mut conn: Conn,
    held: Vec<bool>,
    received: Rc<RefCell<Received>>,
    progress: Rc<Notify>,
) -> Result<()> {
    loop {
        conn.fill().await?;
        {
            let mut received = received.borrow_mut();
            conn.drain(|text, _| {
                let Frame::Event(event) = Frame::parse(text) else {
                    return;
                };
                let Some(n) = change_number(event).map(|n| n as usize) else {
                    return;
                };
                if !held[n % held.len()] {
                    received.misdelivered += 1;
                } else if let Some(count) = received.counts.get_mut(n) {
                    *count += 1;
                }
            })?;
        }
        progress.notify_one();
        conn.flush().await?;
    }
}
