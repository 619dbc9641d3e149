//! W4, idle memory: the server's resident memory per idle connection, as the slope of
//! `VmRSS` between two connection counts (by default 5,000 and 10,000), each read after
//! the server has settled. The slope cancels fixed costs (binary, runtime, first
//! allocations).

use std::time::Duration;

use tokio::task::JoinHandle;

use super::{Outcome, drive};
use crate::Result;
use crate::client::{Conn, connect_many};
use crate::process::ServerProcess;

/// A W4 run.
#[derive(Clone, Debug)]
pub struct Params {
    /// The connection count of the first reading.
    pub low: usize,
    /// The connection count of the second reading.
    pub high: usize,
    /// The wait before each reading.
    pub settle: Duration,
}

/// Runs W4 against `server`.
pub async fn run(server: &ServerProcess, params: &Params) -> Result<Outcome> {
    drive(async {
        let mut clients: Vec<JoinHandle<()>> = Vec::new();
        let mut readings = Vec::new();
        for count in [params.low, params.high] {
            let more = connect_many(server.addr, count - clients.len()).await?;
            clients.extend(
                more.into_iter()
                    .map(|conn| tokio::spawn(Conn::keep_alive(conn))),
            );
            tokio::time::sleep(params.settle).await;
            readings.push(server.rss()?);
        }
        let alive = clients
            .iter()
            .filter(|client| !client.is_finished())
            .count();
        for client in clients {
            client.abort();
        }
        let slope = (readings[1] as f64 - readings[0] as f64) / (params.high - params.low) as f64;
        Ok(Outcome {
            figures: vec![
                ("bytes/conn", slope),
                ("RSS MiB", readings[1] as f64 / (1024.0 * 1024.0)),
            ],
            sent: params.high as u64,
            received: alive as u64,
            loadgen_cpu: 0.0,
        })
    })
    .await
}
