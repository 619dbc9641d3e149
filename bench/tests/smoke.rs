//! Every workload once, at a tiny size, against every peer: the benchmark still works (the
//! servers answer the frames the load generator sends, nothing is dropped, the report and
//! charts render). It measures nothing; `./scripts/bench` does.

use eventwire_bench::charts::{self, CHARTS};
use eventwire_bench::peer::Peer;
use eventwire_bench::plan::{Plan, Scale, section_name};
use eventwire_bench::process::Programs;
use eventwire_bench::report::{Machine, Results, markdown};

#[test]
fn every_workload_runs_against_every_peer() {
    let plan = Plan::new(Scale::SMOKE, false);
    let programs = Programs::new(env!("CARGO_BIN_EXE_bench").into());
    let records = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(plan.run(&programs))
        .unwrap();

    assert_eq!(
        records.len(),
        plan.cases
            .iter()
            .map(|case| case.peers.len())
            .sum::<usize>()
    );
    for record in &records {
        let case = &plan.cases[record.case];
        let what = format!(
            "{} {} {}",
            section_name(case.section),
            case.label,
            record.peer
        );
        let outcome = &record.outcome;
        assert!(
            outcome.received > 0,
            "{what}: nothing answered or delivered"
        );
        assert_eq!(outcome.dropped(), 0, "{what}: {outcome:?}");
        // Tiny windows on debug builds: a figure may be 0, never nonsense.
        for (name, value) in &outcome.figures {
            assert!(
                value.is_finite() && *value >= 0.0,
                "{what}: {name} is {value}"
            );
        }
    }
    for peer in Peer::ALL {
        assert!(
            records.iter().any(|record| record.peer == peer),
            "{peer} never ran"
        );
    }

    let results = Results::new(&plan, &records);
    let report = markdown(&results, &Machine::this(), &[]);
    for heading in [
        "## Targets",
        "## W1",
        "## W2",
        "### Both cores",
        "## W3",
        "## W4",
        "## W5",
    ] {
        assert!(report.contains(heading), "no {heading} in the report");
    }
    match charts::load_font() {
        Ok(()) => {
            let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
            for chart in CHARTS {
                let path = dir.join(chart.file);
                assert!(charts::draw(chart, &results, &path).unwrap());
                assert!(std::fs::metadata(&path).unwrap().len() > 1000);
            }
        }
        Err(error) => eprintln!("SKIPPED the charts: {error}"),
    }
}

/// W6 at a tiny size, every contender: subscriptions are accepted, every change reaches
/// exactly the connections holding its filter, both matchers agree, the section renders
/// and replaces itself in a report.
#[test]
fn feed_matching_runs_against_every_contender() {
    use eventwire_bench::feeds::{self, Contender, report};

    let programs = Programs::new(env!("CARGO_BIN_EXE_bench").into());
    let measured = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(feeds::measure(feeds::Scale::SMOKE, None, None, &programs))
        .unwrap();
    for contender in Contender::ALL {
        let (_, runs) = measured
            .outcomes
            .iter()
            .find(|(c, _)| *c == contender)
            .unwrap();
        assert_eq!(runs.len(), 1, "{contender:?}");
        for outcome in runs {
            assert!(outcome.received > 0, "{contender:?}: nothing delivered");
            assert_eq!(outcome.dropped(), 0, "{contender:?}: {outcome:?}");
            assert_eq!(outcome.figure("misdelivered"), Some(0.0), "{contender:?}");
            for (name, value) in &outcome.figures {
                assert!(
                    value.is_finite() && *value >= 0.0,
                    "{contender:?}: {name} is {value}"
                );
            }
        }
    }
    assert_eq!(measured.candidates, 4 * measured.layout.per_connection);
    let section = measured.markdown(Some("docs/benchmarks/w6-feeds.png"));
    assert!(section.contains("## W6: feed matching"));
    assert!(section.contains("### The matcher alone"));
    let report = report::splice("# Benchmarks\n\n## Notes\n", &section);
    assert_eq!(report::splice(&report, &section), report);
    match charts::load_font() {
        Ok(()) => {
            let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(report::CHART);
            measured.chart(&path).unwrap();
            assert!(std::fs::metadata(&path).unwrap().len() > 1000);
        }
        Err(error) => eprintln!("SKIPPED the chart: {error}"),
    }
}
