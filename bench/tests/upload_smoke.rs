//! The upload measurement once, at 3 MB: both servers take every chunk and the figures print.
//! It measures nothing; `cargo run --release -p eventwire-bench --bin upload` does.

#[test]
fn the_upload_measurement_runs_against_both_servers() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_upload"))
        .arg("3")
        .output()
        .expect("the upload measurement runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for server in ["eventwire", "socket.io"] {
        assert!(
            stdout
                .lines()
                .any(|l| l.trim_start().starts_with(server) && l.contains("MB/s")),
            "no figure for {server}:\n{stdout}"
        );
    }
}
