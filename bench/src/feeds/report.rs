//! W6's section of `BENCHMARKS.md` and its chart. The section sits between two markers so
//! that `bench run --only W6` can replace it without touching the rest of the report.

use std::fmt::Write as _;
use std::path::Path;

use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;

use super::{Contender, Measured};
use crate::Result;
use crate::report::number;
use crate::stats::Summary;
use crate::workloads::Outcome;

/// Where W6's section starts.
pub const BEGIN: &str = "<!-- W6 begin: written by `bench run --only W6` -->";
/// Where it ends.
pub const END: &str = "<!-- W6 end -->";

/// The chart's file, under `docs/benchmarks/`.
pub const CHART: &str = "w6-feeds.png";

/// The goal: filtering costs less than 10% over the room broadcast.
const GOAL: f64 = 0.90;

fn summary(outcomes: &[Outcome], figure: &str) -> Option<Summary> {
    let values: Vec<f64> = outcomes.iter().filter_map(|o| o.figure(figure)).collect();
    (!values.is_empty()).then(|| Summary::of(&values))
}

/// A count, with thousands separators.
fn count(n: usize) -> String {
    if n < 100 {
        n.to_string()
    } else {
        number(n as f64)
    }
}

fn cell(summary: Option<Summary>) -> String {
    match summary {
        Some(s) => format!("{} [{}–{}]", number(s.median), number(s.min), number(s.max)),
        None => "–".to_owned(),
    }
}

impl Measured {
    fn runs_of(&self, contender: Contender) -> &[Outcome] {
        self.outcomes
            .iter()
            .find(|(c, _)| *c == contender)
            .map_or(&[], |(_, runs)| runs.as_slice())
    }

    fn median(&self, contender: Contender, figure: &str) -> Option<f64> {
        summary(self.runs_of(contender), figure).map(|s| s.median)
    }

    /// Feeds' deliveries per second ÷ the room broadcast's.
    pub fn feeds_vs_room(&self) -> Option<f64> {
        Some(
            self.median(Contender::Feeds, "deliveries/s")?
                / self.median(Contender::Room, "deliveries/s")?,
        )
    }

    /// Feeds' server CPU per change ÷ the room broadcast's.
    pub fn cpu_vs_room(&self) -> Option<f64> {
        Some(
            self.median(Contender::Feeds, "server µs/change")?
                / self.median(Contender::Room, "server µs/change")?,
        )
    }

