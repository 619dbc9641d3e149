//! `BENCHMARKS.md`: tables of medians and ranges, ratios against raw socketioxide and
//! Node, drops, the load generator's own CPU use, and the targets checked.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::peer::Peer;
use crate::plan::{Plan, Record, Section};
use crate::stats::Summary;

/// The figures of every run of one case and peer.
pub struct Results<'a> {
    plan: &'a Plan,
    /// (case, peer) → the runs' outcomes.
    runs: BTreeMap<(usize, Peer), Vec<&'a crate::workloads::Outcome>>,
}

impl<'a> Results<'a> {
    /// Groups `records` by case and peer.
    pub fn new(plan: &'a Plan, records: &'a [Record]) -> Self {
        let mut runs: BTreeMap<_, Vec<_>> = BTreeMap::new();
        for record in records {
            runs.entry((record.case, record.peer))
                .or_default()
                .push(&record.outcome);
        }
        Self { plan, runs }
    }

    /// The summary of `figure` over the runs of `case` and `peer`.
    pub fn summary(&self, case: usize, peer: Peer, figure: &str) -> Option<Summary> {
        let values: Vec<f64> = self
            .runs
            .get(&(case, peer))?
            .iter()
            .filter_map(|outcome| outcome.figure(figure))
            .collect();
        (!values.is_empty()).then(|| Summary::of(&values))
    }

    /// The median of `figure`.
    pub fn median(&self, case: usize, peer: Peer, figure: &str) -> Option<f64> {
        self.summary(case, peer, figure).map(|s| s.median)
    }

    /// (sent, received) over every run of `case` and `peer`.
    fn counts(&self, case: usize, peer: Peer) -> (u64, u64) {
        self.runs
            .get(&(case, peer))
            .into_iter()
            .flatten()
            .fold((0, 0), |(sent, received), outcome| {
                (sent + outcome.sent, received + outcome.received)
            })
    }

    /// The most CPU the load generator used in any run of `case` and `peer`.
    fn loadgen_cpu(&self, case: usize, peer: Peer) -> f64 {
        self.runs
            .get(&(case, peer))
            .into_iter()
            .flatten()
            .map(|outcome| outcome.loadgen_cpu)
            .fold(0.0, f64::max)
    }

    /// The cases of `section`, with their indices.
    pub fn cases(&self, section: Section) -> Vec<(usize, &'a crate::plan::Case)> {
        self.plan
            .cases
            .iter()
            .enumerate()
            .filter(|(_, case)| case.section == section)
            .collect()
    }
}

/// Above this share of its core (in %), the load generator may be what limits a run: its
/// figure is marked in the tables.
const LOADGEN_LIMIT: f64 = 70.0;

/// A number for a table: no decimals from 100 up, with thousands separators.
pub fn number(value: f64) -> String {
    if value == 0.0 {
        "0".to_owned()
    } else if value.abs() >= 100.0 {
        let rounded = value.round() as i64;
        let digits = rounded.abs().to_string();
        let mut out = String::new();
        for (i, digit) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(digit);
        }
        if rounded < 0 {
            out.insert(0, '−');
        }
        out
    } else if value.abs() >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    }
}

fn cell(summary: Option<Summary>) -> String {
    match summary {
        Some(s) => format!("{} [{}–{}]", number(s.median), number(s.min), number(s.max)),
        None => "–".to_owned(),
    }
}

fn ratio(numerator: Option<f64>, denominator: Option<f64>) -> String {
    match (numerator, denominator) {
        (Some(n), Some(d)) if d > 0.0 => format!("{:.2}×", n / d),
        _ => "–".to_owned(),
    }
}

fn dropped(results: &Results, case: usize, peer: Peer) -> String {
    let (sent, received) = results.counts(case, peer);
    let lost = sent.saturating_sub(received);
    if lost == 0 {
        format!("0 of {}", number(sent as f64))
    } else {
        format!(
            "**{} of {}** ({:.3}%)",
            number(lost as f64),
            number(sent as f64),
            lost as f64 * 100.0 / sent as f64
        )
    }
}

