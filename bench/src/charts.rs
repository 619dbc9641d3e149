//! The report's charts: grouped bars (one group per case, one bar per peer) with the
//! min–max range drawn over each bar, rendered to PNG with plotters.

use std::path::Path;

use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;
use plotters::style::FontStyle;

use crate::Result;
use crate::peer::Peer;
use crate::plan::Section;
use crate::report::Results;

/// Fonts tried, in order: plotters draws text with ab_glyph from a TrueType file.
const FONTS: &[&str] = &[
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
];

/// Registers the first font found as `sans-serif`.
pub fn load_font() -> Result<()> {
    let path = FONTS
        .iter()
        .find(|path| Path::new(path).exists())
        .ok_or("no TrueType font found for the charts (install fonts-dejavu-core)")?;
    let bytes: &'static [u8] = Vec::leak(std::fs::read(path)?);
    plotters::style::register_font("sans-serif", FontStyle::Normal, bytes)
        .map_err(|_| format!("{path} is not a usable font"))?;
    Ok(())
}

/// A chart of one figure over the cases of one section.
pub struct Chart {
    /// The file name, under the charts directory.
    pub file: &'static str,
    /// Its title.
    pub title: &'static str,
    /// The section it shows.
    pub section: Section,
    /// The figure it shows.
    pub figure: &'static str,
    /// The y axis.
    pub y_label: &'static str,
    /// A logarithmic y axis (for latencies that span orders of magnitude).
    pub log: bool,
}

/// The report's charts.
pub const CHARTS: &[Chart] = &[
    Chart {
        file: "w1-latency.png",
        title: "W1: ack latency p99 at a fixed rate (lower is better)",
        section: Section::Latency,
        figure: "p99 ms",
        y_label: "p99 latency (ms, log scale)",
        log: true,
    },
    Chart {
        file: "w2-throughput.png",
        title: "W2: acks per second, one server core (higher is better)",
        section: Section::Throughput,
        figure: "acks/s",
        y_label: "acks per second",
        log: false,
    },
    Chart {
        file: "w3-fanout.png",
        title: "W3: room fan-out deliveries per second (higher is better)",
        section: Section::Fanout,
        figure: "deliveries/s",
        y_label: "deliveries per second",
        log: false,
    },
    Chart {
        file: "w4-memory.png",
        title: "W4: memory per idle connection (lower is better)",
        section: Section::Memory,
        figure: "bytes/conn",
        y_label: "bytes per connection",
        log: false,
    },
];

fn color(peer: Peer) -> RGBColor {
    match peer {
        Peer::Eventwire => RGBColor(0x2b, 0x6c, 0xb0),
        Peer::Raw => RGBColor(0x8a, 0xb6, 0xe0),
        Peer::Node => RGBColor(0x6a, 0xa8, 0x4f),
        Peer::Echo => RGBColor(0xb0, 0xb0, 0xb0),
    }
}

/// One bar: its slot on the x axis, peer and summary.
struct Bar {
    slot: usize,
    peer: Peer,
    median: f64,
    min: f64,
    max: f64,
}

/// Draws `chart` into `path`; `false` when its section was not run.
pub fn draw(chart: &Chart, results: &Results, path: &Path) -> Result<bool> {
    let cases = results.cases(chart.section);
    if cases.is_empty() {
        return Ok(false);
    }
    let peers: Vec<Peer> = Peer::ALL
        .into_iter()
        .filter(|peer| cases.iter().any(|(_, case)| case.peers.contains(peer)))
        .collect();
    // One slot per peer in each group, and an empty slot between groups.
    let per_group = peers.len() + 1;
    let mut bars = Vec::new();
    for (group, (index, _)) in cases.iter().enumerate() {
        for (position, &peer) in peers.iter().enumerate() {
            if let Some(summary) = results.summary(*index, peer, chart.figure) {
                bars.push(Bar {
                    slot: group * per_group + position,
                    peer,
                    median: summary.median,
                    min: summary.min,
                    max: summary.max,
                });
            }
        }
    }
    let slots = cases.len() * per_group - 1;
    let top = bars.iter().map(|bar| bar.max).fold(0.0, f64::max).max(1e-3) * 1.15;
    let bottom = if chart.log {
        bars.iter()
            .map(|bar| bar.min)
            .fold(f64::INFINITY, f64::min)
            .max(1e-3)
            / 2.0
    } else {
        0.0
    };
    let labels: Vec<String> = cases.iter().map(|(_, case)| case.label.clone()).collect();
    let label_of = |value: &SegmentValue<usize>| match value {
        SegmentValue::CenterOf(slot) if slot % per_group == (per_group - 1) / 2 => {
            labels.get(slot / per_group).cloned().unwrap_or_default()
        }
        _ => String::new(),
    };
    let root = BitMapBackend::new(path, (960, 520)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut builder = ChartBuilder::on(&root);
    builder
        .caption(chart.title, ("sans-serif", 22))
        .margin(16)
        .x_label_area_size(36)
        .y_label_area_size(90);
    macro_rules! finish {
        ($chart:expr) => {{
            let mut plot = $chart;
            plot.configure_mesh()
                .disable_x_mesh()
                .x_labels(slots + 1)
                .x_label_formatter(&label_of)
                .y_desc(chart.y_label)
                .y_label_formatter(&|value| crate::report::number(*value))
                .label_style(("sans-serif", 15))
                .draw()?;
            for &peer in &peers {
                let mine: Vec<&Bar> = bars.iter().filter(|bar| bar.peer == peer).collect();
                plot.draw_series(mine.iter().map(|bar| {
                    Rectangle::new(
                        [
                            (SegmentValue::Exact(bar.slot), bottom),
                            (SegmentValue::Exact(bar.slot + 1), bar.median),
                        ],
                        color(peer).filled(),
                    )
                }))?
                .label(peer.label())
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 6), (x + 14, y + 6)], color(peer).filled())
                });
                plot.draw_series(mine.iter().map(|bar| {
                    PathElement::new(
                        vec![
                            (SegmentValue::CenterOf(bar.slot), bar.min),
                            (SegmentValue::CenterOf(bar.slot), bar.max),
                        ],
                        BLACK.stroke_width(2),
                    )
                }))?;
            }
            plot.configure_series_labels()
                .position(SeriesLabelPosition::UpperLeft)
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK)
                .label_font(("sans-serif", 15))
                .draw()?;
        }};
    }
    if chart.log {
        finish!(
            builder.build_cartesian_2d((0..slots).into_segmented(), (bottom..top).log_scale())?
        );
    } else {
        finish!(builder.build_cartesian_2d((0..slots).into_segmented(), bottom..top)?);
    }
    root.present()?;
    Ok(true)
}
