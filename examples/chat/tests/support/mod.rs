//! Launching the chat binary and a private redis-server for the multi-process tests.

#![allow(dead_code, reason = "each test binary uses part of it")]

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// Starts the chat binary on a free port with `db` and extra environment; returns it and
/// its URL.
pub(crate) async fn start_chat(db: &Path, env: &[(&str, &str)]) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_chat"))
        .args(["--port", "0", "--db"])
        .arg(db)
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the chat binary starts");
    let stdout = child.stdout.take().expect("piped");
    let mut line = String::new();
    tokio::time::timeout(
        Duration::from_secs(30),
        BufReader::new(stdout).read_line(&mut line),
    )
    .await
    .expect("the chat prints its URL within 30 s")
    .expect("reads stdout");
    // "chat: open http://127.0.0.1:PORT/ (messages are kept in ...)"
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no URL in {line:?}"))
        .trim_end_matches('/')
        .to_owned();
    (child, url)
}

/// A redis-server of the test's own, on a free port.
pub(crate) struct Redis {
    pub(crate) child: Child,
    pub(crate) port: u16,
}

impl Redis {
    /// Starts redis-server, or returns `None` (after saying so loudly) when it is not
    /// installed; with `EVENTWIRE_REQUIRE_REDIS=1` a missing server fails instead.
    pub(crate) async fn start() -> Option<Self> {
        let found = std::process::Command::new("redis-server")
            .arg("--version")
            .output()
            .is_ok();
        if !found {
            assert!(
                std::env::var("EVENTWIRE_REQUIRE_REDIS").as_deref() != Ok("1"),
                "EVENTWIRE_REQUIRE_REDIS=1 but redis-server is not installed (`apt-get install redis-server`)"
            );
            eprintln!(
                "\n*** SKIPPED: the multi-node tests need redis-server (Redis 7) on PATH ***\n"
            );
            return None;
        }
        let port = free_port();
        Some(Self {
            child: Self::spawn(port).await,
            port,
        })
    }

    async fn spawn(port: u16) -> Child {
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("redis-server starts");
        let ready = tokio::time::timeout(Duration::from_secs(10), async {
            while tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_err()
            {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        });
        ready.await.expect("redis-server listens within 10 s");
        child
    }

    /// `redis://127.0.0.1:<port>`.
    pub(crate) fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Kills the server and starts a new one on the same port.
    pub(crate) async fn restart(&mut self) {
        self.child.kill().await.expect("kill redis-server");
        self.child = Self::spawn(self.port).await;
    }
}

/// A port nothing listens on right now.
pub(crate) fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind port 0");
    listener.local_addr().expect("bound").port()
}

/// A fresh temporary directory for one test.
pub(crate) fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("chat-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}