/// A table: a header of `figures` (with their titles), then a ratio of `headline` against
/// raw socketioxide and Node, and drops.
fn table(
    out: &mut String,
    results: &Results,
    section: Section,
    case_title: &str,
    figures: &[(&str, &str)],
    headline: &str,
) {
    let _ = write!(out, "| {case_title} | server |");
    for (_, title) in figures {
        let _ = write!(out, " {title} |");
    }
    let _ = writeln!(out, " vs raw | vs Node | dropped | load generator CPU |");
    let _ = write!(out, "|---|---|");
    for _ in figures {
        out.push_str("---:|");
    }
    out.push_str("---:|---:|---:|---:|\n");
    for (index, case) in results.cases(section) {
        for &peer in &case.peers {
            let _ = write!(out, "| {} | {} |", case.label, peer.label());
            for (figure, _) in figures {
                let _ = write!(out, " {} |", cell(results.summary(index, peer, figure)));
            }
            let mine = results.median(index, peer, headline);
            let cpu = results.loadgen_cpu(index, peer) * 100.0;
            let _ = writeln!(
                out,
                " {} | {} | {} | {} |",
                ratio(mine, results.median(index, Peer::Raw, headline)),
                ratio(mine, results.median(index, Peer::Node, headline)),
                dropped(results, index, peer),
                if cpu > LOADGEN_LIMIT {
                    format!("**{cpu:.0}%**")
                } else {
                    format!("{cpu:.0}%")
                },
            );
        }
    }
    out.push('\n');
}

/// The machine the benchmark ran on.
pub struct Machine {
    /// CPU model.
    pub cpu: String,
    /// Cores the process may use.
    pub cores: usize,
    /// Total memory.
    pub memory: String,
    /// Kernel release.
    pub kernel: String,
    /// `rustc -V`.
    pub rustc: String,
    /// `node -v`.
    pub node: String,
    /// When (UTC date).
    pub date: String,
}

impl Machine {
    /// Reads this machine.
    pub fn this() -> Self {
        let read = |path: &str| std::fs::read_to_string(path).unwrap_or_default();
        let run = |program: &str, args: &[&str]| {
            std::process::Command::new(program)
                .args(args)
                .output()
                .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_owned())
                .unwrap_or_else(|_| "unknown".to_owned())
        };
        let cpuinfo = read("/proc/cpuinfo");
        let field = |text: &str, name: &str| {
            text.lines()
                .find_map(|line| line.strip_prefix(name))
                .and_then(|rest| rest.split(':').nth(1))
                .map(|value| value.trim().to_owned())
                .unwrap_or_else(|| "unknown".to_owned())
        };
        Self {
            cpu: field(&cpuinfo, "model name"),
            cores: std::thread::available_parallelism().map_or(1, usize::from),
            memory: field(&read("/proc/meminfo"), "MemTotal"),
            kernel: read("/proc/sys/kernel/osrelease").trim().to_owned(),
            rustc: run("rustc", &["-V"]),
            node: run("node", &["-v"]),
            date: run("date", &["-u", "+%Y-%m-%d"]),
        }
    }
}

/// A target of the benchmark and whether this run met it.
struct Target {
    what: &'static str,
    wanted: f64,
    got: Option<f64>,
    unit: &'static str,
    higher_is_better: bool,
}

fn targets(results: &Results) -> Vec<Target> {
    let mut targets = Vec::new();
    let ratio_of = |section, figure: &str, of: Peer, to: Peer| -> Option<f64> {
        let cases = results.cases(section);
        let ratios: Vec<f64> = cases
            .iter()
            .filter_map(|(index, _)| {
                Some(results.median(*index, of, figure)? / results.median(*index, to, figure)?)
            })
            .collect();
        ratios.iter().copied().reduce(f64::min)
    };
    targets.push(Target {
        what: "W2 acks/s, eventwire ÷ raw socketioxide (lowest over the W2 cases)",
        wanted: 0.95,
        got: ratio_of(Section::Throughput, "acks/s", Peer::Eventwire, Peer::Raw),
        unit: "×",
        higher_is_better: true,
    });
    targets.push(Target {
        what: "W2 acks/s, eventwire ÷ Node socket.io (lowest over the W2 cases)",
        wanted: 5.0,
        got: ratio_of(Section::Throughput, "acks/s", Peer::Eventwire, Peer::Node),
        unit: "×",
        higher_is_better: true,
    });
    targets.push(Target {
        what: "W5 at saturation (~2 KB order), acks/s, eventwire ÷ raw socketioxide",
        wanted: 0.95,
        got: ratio_of(Section::Validation, "acks/s", Peer::Eventwire, Peer::Raw),
        unit: "×",
        higher_is_better: true,
    });
    let memory = results.cases(Section::Memory);
    let extra = memory.first().and_then(|(index, _)| {
        Some(
            results.median(*index, Peer::Eventwire, "bytes/conn")?
                - results.median(*index, Peer::Raw, "bytes/conn")?,
        )
    });
    targets.push(Target {
        what: "W4 bytes per idle connection, eventwire − raw socketioxide",
        wanted: 1024.0,
        got: extra,
        unit: " B",
        higher_is_better: false,
    });
    targets
}

