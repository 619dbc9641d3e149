//! The workloads. Each drives one running server from the load generator's single thread
//! and returns an [`Outcome`]: its figures, and the counts of what was sent and received,
//! so that drops are visible in every workload.

pub mod fanout;
pub mod latency;
pub mod memory;
pub mod throughput;

use std::future::Future;
use std::time::Instant;

use crate::Result;
use crate::process::cpu_time;

/// What one run of a workload measured.
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    /// Named figures, e.g. `("p99 ms", 0.41)`.
    pub figures: Vec<(&'static str, f64)>,
    /// Messages the load generator sent (events, or deliveries expected in W3).
    pub sent: u64,
    /// Answers or deliveries it received.
    pub received: u64,
    /// The load generator's own CPU use during the run, as a fraction of one core.
    pub loadgen_cpu: f64,
}

impl Outcome {
    /// The figure called `name`.
    pub fn figure(&self, name: &str) -> Option<f64> {
        self.figures
            .iter()
            .find(|(figure, _)| *figure == name)
            .map(|&(_, value)| value)
    }

    /// Sent but never received.
    pub fn dropped(&self) -> u64 {
        self.sent.saturating_sub(self.received)
    }
}

/// Runs `work` on a [`LocalSet`](tokio::task::LocalSet) (connection tasks hold `Rc`s), and
/// fills in the load generator's CPU use over it.
pub async fn drive<F>(work: F) -> Result<Outcome>
where
    F: Future<Output = Result<Outcome>>,
{
    let cpu = cpu_time("self")?;
    let wall = Instant::now();
    let mut outcome = tokio::task::LocalSet::new().run_until(work).await?;
    let used = cpu_time("self")? - cpu;
    outcome.loadgen_cpu = used.as_secs_f64() / wall.elapsed().as_secs_f64();
    Ok(outcome)
}
