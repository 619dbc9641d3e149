//! A redis-server of the test's own, for the multi-node tests.

use std::process::Stdio;
use std::time::Duration;

use tokio::process::{Child, Command};

/// A redis-server of the test's own, on a free port.
pub struct Redis {
    /// The running server.
    pub child: Child,
    /// Its port on 127.0.0.1.
    pub port: u16,
}

impl Redis {
    /// Starts redis-server, or returns `None` (after saying so loudly) when it is not
    /// installed; with `EVENTWIRE_REQUIRE_REDIS=1` a missing server fails instead.
    pub async fn start() -> Option<Self> {
        if !redis_server_installed() {
            return None;
        }
        let port = free_port();
        Some(Self {
            child: Self::spawn(port).await,
            port,
        })
    }

    async fn spawn(port: u16) -> Child {
        spawn_redis_server(port, &[]).await
    }

    /// `redis://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Kills the server, waits `outage`, and starts a new one on the same port.
    pub async fn restart(&mut self, outage: Duration) {
        self.child.kill().await.expect("kill redis-server");
        tokio::time::sleep(outage).await;
        self.child = Self::spawn(self.port).await;
    }
}

/// Whether redis-server is on PATH. When it is not, says so loudly and returns `false`, or
/// fails when `EVENTWIRE_REQUIRE_REDIS=1`.
pub(crate) fn redis_server_installed() -> bool {
    let found = std::process::Command::new("redis-server")
        .arg("--version")
        .output()
        .is_ok();
    if !found {
        assert!(
            std::env::var("EVENTWIRE_REQUIRE_REDIS").as_deref() != Ok("1"),
            "EVENTWIRE_REQUIRE_REDIS=1 but redis-server is not installed (`apt-get install redis-server`)"
        );
        crate::skip::record(
            "needs redis-server (Redis 7) on PATH (`apt-get install redis-server`)",
        );
    }
    found
}

/// Starts `redis-server` on 127.0.0.1:`port` without persistence, with `extra` arguments,
/// and waits until it listens; it is killed when the returned child drops.
pub(crate) async fn spawn_redis_server(port: u16, extra: &[&str]) -> Child {
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
        .args(extra)
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

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind port 0");
    listener.local_addr().expect("bound").port()
}
