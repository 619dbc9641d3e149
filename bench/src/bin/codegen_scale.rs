//! How generation scales: the TypeScript of a 1000-event contract, timed, and `tsc` on it.
//!
//! `cargo run --release -p eventwire-bench --features scale --bin codegen-scale` prints the
//! median and range of 21 generations, and of 5 interleaved `tsc --noEmit --strict` runs over
//! the output and over a trivial file (tsc's own start-up)
//! (run from the repository root after `npm ci`). Measured, never asserted.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use eventwire::payload;

/// The payload of every event.
#[payload]
pub struct Request {
    /// 1 to 64 characters.
    #[validate(length(min = 1, max = 64))]
    pub text: String,
}

/// The answer of every client event.
#[payload]
pub struct Reply {
    /// A count.
    pub n: u32,
}

include!(concat!(env!("OUT_DIR"), "/scale_contract.rs"));

fn summary(mut samples: Vec<Duration>) -> String {
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    format!(
        "median {:.1} ms (min {:.1}, max {:.1}, n = {})",
        ms(samples[samples.len() / 2]),
        ms(samples[0]),
        ms(samples[samples.len() - 1]),
        samples.len()
    )
}

fn main() {
    let generate = || {
        eventwire_codegen::Generator::new()
            .contract::<Scale>()
            .files("scale")
            .expect("generates")
    };
    let mut timings = Vec::new();
    let mut files = generate();
    for _ in 0..21 {
        let start = Instant::now();
        files = generate();
        timings.push(start.elapsed());
    }
    let dts_bytes = files[0].contents.len();
    println!(
        "1000-event contract → TypeScript ({dts_bytes} bytes of .d.ts): {}",
        summary(timings)
    );

    // Inside the repository, so the output resolves socket.io-client from its node_modules.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("repo root");
    let dir = root.join("target/codegen-scale");
    std::fs::create_dir_all(&dir).expect("output dir");
    for file in &files {
        std::fs::write(dir.join(&file.name), &file.contents).expect("write");
    }
    let tsc = root.join("node_modules/typescript/bin/tsc");
    if !tsc.is_file() {
        println!("tsc: skipped (run `npm ci` at the repository root)");
        return;
    }
    let check = dir.join("check.ts");
    std::fs::write(&check, "import { connectScale } from \"./scale.js\";\nconst c = connectScale(\"http://x\");\nvoid c.event0({ text: \"a\" });\n")
        .expect("write");
    // The same tsc start-up over a trivial file, measured alongside: the difference is
    // what the 1000 events cost.
    let baseline = dir.join("baseline.ts");
    std::fs::write(&baseline, "export const x: number = 1;\n").expect("write");
    let run_tsc = |file: &Path| {
        let start = Instant::now();
        let status = Command::new("node")
            .arg(&tsc)
            .args([
                "--noEmit", "--strict", "--target", "es2022", "--module", "nodenext",
            ])
            .arg(file)
            .current_dir(root)
            .status()
            .expect("node runs tsc");
        assert!(status.success(), "tsc rejected {}", file.display());
        start.elapsed()
    };
    let (mut with_contract, mut trivial) = (Vec::new(), Vec::new());
    for _ in 0..5 {
        with_contract.push(run_tsc(&check));
        trivial.push(run_tsc(&baseline));
    }
    println!(
        "tsc --noEmit --strict, 1000-event module: {}",
        summary(with_contract)
    );
    println!(
        "tsc --noEmit --strict, trivial file (start-up): {}",
        summary(trivial)
    );
}
