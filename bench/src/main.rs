//! `bench`: runs the side-by-side benchmark, or serves one of its Rust peers.
//!
//! ```text
//! bench run [--runs N] [--only W1,W3] [--out DIR] [--no-pin]  # measure; write the report
//!                                         # (--only W6: only W6's section is rewritten)
//! bench serve PEER [--threads N]                # eventwire | raw | echo, prints its port
//! bench callgrind [--events N] [--in-flight N] [--peers eventwire,raw] [--keep DIR] [--server-bin PATH]
//!                 [--cache-sim]                 # instructions (and simulated cache misses)
//!                                               # per echo event, under callgrind
//! bench callgrind-feeds [--changes N] [--layout 100x100] [--only feeds,room] [--keep DIR]
//!                       [--server-bin PATH]     # instructions per W6 delivery, under callgrind
//! ```

use std::path::PathBuf;

use eventwire_bench::Result;
use eventwire_bench::charts::{self, CHARTS};
use eventwire_bench::feeds;
use eventwire_bench::peer::Peer;
use eventwire_bench::plan::{Plan, Scale, section_name};
use eventwire_bench::process::{Programs, raise_fd_limit};
use eventwire_bench::report::{Machine, Results, keep_unmeasured, markdown};

const USAGE: &str = "\
usage: bench run [--runs N] [--only W2,W5] [--out DIR] [--no-pin] [--smoke]
       bench serve PEER [--threads N]
       bench callgrind [--events N] [--in-flight N] [--peers eventwire,raw] [--keep DIR] [--server-bin PATH] [--cache-sim]
       bench callgrind-feeds [--changes N] [--layout 100x100] [--only feeds,room] [--keep DIR] [--server-bin PATH]";

fn value(args: &mut impl Iterator<Item = String>, flag: &str) -> Result<String> {
    args.next()
        .ok_or_else(|| format!("{flag} needs a value\n{USAGE}").into())
}

fn serve(mut args: impl Iterator<Item = String>) -> Result<()> {
    let peer = value(&mut args, "serve")?;
    let mut threads = 1;
    while let Some(flag) = args.next() {
        match flag.as_str() {
            "--threads" => threads = value(&mut args, &flag)?.parse()?,
            _ => return Err(format!("unknown flag {flag}\n{USAGE}").into()),
        }
    }
    eventwire_bench::servers::serve(&peer, threads)
}

fn run(mut args: impl Iterator<Item = String>) -> Result<()> {
    let mut scale = Scale::FULL;
    let mut runs = None;
    let mut only: Option<Vec<String>> = None;
    let mut pinned = true;
    let mut smoke = false;
    let mut out = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    while let Some(flag) = args.next() {
        match flag.as_str() {
            "--runs" => runs = Some(value(&mut args, &flag)?.parse()?),
            "--only" => {
                only = Some(
                    value(&mut args, &flag)?
                        .split(',')
                        .map(str::to_owned)
                        .collect(),
                )
            }
            "--out" => out = value(&mut args, &flag)?.into(),
            "--no-pin" => pinned = false,
            "--smoke" => {
                scale = Scale::SMOKE;
                smoke = true;
            }
            _ => return Err(format!("unknown flag {flag}\n{USAGE}").into()),
        }
    }
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    if pinned && cores < 2 {
        return Err(
            "pinning needs two cores (server on 0, load generator on 1): pass --no-pin".into(),
        );
    }
    let needed = 12_000;
    if raise_fd_limit()? < needed {
        return Err(format!("the open-file limit is below {needed}: raise `ulimit -Hn`").into());
    }
    let mut plan = Plan::new(scale, pinned);
    if let Some(runs) = runs {
        plan.runs = runs;
    }
    let w6 = only
        .as_ref()
        .is_none_or(|only| only.iter().any(|name| name == "W6"));
    if let Some(only) = only {
        // "W2" selects both W2 sections (one core and both cores).
        plan.cases.retain(|case| {
            let name = section_name(case.section);
            only.iter()
                .any(|wanted| name.split(' ').next() == Some(wanted.as_str()))
        });
    }
    let programs = Programs::new(std::env::current_exe()?);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let feeds = || -> Result<()> {
        let measured = runtime.block_on(feeds::measure(
            if smoke {
                feeds::Scale::SMOKE
            } else {
                feeds::Scale::FULL
            },
            runs,
            pinned.then_some(0),
            &programs,
        ))?;
        feeds::report::write(&measured, &out)
    };
    if plan.cases.is_empty() && w6 {
        return feeds();
    }
    let records = runtime.block_on(plan.run(&programs))?;
    let results = Results::new(&plan, &records);
    charts::load_font()?;
    let dir = out.join("docs/benchmarks");
    std::fs::create_dir_all(&dir)?;
    let mut files = Vec::new();
    for chart in CHARTS {
        // A chart this run did not redraw is still the report's (its section is kept).
        if charts::draw(chart, &results, &dir.join(chart.file))? || dir.join(chart.file).exists() {
            let file = format!("docs/benchmarks/{}", chart.file);
            files.push((chart.title.to_owned(), file));
        }
    }
    let previous = std::fs::read_to_string(out.join("BENCHMARKS.md")).unwrap_or_default();
    let measured: Vec<_> = plan.cases.iter().map(|case| case.section).collect();
    let fresh = keep_unmeasured(
        &previous,
        &markdown(&results, &Machine::this(), &files),
        &measured,
    );
    std::fs::write(
        out.join("BENCHMARKS.md"),
        feeds::report::carry_over(&previous, fresh),
    )?;
    eprintln!("wrote {}", out.join("BENCHMARKS.md").display());
    if w6 {
        feeds()?;
    }
    Ok(())
}

