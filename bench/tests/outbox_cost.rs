//! The outbox cost measurement still runs (at a tiny size; it measures nothing here).

#[test]
fn outbox_cost_runs() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_outbox-cost"))
        .args(["--transactions", "20"])
        .output()
        .expect("run outbox-cost");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "outbox-cost failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("| SQLite (WAL, synchronous=NORMAL) |"),
        "{stdout}"
    );
    assert!(stdout.contains("| PostgreSQL"), "{stdout}");
}
