//! The wire protocol is enough for any Socket.IO client: a python-socketio client written
//! from `docs/protocol.md` alone (`tests/python/feeds_client.py`) subscribes with a filter,
//! receives changes and gets a refused filter's fault.
//!
//! The client's packages (`tests/python/requirements.txt`, pinned) are installed into a
//! virtual environment under `target/`, once per requirements file. Without `python3` (and
//! its `venv` module) or PyPI, the test says so and passes, unless
//! `EVENTWIRE_REQUIRE_PYTHON=1`, which CI sets.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::process::Command;

fn required() -> bool {
    std::env::var("EVENTWIRE_REQUIRE_PYTHON").is_ok_and(|v| v == "1")
}

/// Gives up: loudly, and as a failure when Python is required.
fn unavailable(why: &str) {
    assert!(!required(), "EVENTWIRE_REQUIRE_PYTHON=1 but {why}");
    eprintln!(
        "SKIPPED: the Python protocol test did not run: {why} (set EVENTWIRE_REQUIRE_PYTHON=1 to make this a failure)"
    );
}

async fn run(program: &Path, args: &[&str], timeout: Duration) -> Result<String, String> {
    let child = Command::new(program)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", program.display()))?;
    let output = tokio::time::timeout(timeout, child.wait_with_output())
        .await
        .map_err(|_| {
            format!(
                "{} {args:?} did not finish within {timeout:?}",
                program.display()
            )
        })?
        .map_err(|e| e.to_string())?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    if output.status.success() {
        Ok(text)
    } else {
        Err(format!(
            "{} {args:?} failed ({}):\n{text}",
            program.display(),
            output.status
        ))
    }
}

/// The virtual environment's Python, with the pinned packages installed.
async fn environment() -> Result<PathBuf, String> {
    let root = eventwire_tests::repo_root();
    let requirements = root.join("tests/python/requirements.txt");
    let pinned = std::fs::read_to_string(&requirements).map_err(|e| e.to_string())?;
    let venv = root.join("target/python-protocol");
    let python = venv.join("bin/python");
    let stamp = venv.join("installed-requirements.txt");
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(pinned.as_str()) && python.is_file()
    {
        return Ok(python);
    }
    run(
        Path::new("python3"),
        &["-m", "venv", "--clear", &venv.display().to_string()],
        Duration::from_secs(120),
    )
    .await?;
    let requirements = requirements.display().to_string();
    run(
        &python,
        &[
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-input",
            "-r",
            &requirements,
        ],
        Duration::from_secs(300),
    )
    .await?;
    std::fs::write(&stamp, pinned).map_err(|e| e.to_string())?;
    Ok(python)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_python_client_speaks_the_documented_protocol() {
    if run(
        Path::new("python3"),
        &["--version"],
        Duration::from_secs(10),
    )
    .await
    .is_err()
    {
        return unavailable("`python3` is not on PATH");
    }
    let python = match environment().await {
        Ok(python) => python,
        Err(why) => {
            return unavailable(&format!(
                "its virtual environment could not be set up: {why}"
            ));
        }
    };
    let board = eventwire_tests::board::start_board().await;
    let script = eventwire_tests::repo_root().join("tests/python/feeds_client.py");
    match run(
        &python,
        &[&script.display().to_string(), &board.url],
        Duration::from_secs(60),
    )
    .await
    {
        Ok(output) => eprint!("{output}"),
        Err(failure) => panic!("{failure}"),
    }
}