/// Instructions per echo event of each peer, under callgrind (see `callgrind`).
fn callgrind(mut args: impl Iterator<Item = String>) -> Result<()> {
    let mut events = 20_000;
    let mut in_flight = eventwire_bench::callgrind::IN_FLIGHT;
    let mut peers = vec![Peer::Eventwire, Peer::Raw];
    let mut keep = None;
    let mut cache_sim = false;
    // The binary that serves the peers: this one, or another build (to compare two
    // versions of eventwire with the same load).
    let mut bench = std::env::current_exe()?;
    while let Some(flag) = args.next() {
        match flag.as_str() {
            "--events" => events = value(&mut args, &flag)?.parse()?,
            "--in-flight" => in_flight = value(&mut args, &flag)?.parse()?,
            "--cache-sim" => cache_sim = true,
            "--keep" => keep = Some(PathBuf::from(value(&mut args, &flag)?)),
            "--server-bin" => bench = PathBuf::from(value(&mut args, &flag)?),
            "--peers" => {
                peers = value(&mut args, &flag)?
                    .split(',')
                    .map(str::parse)
                    .collect::<Result<_, String>>()?
            }
            _ => return Err(format!("unknown flag {flag}\n{USAGE}").into()),
        }
    }
    let mut counts = Vec::new();
    for peer in peers {
        let all = eventwire_bench::callgrind::counts_per_event(
            &bench,
            peer,
            (events, in_flight),
            keep.as_deref(),
            cache_sim,
        )?;
        let count = all.first().map_or(0.0, |(_, count)| *count);
        println!("{:<20} {count:>9.0} instructions per event", peer.label());
        for (name, per_event) in all.iter().skip(1) {
            println!("{:<20} {per_event:>9.1} {name} per event", "");
        }
        counts.push((peer, count));
    }
    if let (Some((_, ours)), Some((_, raw))) = (
        counts.iter().find(|(peer, _)| *peer == Peer::Eventwire),
        counts.iter().find(|(peer, _)| *peer == Peer::Raw),
    ) {
        println!("eventwire / raw socketioxide: {:.3}", ours / raw);
    }
    // Of this build: with `--server-bin`, the served build's may differ.
    println!(
        "eventwire's task per echo event: {} bytes",
        eventwire_bench::servers::eventwire::echo_task_size()
    );
    Ok(())
}

/// Instructions per W6 delivery, feeds against room broadcast, under callgrind (see
/// `feeds::callgrind`).
fn callgrind_feeds(mut args: impl Iterator<Item = String>) -> Result<()> {
    let mut changes = 500;
    let mut layout = (100, 100);
    let mut contenders = vec![feeds::Contender::Feeds, feeds::Contender::Room];
    let mut keep = None;
    let mut bench = std::env::current_exe()?;
    while let Some(flag) = args.next() {
        match flag.as_str() {
            "--changes" => changes = value(&mut args, &flag)?.parse()?,
            "--keep" => keep = Some(PathBuf::from(value(&mut args, &flag)?)),
            "--server-bin" => bench = PathBuf::from(value(&mut args, &flag)?),
            "--layout" => {
                let text = value(&mut args, &flag)?;
                let (connections, per) = text
                    .split_once('x')
                    .ok_or_else(|| format!("--layout wants CONNECTIONSxPER, not {text}"))?;
                layout = (connections.parse()?, per.parse()?);
            }
            "--only" => {
                contenders = value(&mut args, &flag)?
                    .split(',')
                    .map(|name| match name {
                        "feeds" => Ok(feeds::Contender::Feeds),
                        "room" => Ok(feeds::Contender::Room),
                        other => Err(format!("unknown contender {other}: feeds or room")),
                    })
                    .collect::<Result<_, String>>()?
            }
            _ => return Err(format!("unknown flag {flag}\n{USAGE}").into()),
        }
    }
    if layout.1 == 0 || layout.0 % layout.1 != 0 {
        return Err("--layout: subscriptions per connection must divide connections".into());
    }
    let layout = feeds::matching::Layout::new(layout.0, layout.1);
    let mut counts = Vec::new();
    for contender in contenders {
        let count =
            feeds::callgrind::per_delivery(&bench, contender, layout, changes, keep.as_deref())?;
        println!(
            "{:<36} {count:>9.0} instructions per delivery",
            contender.label()
        );
        counts.push((contender, count));
    }
    if let [(_, ours), (_, room)] = counts[..] {
        println!("feeds / room broadcast: {:.3}", ours / room);
    }
    Ok(())
}

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    match args.next().as_deref() {
        Some("serve") => serve(args),
        Some("run") => run(args),
        Some("callgrind") => callgrind(args),
        Some("callgrind-feeds") => callgrind_feeds(args),
        _ => Err(USAGE.into()),
    }
}