/// The figures of a W2 table: (figure, column title).
const THROUGHPUT: &[(&str, &str)] = &[
    ("acks/s", "acks/s"),
    ("acks per CPU-s", "acks per CPU-s"),
    ("server CPU", "server CPU (cores)"),
];

/// The whole `BENCHMARKS.md`. `charts` are the chart files, relative to the report.
pub fn markdown(results: &Results, machine: &Machine, charts: &[(String, String)]) -> String {
    let plan = results.plan;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Benchmarks\n\n\
         eventwire (typed, validated events with typed acks) against the same work done by hand \
         on raw socketioxide, Node's socket.io 4.8, and a tokio-tungstenite server that answers \
         Socket.IO frames without parsing them (the ceiling). Generated by \
         `./scripts/bench`; do not edit by hand. How it is measured: \
         [bench/src/lib.rs](bench/src/lib.rs).\n\n\
         Machine: {} ({} cores), {}, Linux {}, {}, Node {}, on {}. \
         Every figure is the median of {} runs with the range [min–max]; the peers' runs are \
         interleaved, each against a freshly started server. Unless marked, each server runs \
         on core 0 (`taskset`; a single-threaded tokio runtime for the Rust servers) and the \
         load generator on core 1. Ratios divide medians. `load generator CPU` is the most \
         of its core the load generator used in any run of that row: above 70% (in bold) it \
         may be what limited the figure.\n",
        machine.cpu,
        machine.cores,
        machine.memory,
        machine.kernel,
        machine.rustc,
        machine.node,
        machine.date,
        plan.runs
    );
    for (title, file) in charts {
        let _ = writeln!(out, "![{title}]({file})");
    }
    out.push_str("\n## Targets\n\n| target | wanted | this run | met |\n|---|---:|---:|:-:|\n");
    for target in targets(results) {
        let (got, met) = match target.got {
            Some(got) if target.unit == "×" => (
                format!("{got:.2}×"),
                (got >= target.wanted) == target.higher_is_better,
            ),
            Some(got) => (
                format!("{got:+.0} B"),
                (got <= target.wanted) != target.higher_is_better,
            ),
            None => ("–".to_owned(), false),
        };
        let wanted = if target.higher_is_better {
            format!("≥ {}{}", target.wanted, target.unit)
        } else {
            format!("≤ {}{}", target.wanted, target.unit)
        };
        let _ = writeln!(
            out,
            "| {} | {wanted} | {got} | {} |",
            target.what,
            if met { "yes" } else { "**no**" }
        );
    }
    out.push_str(
        "\n## W1: ack latency, open loop\n\n\
         100 connections share a fixed rate of acknowledged `echo` events (~100 B, two \
         validated fields, answered with the message). Latency runs from when each event was \
         *due*, not when it was sent, so a stall is charged to every request scheduled behind \
         it. After a 1 s warm-up, 5 s are measured. Milliseconds.\n\n",
    );
    table(
        &mut out,
        results,
        Section::Latency,
        "rate",
        &[("p50 ms", "p50"), ("p99 ms", "p99"), ("p99.9 ms", "p99.9")],
        "p99 ms",
    );
    out.push_str(
        "## W2: ack throughput, closed loop\n\n\
         Connections × events in flight per connection; each answer is followed at once by \
         the next event. After a 1 s warm-up, 3 s are measured. `acks per CPU-s` divides the \
         answers by the server's utime + stime over the window (from `/proc`).\n\n",
    );
    table(
        &mut out,
        results,
        Section::Throughput,
        "connections × in flight",
        THROUGHPUT,
        "acks/s",
    );
    out.push_str(
        "### Both cores\n\n\
         The Rust servers with a two-thread runtime and no pinning; the load generator shares \
         the same two cores, so these figures are lower bounds.\n\n",
    );
    table(
        &mut out,
        results,
        Section::BothCores,
        "connections × in flight",
        THROUGHPUT,
        "acks/s",
    );
    out.push_str(
        "## W3: room fan-out\n\n\
         One publisher sends numbered messages to a room; the server broadcasts each to every \
         member. The publisher keeps at most 8 messages that have not reached every member, \
         for 3 s. Latency runs from the publish to each member's receipt. `dropped` counts \
         copies that never arrived.\n\n",
    );
    table(
        &mut out,
        results,
        Section::Fanout,
        "room",
        &[
            ("deliveries/s", "deliveries/s"),
            ("p50 ms", "p50 ms"),
            ("p99 ms", "p99 ms"),
        ],
        "deliveries/s",
    );
    out.push_str(
        "## W4: idle memory\n\n\
         Resident memory per idle connection: the slope of the server's `VmRSS` between the \
         two connection counts, each read after 2 s of settling. `dropped` counts connections \
         that did not stay open.\n\n",
    );
    table(
        &mut out,
        results,
        Section::Memory,
        "connections",
        &[
            ("bytes/conn", "bytes per connection"),
            ("RSS MiB", "RSS at the end (MiB)"),
        ],
        "bytes/conn",
    );
    out.push_str(
        "## W5: validation cost at saturation\n\n\
         W2 at 100 × 32 with a ~2 KB nested `order` (24 items, 73 rules), answered with a \
         receipt. The micro-benchmark of decode + validate alone is \
         `cargo bench -p eventwire-bench --bench decode`.\n\n",
    );
    table(
        &mut out,
        results,
        Section::Validation,
        "connections × in flight",
        &[("acks/s", "acks/s"), ("acks per CPU-s", "acks per CPU-s")],
        "acks/s",
    );
    out.push_str(NOTES);
    out
}