    /// The section, markers included. `chart` is the chart's path relative to the report.
    pub fn markdown(&self, chart: Option<&str>) -> String {
        let layout = self.layout;
        let mut out = String::new();
        let _ = writeln!(out, "{BEGIN}");
        let _ = writeln!(
            out,
            "## W6: feed matching\n\n\
             {} subscriptions on one node over {} distinct filters: {} connections × {} \
             subscriptions, each filter held by {} subscriptions on different connections. A \
             filter is a project (`eq`), a status (`eq`) and a minimum priority (`gte`); one \
             publisher sends changes (created tasks, ~150 B), each matching exactly one \
             filter, and keeps at most 64 changes that have not reached all their holders. \
             After a {} s warm-up, {} s are measured. The ceiling is eventwire broadcasting the \
             same frames to rooms (one room per filter, joined by its holders): the same \
             messages without matching. eventwire's feeds send a change to the subscriptions \
             of equal filters on different connections as one room broadcast of their shared \
             frame, so each filter's holders here share one. Node's socket.io scans every \
             subscription per change and tests its filter in JavaScript. `server µs per change` is the server's CPU \
             time over the window divided by the changes; `misdelivered` counts changes a \
             connection received for a filter it does not hold. Median of {} runs \
             [min–max], contenders interleaved, each against a fresh server; the machine was \
             shared with other work, so read ratios rather than absolute figures. Produced \
             by `cargo build --release -p eventwire-bench --bin bench && target/release/bench \
             run --only W6 --runs {}`.\n",
            count(layout.subscriptions()),
            count(layout.filters()),
            count(layout.connections),
            layout.per_connection,
            layout.per_connection,
            self.seconds.0,
            self.seconds.1,
            self.runs,
            self.runs,
        );
        if let Some(chart) = chart {
            let _ = writeln!(out, "![W6: feed deliveries per second]({chart})\n");
        }
        out.push_str(
            "| server | changes/s | deliveries/s | server µs per change | p50 ms | p99 ms | vs room broadcast | dropped | misdelivered | load generator CPU |\n\
             |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
        );
        let room = self.median(Contender::Room, "deliveries/s");
        for contender in Contender::ALL {
            let runs = self.runs_of(contender);
            if runs.is_empty() {
                continue;
            }
            let sent: u64 = runs.iter().map(|o| o.sent).sum();
            let lost: u64 = runs.iter().map(Outcome::dropped).sum();
            let misdelivered: f64 = runs.iter().filter_map(|o| o.figure("misdelivered")).sum();
            let cpu = runs.iter().map(|o| o.loadgen_cpu).fold(0.0, f64::max) * 100.0;
            let ratio = match (self.median(contender, "deliveries/s"), room) {
                (Some(mine), Some(room)) if room > 0.0 => format!("{:.2}×", mine / room),
                _ => "–".to_owned(),
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {ratio} | {} of {} | {} | {cpu:.0}% |",
                contender.label(),
                cell(summary(runs, "changes/s")),
                cell(summary(runs, "deliveries/s")),
                cell(summary(runs, "server µs/change")),
                cell(summary(runs, "p50 ms")),
                cell(summary(runs, "p99 ms")),
                number(lost as f64),
                number(sent as f64),
                number(misdelivered),
            );
        }
        let met = |ratio: Option<f64>, good: &dyn Fn(f64) -> bool| match ratio {
            Some(r) if good(r) => format!("{r:.2}× (met)"),
            Some(r) => format!("{r:.2}× (**not met**)"),
            None => "–".to_owned(),
        };
        let _ = writeln!(
            out,
            "\nGoal: filtering costs less than 10% over the room broadcast. Deliveries per \
             second, feeds ÷ room broadcast: {} (wanted ≥ {GOAL:.2}×). Server CPU per change, \
             feeds ÷ room broadcast: {} (wanted ≤ 1.10×).\n",
            met(self.feeds_vs_room(), &|r| r >= GOAL),
            met(self.cpu_vs_room(), &|r| r <= 1.10),
        );
        let _ = writeln!(
            out,
            "### The matcher alone\n\n\
             In one process, no sockets: for each of the {} changes (one per filter), the \
             subscriptions it matches among the {}, found through the feed's index (the \
             subscriptions filed under the change's project: {} candidates, each tested with \
             `matches`) or by testing every subscription's filter. Also measured with \
             criterion: `cargo bench -p eventwire-bench --bench matching`.\n\n\
             | matcher | ns per change | subscriptions tested | vs naive scan |\n\
             |---|---:|---:|---:|\n\
             | index + `matches` | {} | {} | {:.4}× |\n\
             | naive scan | {} | {} | 1.00× |",
            count(layout.filters()),
            count(layout.subscriptions()),
            count(self.candidates),
            cell(Some(self.indexed_ns)),
            count(self.candidates),
            self.indexed_ns.median / self.naive_ns.median,
            cell(Some(self.naive_ns)),
            count(layout.subscriptions()),
        );
        let _ = writeln!(out, "{END}");
        out
    }

