//! Runs a Node client program against a test server.

use std::process::Stdio;
use std::time::Duration;

use tokio::process::Command;

/// Runs `node <script> <url>` from the Node test folder (a relative `script` is found
/// there) and panics with the program's output unless it exits successfully within 60 s.
pub async fn run_node(script: &str, url: &str) {
    run_node_with(std::path::Path::new(script), &[url]).await;
}

/// Runs `node <script> <args...>` like [`run_node`].
pub async fn run_node_with(script: &std::path::Path, args: &[&str]) {
    let script = script.display().to_string();
    let dir = super::node_dir();
    assert!(
        super::repo_root()
            .join("node_modules/socket.io-client")
            .is_dir(),
        "the Node test clients need their packages: run `npm ci` at the repository root (the README's test command does it)"
    );
    let child = Command::new("node")
        .arg(&script)
        .args(args)
        .current_dir(&dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("`node` must be on PATH to run the end-to-end tests");
    let output = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("{script} did not finish within 60 s"))
        .expect("node ran");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    // What the program reports (e.g. measured figures) shows with `--nocapture`.
    eprint!("{stdout}");
    assert!(
        output.status.success(),
        "{script} failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
}
