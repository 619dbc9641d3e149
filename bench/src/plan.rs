//! What a benchmark run measures, and running it: every case's peers interleaved within
//! each repeat, each run against a freshly started server.

use std::time::Duration;

use crate::Result;
use crate::client::Request;
use crate::payloads::{message_json, order_json};
use crate::peer::Peer;
use crate::process::{Placement, Programs, ServerProcess};
use crate::workloads::{Outcome, fanout, latency, memory, throughput};

/// A workload with its parameters.
#[derive(Clone, Debug)]
pub enum Workload {
    /// W1.
    Latency(latency::Params),
    /// W2, and W5 at saturation.
    Throughput(throughput::Params),
    /// W3.
    Fanout(fanout::Params),
    /// W4.
    Memory(memory::Params),
}

/// Which part of the report a case belongs to.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Section {
    /// W1.
    Latency,
    /// W2, one core.
    Throughput,
    /// W2 with both cores.
    BothCores,
    /// W3.
    Fanout,
    /// W4.
    Memory,
    /// W5 at saturation.
    Validation,
}

/// One line of a report table: a workload, its peers and where they run.
#[derive(Clone, Debug)]
pub struct Case {
    /// Its part of the report.
    pub section: Section,
    /// Its label in tables and charts, e.g. `10k/s` or `100 × 8`.
    pub label: String,
    /// What runs.
    pub workload: Workload,
    /// Who is measured.
    pub peers: Vec<Peer>,
    /// Where the servers run.
    pub placement: Placement,
}

/// Everything one command measures.
#[derive(Clone, Debug)]
pub struct Plan {
    /// Runs of every case and peer.
    pub runs: usize,
    /// The cases, in report order.
    pub cases: Vec<Case>,
    /// The core the load generator is pinned to in the pinned cases.
    pub loadgen_core: Option<usize>,
}

/// What one run of one peer measured.
#[derive(Clone, Debug)]
pub struct Record {
    /// Index into [`Plan::cases`].
    pub case: usize,
    /// Who.
    pub peer: Peer,
    /// What it measured.
    pub outcome: Outcome,
}

/// The sizes of a plan.
#[derive(Clone, Copy, Debug)]
pub struct Scale {
    runs: usize,
    time: f64,
    rates: [u64; 3],
    rooms: [usize; 3],
    idle: (usize, usize),
    many: usize,
    /// Connections × in flight of the both-cores and W5 runs.
    saturation: (usize, usize),
}

impl Scale {
    /// The full benchmark (about 20 minutes).
    pub const FULL: Scale = Scale {
        runs: 5,
        time: 1.0,
        rates: [1_000, 10_000, 40_000],
        rooms: [100, 1_000, 10_000],
        idle: (5_000, 10_000),
        many: 1_000,
        saturation: (100, 32),
    };

    /// Every workload at a tiny size: checks that the benchmark works, measures nothing.
    pub const SMOKE: Scale = Scale {
        runs: 1,
        time: 0.1,
        rates: [200, 500, 1_000],
        rooms: [5, 10, 20],
        idle: (20, 40),
        many: 20,
        saturation: (20, 4),
    };
}

fn seconds(scale: &Scale, seconds: f64) -> Duration {
    Duration::from_secs_f64(seconds * scale.time)
}

