//! A Redis Cluster of the test's own: three masters (no replicas) on free ports, for the
//! cluster tests. Set up through redis-rs alone (`CLUSTER ADDSLOTSRANGE`, `CLUSTER MEET`), so
//! it needs no `redis-cli`.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::process::Child;

use crate::redis::{redis_server_installed, spawn_redis_server};

/// The slots each of the three masters serves.
const SLOTS: [(u16, u16); 3] = [(0, 5460), (5461, 10922), (10923, 16383)];

/// A running cluster: its processes are killed and its folder removed when it drops.
pub struct RedisCluster {
    nodes: Vec<Node>,
    dir: PathBuf,
}

struct Node {
    child: Child,
    port: u16,
    bus_port: u16,
    config: PathBuf,
}

impl Node {
    /// Starts the node's redis-server; its identity and slots live in its nodes.conf.
    async fn spawn(port: u16, bus_port: u16, config: &Path) -> Child {
        let dir = config.parent().expect("in a folder").display().to_string();
        spawn_redis_server(
            port,
            &[
                "--cluster-enabled",
                "yes",
                "--cluster-config-file",
                &config.display().to_string(),
                "--cluster-port",
                &bus_port.to_string(),
                "--cluster-announce-ip",
                "127.0.0.1",
                "--dir",
                &dir,
            ],
        )
        .await
    }
}

impl RedisCluster {
    /// Starts three cluster nodes, gives each a third of the slots, joins them and waits
    /// until every one says `cluster_state:ok`. Returns `None` (after saying so loudly) when
    /// redis-server is not installed; with `EVENTWIRE_REQUIRE_REDIS=1` that fails instead.
    pub async fn start() -> Option<Self> {
        static CLUSTERS: AtomicUsize = AtomicUsize::new(0);
        if !redis_server_installed() {
            return None;
        }
        let dir = std::env::temp_dir().join(format!(
            "eventwire-redis-cluster-{}-{}",
            std::process::id(),
            CLUSTERS.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&dir).expect("create the cluster's folder");
        let ports = free_ports(2 * SLOTS.len());
        let mut cluster = Self {
            nodes: Vec::new(),
            dir,
        };
        for (n, pair) in ports.chunks(2).enumerate() {
            let (port, bus_port) = (pair[0], pair[1]);
            let config = cluster.dir.join(format!("nodes-{n}.conf"));
            cluster.nodes.push(Node {
                child: Node::spawn(port, bus_port, &config).await,
                port,
                bus_port,
                config,
            });
        }
        for (node, (first, last)) in cluster.nodes.iter().zip(SLOTS) {
            let mut conn = connect(node.port).await;
            redis::cmd("CLUSTER")
                .arg("ADDSLOTSRANGE")
                .arg(first)
                .arg(last)
                .query_async::<()>(&mut conn)
                .await
                .expect("CLUSTER ADDSLOTSRANGE");
        }
        let mut first = connect(cluster.nodes[0].port).await;
        for node in &cluster.nodes[1..] {
            redis::cmd("CLUSTER")
                .arg("MEET")
                .arg("127.0.0.1")
                .arg(node.port)
                .arg(node.bus_port)
                .query_async::<()>(&mut first)
                .await
                .expect("CLUSTER MEET");
        }
        cluster.wait_until_ok().await;
        // A restarted node finds its identity and slots in its nodes.conf.
        for node in &cluster.nodes {
            redis::cmd("CLUSTER")
                .arg("SAVECONFIG")
                .query_async::<()>(&mut connect(node.port).await)
                .await
                .expect("CLUSTER SAVECONFIG");
        }
        Some(cluster)
    }

    /// Waits (at most 20 s) until every node knows all three and says `cluster_state:ok`.
    pub async fn wait_until_ok(&self) {
        let ok = tokio::time::timeout(Duration::from_secs(20), async {
            for node in &self.nodes {
                loop {
                    let mut conn = connect(node.port).await;
                    let info: String = redis::cmd("CLUSTER")
                        .arg("INFO")
                        .query_async(&mut conn)
                        .await
                        .expect("CLUSTER INFO");
                    if info.contains("cluster_state:ok")
                        && info.contains(&format!("cluster_known_nodes:{}", self.nodes.len()))
                    {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        });
        ok.await
            .expect("the Redis Cluster reaches cluster_state:ok within 20 s");
    }

    /// `redis://127.0.0.1:<port>` of every node.
    pub fn urls(&self) -> Vec<String> {
        self.nodes
            .iter()
            .map(|node| format!("redis://127.0.0.1:{}", node.port))
            .collect()
    }

    /// The index of the node that serves `key`'s slot (a sharded channel's, too).
    pub async fn owner_of(&self, key: &str) -> usize {
        let slot: u16 = redis::cmd("CLUSTER")
            .arg("KEYSLOT")
            .arg(key)
            .query_async(&mut connect(self.nodes[0].port).await)
            .await
            .expect("CLUSTER KEYSLOT");
        SLOTS
            .iter()
            .position(|&(first, last)| (first..=last).contains(&slot))
            .expect("every slot is assigned")
    }

    /// Kills node `index`, waits `outage`, and starts it again on the same ports with the
    /// same nodes.conf (so it keeps its identity and slots). Returns once it listens.
    pub async fn restart(&mut self, index: usize, outage: Duration) {
        let node = &mut self.nodes[index];
        node.child.kill().await.expect("kill redis-server");
        tokio::time::sleep(outage).await;
        node.child = Node::spawn(node.port, node.bus_port, &node.config).await;
    }
}

impl Drop for RedisCluster {
    fn drop(&mut self) {
        for node in &mut self.nodes {
            let _ = node.child.start_kill();
        }
        // Give the killed processes a moment to exit before removing their folder.
        for _ in 0..50 {
            if self
                .nodes
                .iter_mut()
                .all(|node| node.child.try_wait().is_ok_and(|status| status.is_some()))
            {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

async fn connect(port: u16) -> redis::aio::MultiplexedConnection {
    redis::Client::open(format!("redis://127.0.0.1:{port}"))
        .expect("a valid URL")
        .get_multiplexed_async_connection()
        .await
        .expect("connect to a cluster node")
}

/// `count` distinct ports nothing listens on right now (all held until each is picked, so
/// none repeats).
fn free_ports(count: usize) -> Vec<u16> {
    let listeners: Vec<_> = (0..count)
        .map(|_| std::net::TcpListener::bind("127.0.0.1:0").expect("bind port 0"))
        .collect();
    listeners
        .iter()
        .map(|listener| listener.local_addr().expect("bound").port())
        .collect()
}
