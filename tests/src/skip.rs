//! Skipped suites, recorded so a green run never hides them: a test that cannot run here
//! (no redis-server, no Chromium) says so loudly and appends a line to the skip log, which
//! `scripts/test` prints as a summary at the end of the run.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Where skips are recorded: `$EVENTWIRE_SKIP_LOG`, or `target/eventwire-skipped.txt` at the
/// repository root (the file `scripts/test` reads).
pub fn log_path() -> PathBuf {
    match std::env::var_os("EVENTWIRE_SKIP_LOG") {
        Some(path) => PathBuf::from(path),
        None => crate::repo_root().join("target/eventwire-skipped.txt"),
    }
}

/// Says loudly that the running test is skipped and why, and records it in the skip log.
pub fn record(reason: &str) {
    let test = current_test();
    eprintln!("\n*** SKIPPED {test}: {reason} ***\n");
    if let Err(error) = record_to(&log_path(), &test, reason) {
        eprintln!(
            "could not record the skip in {}: {error}",
            log_path().display()
        );
    }
}

/// Appends `test: reason` to the skip log at `path` (one line per skip; tests run in
/// parallel, and each line is one `write` of an append-only file).
pub fn record_to(path: &Path, test: &str, reason: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all(format!("{test}: {reason}\n").as_bytes())
}

/// The running test as `binary::test` (the test harness names each test's thread after it).
fn current_test() -> String {
    let binary = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .map(|stem| {
            stem.rsplit_once('-')
                .map_or(stem.clone(), |(name, _)| name.to_owned())
        })
        .unwrap_or_default();
    let thread = std::thread::current();
    let test = thread.name().unwrap_or("?");
    format!("{binary}::{test}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn skips_are_appended_one_line_each() {
        let path = std::env::temp_dir().join(format!("eventwire-skip-{}.txt", std::process::id()));
        let _ = std::fs::remove_file(&path);
        super::record_to(&path, "a::one", "no redis-server").expect("recorded");
        super::record_to(&path, "b::two", "no chromium").expect("recorded");
        let log = std::fs::read_to_string(&path).expect("read");
        std::fs::remove_file(&path).ok();
        assert_eq!(log, "a::one: no redis-server\nb::two: no chromium\n");
        assert!(super::current_test().ends_with("skips_are_appended_one_line_each"));
    }
}