impl Plan {
    /// The plan at `scale`: servers pinned to core 0 and the load generator to core 1 when
    /// `pinned` (the machine needs two cores), plus one W2 case with both cores for the
    /// Rust servers.
    pub fn new(scale: Scale, pinned: bool) -> Self {
        let one_core = Placement {
            core: pinned.then_some(0),
            threads: 1,
        };
        let all = Peer::ALL.to_vec();
        let mut cases = Vec::new();
        for rate in scale.rates {
            cases.push(Case {
                section: Section::Latency,
                label: rate_label(rate),
                workload: Workload::Latency(latency::Params {
                    connections: 100.min(scale.many),
                    rate,
                    warmup: seconds(&scale, 1.0),
                    duration: seconds(&scale, 5.0),
                }),
                peers: all.clone(),
                placement: one_core.clone(),
            });
        }
        let echo = Request::new("echo", &message_json());
        let shapes = [(100, 1), (100, 8), (100, 32), (scale.many, 4)];
        for (connections, in_flight) in shapes {
            cases.push(throughput_case(
                &scale,
                Section::Throughput,
                connections,
                in_flight,
                &echo,
                all.clone(),
                one_core.clone(),
            ));
        }
        cases.push(throughput_case(
            &scale,
            Section::BothCores,
            scale.saturation.0,
            scale.saturation.1,
            &echo,
            vec![Peer::Eventwire, Peer::Raw, Peer::Echo],
            Placement {
                core: None,
                threads: 2,
            },
        ));
        for members in scale.rooms {
            cases.push(Case {
                section: Section::Fanout,
                label: format!("{members} members"),
                workload: Workload::Fanout(fanout::Params {
                    members,
                    window: 8,
                    duration: seconds(&scale, 3.0),
                }),
                peers: all.clone(),
                placement: one_core.clone(),
            });
        }
        cases.push(Case {
            section: Section::Memory,
            label: format!("{} → {} connections", scale.idle.0, scale.idle.1),
            workload: Workload::Memory(memory::Params {
                low: scale.idle.0,
                high: scale.idle.1,
                settle: seconds(&scale, 2.0).max(Duration::from_millis(200)),
            }),
            peers: all.clone(),
            placement: one_core.clone(),
        });
        cases.push(throughput_case(
            &scale,
            Section::Validation,
            scale.saturation.0,
            scale.saturation.1,
            &Request::new("order", &order_json()),
            vec![Peer::Eventwire, Peer::Raw, Peer::Node],
            one_core,
        ));
        Plan {
            runs: scale.runs,
            cases,
            loadgen_core: pinned.then_some(1),
        }
    }

    /// Runs every case `runs` times, peers interleaved, reporting progress on stderr.
    pub async fn run(&self, programs: &Programs) -> Result<Vec<Record>> {
        let mut records = Vec::new();
        for (index, case) in self.cases.iter().enumerate() {
            for run in 1..=self.runs {
                for &peer in &case.peers {
                    let outcome = run_once(case, peer, programs).await.map_err(|error| {
                        format!(
                            "{} {} {peer}: {error}",
                            section_name(case.section),
                            case.label
                        )
                    })?;
                    eprintln!(
                        "{} {} run {run}/{} {peer}: {} (sent {}, received {}, load generator CPU {:.0}%)",
                        section_name(case.section),
                        case.label,
                        self.runs,
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
                    records.push(Record {
                        case: index,
                        peer,
                        outcome,
                    });
                }
            }
        }
        Ok(records)
    }
}

fn throughput_case(
    scale: &Scale,
    section: Section,
    connections: usize,
    in_flight: usize,
    request: &Request,
    peers: Vec<Peer>,
    placement: Placement,
) -> Case {
    Case {
        section,
        label: format!("{connections} × {in_flight}"),
        workload: Workload::Throughput(throughput::Params {
            connections,
            in_flight,
            request: request.clone(),
            warmup: seconds(scale, 1.0),
            duration: seconds(scale, 3.0),
        }),
        peers,
        placement,
    }
}

fn rate_label(rate: u64) -> String {
    if rate.is_multiple_of(1000) {
        format!("{}k/s", rate / 1000)
    } else {
        format!("{rate}/s")
    }
}

/// The workload's name in progress lines.
pub fn section_name(section: Section) -> &'static str {
    match section {
        Section::Latency => "W1",
        Section::Throughput => "W2",
        Section::BothCores => "W2 (both cores)",
        Section::Fanout => "W3",
        Section::Memory => "W4",
        Section::Validation => "W5",
    }
}

async fn run_once(case: &Case, peer: Peer, programs: &Programs) -> Result<Outcome> {
    let server = ServerProcess::spawn(peer, &case.placement, programs)?;
    match &case.workload {
        Workload::Latency(params) => latency::run(server.addr, params).await,
        Workload::Throughput(params) => throughput::run(&server, params).await,
        Workload::Fanout(params) => fanout::run(server.addr, params).await,
        Workload::Memory(params) => memory::run(&server, params).await,
    }
}