    /// Draws deliveries per second of every contender into `path` (the font registered).
    pub fn chart(&self, path: &Path) -> Result<()> {
        let bars: Vec<(Contender, Summary)> = Contender::ALL
            .into_iter()
            .filter_map(|c| Some((c, summary(self.runs_of(c), "deliveries/s")?)))
            .collect();
        let top = bars.iter().map(|(_, s)| s.max).fold(0.0, f64::max).max(1.0) * 1.15;
        let root = BitMapBackend::new(path, (960, 520)).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(
                format!(
                    "W6: {} subscriptions, feed deliveries per second (higher is better)",
                    count(self.layout.subscriptions())
                ),
                ("sans-serif", 22),
            )
            .margin(16)
            .x_label_area_size(36)
            .y_label_area_size(90)
            // A segmented range of 0..n has n + 1 segments.
            .build_cartesian_2d((0..bars.len().max(1) - 1).into_segmented(), 0.0..top)?;
        let labels: Vec<&str> = bars.iter().map(|(c, _)| c.label()).collect();
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(bars.len())
            .x_label_formatter(&|value| match value {
                SegmentValue::CenterOf(i) => labels.get(*i).copied().unwrap_or("").to_owned(),
                _ => String::new(),
            })
            .y_desc("deliveries per second")
            .y_label_formatter(&|value| number(*value))
            .label_style(("sans-serif", 15))
            .draw()?;
        let color = |c: Contender| match c {
            Contender::Feeds => RGBColor(0x2b, 0x6c, 0xb0),
            Contender::Room => RGBColor(0xb0, 0xb0, 0xb0),
            Contender::Node => RGBColor(0x6a, 0xa8, 0x4f),
        };
        chart.draw_series(bars.iter().enumerate().map(|(i, (c, s))| {
            let mut bar = Rectangle::new(
                [
                    (SegmentValue::Exact(i), 0.0),
                    (SegmentValue::Exact(i + 1), s.median),
                ],
                color(*c).filled(),
            );
            bar.set_margin(0, 0, 40, 40);
            bar
        }))?;
        chart.draw_series(bars.iter().enumerate().map(|(i, (_, s))| {
            PathElement::new(
                vec![
                    (SegmentValue::CenterOf(i), s.min),
                    (SegmentValue::CenterOf(i), s.max),
                ],
                BLACK.stroke_width(2),
            )
        }))?;
        root.present()?;
        Ok(())
    }
}

/// `report` with its W6 section replaced by `section`, or `section` added before the
/// notes (or at the end) when it has none.
pub fn splice(report: &str, section: &str) -> String {
    if let (Some(begin), Some(end)) = (report.find(BEGIN), report.find(END))
        && begin < end
    {
        let end = end + END.len();
        let rest = report[end..].strip_prefix('\n').unwrap_or(&report[end..]);
        return format!("{}{section}{rest}", &report[..begin]);
    }
    match report.find("\n## Notes") {
        Some(at) => format!("{}{section}{}", &report[..at + 1], &report[at..]),
        None => format!("{}\n{section}", report.trim_end()),
    }
}

/// Draws W6's chart under `out/docs/benchmarks/` and writes its section into
/// `out/BENCHMARKS.md` (created when missing), leaving the rest of the report as it is.
pub fn write(measured: &Measured, out: &Path) -> Result<()> {
    crate::charts::load_font()?;
    let dir = out.join("docs/benchmarks");
    std::fs::create_dir_all(&dir)?;
    measured.chart(&dir.join(CHART))?;
    let path = out.join("BENCHMARKS.md");
    let report = std::fs::read_to_string(&path).unwrap_or_default();
    let section = measured.markdown(Some(&format!("docs/benchmarks/{CHART}")));
    std::fs::write(&path, splice(&report, &section))?;
    eprintln!("wrote the W6 section of {}", path.display());
    Ok(())
}

/// `fresh` (a report just generated without W6) with the W6 section of `previous`, if it
/// had one: rerunning other workloads keeps W6's figures.
pub fn carry_over(previous: &str, fresh: String) -> String {
    match section(previous) {
        Some(section) => splice(&fresh, &format!("{section}\n")),
        None => fresh,
    }
}

/// The W6 section of `report`, if it has one.
pub fn section(report: &str) -> Option<&str> {
    let begin = report.find(BEGIN)?;
    let end = report[begin..].find(END)? + begin + END.len();
    Some(&report[begin..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_section_is_added_once_then_replaced() {
        let report = "# Benchmarks\n\n## W5\n\ntext\n\n## Notes\n\n- a\n";
        let first = splice(report, &format!("{BEGIN}\none\n{END}\n"));
        assert_eq!(
            first,
            format!("# Benchmarks\n\n## W5\n\ntext\n\n{BEGIN}\none\n{END}\n\n## Notes\n\n- a\n")
        );
        let second = splice(&first, &format!("{BEGIN}\ntwo\n{END}\n"));
        assert_eq!(second, first.replace("one", "two"));
        assert_eq!(section(&second), Some(&*format!("{BEGIN}\ntwo\n{END}")));
        assert_eq!(splice("# B\n", "S\n"), "# B\nS\n");
    }
}