/// What investigations behind the figures found, not measured by the run above: kept in
/// bench/NOTES.md, where they are edited, and copied into every report.
const NOTES: &str = include_str!("../NOTES.md");

/// The report's `## W<n>` sections, by the workload that fills them.
const SECTIONS: &[(&str, &[Section])] = &[
    ("## W1:", &[Section::Latency]),
    ("## W2:", &[Section::Throughput, Section::BothCores]),
    ("## W3:", &[Section::Fanout]),
    ("## W4:", &[Section::Memory]),
    ("## W5:", &[Section::Validation]),
];

/// `fresh`, a report of a run that measured only `measured` (`bench run --only`), with the
/// sections and target rows of the other workloads taken from `previous`, so that
/// rerunning one workload keeps the others' figures.
///
/// ```
/// use eventwire_bench::plan::Section;
/// use eventwire_bench::report::keep_unmeasured;
///
/// let old = "# B\n\n| W1 p99 | ≤ 1 | 0.5 | yes |\n| W2 x | ≥ 1 | 0.9× | **no** |\n\n## W1: a\n\nold one\n\n## W2: b\n\nold two\n\n## Notes\n";
/// let new = "# B\n\n| W1 p99 | ≤ 1 | – | **no** |\n| W2 x | ≥ 1 | 1.1× | yes |\n\n## W1: a\n\n\n## W2: b\n\nnew two\n\n## Notes\n";
/// assert_eq!(
///     keep_unmeasured(old, new, &[Section::Throughput]),
///     "# B\n\n| W1 p99 | ≤ 1 | 0.5 | yes |\n| W2 x | ≥ 1 | 1.1× | yes |\n\n## W1: a\n\n\
///      *Not measured by the latest run: these figures are an earlier run's.*\n\n\
///      old one\n\n## W2: b\n\nnew two\n\n## Notes\n",
/// );
/// ```
pub fn keep_unmeasured(previous: &str, fresh: &str, measured: &[Section]) -> String {
    let mut out = fresh.to_owned();
    for (heading, sections) in SECTIONS {
        if sections.iter().any(|section| measured.contains(section)) {
            continue;
        }
        let tag = &heading[3..5];
        if let (Some(old), Some(new)) = (block(previous, heading), block(&out, heading)) {
            out = out.replacen(new, &marked_earlier(old), 1);
        }
        // Target rows name their workload first: `| W2 acks/s ... |`.
        let row = format!("| {tag} ");
        for line in fresh.lines().filter(|line| line.starts_with(&row)) {
            let name = &line[..line[1..].find('|').map_or(line.len(), |i| i + 1)];
            if let Some(old) = previous.lines().find(|old| old.starts_with(name)) {
                out = out.replacen(line, old, 1);
            }
        }
    }
    out
}

/// What a section carried over from an earlier report says under its heading.
const EARLIER: &str = "*Not measured by the latest run: these figures are an earlier run's.*";

/// `section` with [`EARLIER`] under its heading (once).
fn marked_earlier(section: &str) -> String {
    if section.contains(EARLIER) {
        return section.to_owned();
    }
    match section.split_once("\n\n") {
        Some((heading, rest)) => format!("{heading}\n\n{EARLIER}\n\n{rest}"),
        None => section.to_owned(),
    }
}

/// The section of `report` that starts at `heading`, up to the next section or marker.
fn block<'a>(report: &'a str, heading: &str) -> Option<&'a str> {
    let start = report.find(&format!("\n{heading}"))? + 1;
    let rest = &report[start + heading.len()..];
    let len = ["\n## ", "\n<!--"]
        .iter()
        .filter_map(|next| rest.find(next))
        .min()
        .map_or(rest.len(), |end| end + 1);
    Some(&report[start..start + heading.len() + len])
}
