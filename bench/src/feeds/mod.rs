//! W6, feed matching: 100,000 subscriptions on one node over 1,000 distinct filters
//! (1,000 connections × 100 subscriptions; each filter held by 100 subscriptions on
//! different connections), and changes that each match one filter.
//!
//! Measured side by side, each run against a freshly started server pinned like the other
//! workloads' (one core, a current-thread runtime):
//!
//! - **eventwire feeds**: clients subscribe to the `tasks` feed with a typed filter
//!   (project `eq`, status `eq`, priority `gte`); a `change` event publishes a created task,
//!   which the feed's index matches and pushes as `eventwire:change` to every subscription
//!   it concerns ([`server`]);
//! - **eventwire room broadcast**, the ceiling: the same connections join one room per
//!   filter they hold, and `publish` broadcasts the same frame to the room: the same number
//!   of messages, the same bytes, no matching;
//! - **Node socket.io** (`bench/node/feeds.mjs`): the same subscribe frames, and per change
//!   a scan of every subscription with its filter tested in JavaScript, emitting to the
//!   matching sockets.
//!
//! The matcher alone is measured in this process ([`matching`]): the feed's [`Index`]
//! candidates + `matches`, against `matches` on all 100,000 filters.
//!
//! `bench run --only W6` runs it and rewrites only its section of `BENCHMARKS.md` (between
//! its markers) and its chart; a full `bench run` keeps or refreshes the section.
//!
//! [`Index`]: eventwire::feed::Index

pub mod callgrind;
pub mod matching;
pub mod report;
pub mod server;
pub mod workload;

use std::path::PathBuf;
use std::time::Duration;

use crate::Result;
use crate::process::{Placement, Programs, ServerProcess};
use crate::stats::Summary;
use crate::workloads::Outcome;
use matching::{Layout, Subscriptions, task};
use workload::Params;

/// Who is measured in W6.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Contender {
    /// eventwire's feed, filtered through its index.
    Feeds,
    /// eventwire broadcasting the same frames to rooms: the ceiling.
    Room,
    /// Node's socket.io scanning every subscription in JavaScript.
    Node,
}

impl Contender {
    /// Every contender, in report order.
    pub const ALL: [Contender; 3] = [Contender::Feeds, Contender::Room, Contender::Node];

    /// What the report calls it.
    pub fn label(self) -> &'static str {
        match self {
            Contender::Feeds => "eventwire feeds",
            Contender::Room => "eventwire room broadcast (ceiling)",
            Contender::Node => "Node socket.io, filtering in JS",
        }
    }

    fn start(self, programs: &Programs, core: Option<usize>) -> Result<ServerProcess> {
        match self {
            Contender::Feeds | Contender::Room => {
                ServerProcess::launch(&programs.bench, &["serve".into(), "feeds".into()], core)
            }
            Contender::Node => {
                let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("node/feeds.mjs");
                ServerProcess::launch("node".as_ref(), &[script.display().to_string()], core)
            }
        }
    }
}

/// The sizes of W6.
#[derive(Clone, Copy, Debug)]
pub struct Scale {
    /// Runs of every contender.
    pub runs: usize,
    /// Connections × subscriptions per connection.
    pub layout: (usize, usize),
    /// Seconds of warm-up and of measurement.
    pub seconds: (f64, f64),
    /// How long each in-process matcher measurement takes at least.
    pub matcher_time: Duration,
}

impl Scale {
    /// 100,000 subscriptions, three runs (about three minutes).
    pub const FULL: Scale = Scale {
        runs: 3,
        layout: (1_000, 100),
        seconds: (1.0, 3.0),
        matcher_time: Duration::from_millis(500),
    };

    /// A tiny run: checks that W6 works, measures nothing.
    pub const SMOKE: Scale = Scale {
        runs: 1,
        layout: (20, 5),
        seconds: (0.05, 0.1),
        matcher_time: Duration::from_millis(5),
    };
}

/// Everything W6 measured.
pub struct Measured {
    /// Its sizes.
    pub layout: Layout,
    /// Runs of every contender.
    pub runs: usize,
    /// Every run's outcome, by contender.
    pub outcomes: Vec<(Contender, Vec<Outcome>)>,
    /// Nanoseconds per change through the index, per run.
    pub indexed_ns: Summary,
    /// Nanoseconds per change scanning every subscription, per run.
    pub naive_ns: Summary,
    /// Subscriptions the index hands to `matches` per change.
    pub candidates: usize,
    /// Seconds of warm-up and of measurement.
    pub seconds: (f64, f64),
}

/// Runs W6 at `scale` (`runs` overrides its runs); servers on `core` when pinned.
pub async fn measure(
    scale: Scale,
    runs: Option<usize>,
    core: Option<usize>,
    programs: &Programs,
) -> Result<Measured> {
    let runs = runs.unwrap_or(scale.runs);
    let layout = Layout::new(scale.layout.0, scale.layout.1);
    let params = Params {
        layout,
        window: 64,
        warmup: Duration::from_secs_f64(scale.seconds.0),
        duration: Duration::from_secs_f64(scale.seconds.1),
    };
    let placement = Placement { core, threads: 1 };
    let mut outcomes: Vec<(Contender, Vec<Outcome>)> =
        Contender::ALL.iter().map(|&c| (c, Vec::new())).collect();
    for run in 1..=runs {
        for (contender, done) in &mut outcomes {
            let server = contender.start(programs, placement.core)?;
            let outcome = workload::run(&server, *contender, &params)
                .await
                .map_err(|error| format!("W6 {}: {error}", contender.label()))?;
            eprintln!(
                "W6 run {run}/{runs} {}: {} (sent {}, received {}, load generator CPU {:.0}%)",
                contender.label(),
                outcome
                    .figures
                    .iter()
                    .map(|(name, value)| format!("{name} {value:.3}"))
                    .collect::<Vec<_>>()
                    .join(", "),
                outcome.sent,
                outcome.received,
                outcome.loadgen_cpu * 100.0,
            );
            done.push(outcome);
        }
    }
    let subscriptions = Subscriptions::new(layout);
    let changes: Vec<_> = (0..layout.filters() as u32)
        .map(|n| task(n, layout.filters()))
        .collect();
    let expected = layout.per_connection;
    let (mut indexed, mut naive) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        indexed.push(matching::ns_per_change(
            &changes,
            expected,
            scale.matcher_time,
            |item| subscriptions.indexed(item),
        )?);
        naive.push(matching::ns_per_change(
            &changes,
            expected,
            scale.matcher_time,
            |item| subscriptions.naive(item),
        )?);
    }
    eprintln!(
        "W6 matcher: index {:.0} ns/change, naive scan {:.0} ns/change",
        Summary::of(&indexed).median,
        Summary::of(&naive).median
    );
    Ok(Measured {
        layout,
        runs,
        outcomes,
        indexed_ns: Summary::of(&indexed),
        naive_ns: Summary::of(&naive),
        candidates: subscriptions.candidates(&changes[0]),
        seconds: scale.seconds,
    })
}
