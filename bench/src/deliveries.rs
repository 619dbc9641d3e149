//! Counting the deliveries of one run of numbered messages to many receivers: every
//! receiver should get every message once and in order. What arrives is tallied per
//! receiver (each message number's copies, the last number seen), and its latency goes
//! into two HDR histograms: every receiver's, and only those on other nodes than the
//! publisher's (where a message must cross Redis on either path).
//!
//! ```
//! use eventwire_bench::deliveries::Run;
//!
//! // Two receivers, the first on the publisher's node; three messages.
//! let mut run = Run::new(3, &[true, false]);
//! for seq in 0..3 {
//!     run.record(0, seq, 400);
//! }
//! run.record(0, 2, 400); // a second copy
//! run.record(1, 2, 950);
//! run.record(1, 0, 900); // after a later one; message 1 never reaches receiver 1
//! let tally = run.tally();
//! assert_eq!((tally.deliveries, tally.lost, tally.duplicates), (6, 1, 1));
//! assert_eq!(tally.out_of_order, 1);
//! ```

use hdrhistogram::Histogram;

use crate::stats;

/// One receiver's view of a run.
#[derive(Debug)]
struct Receiver {
    /// Copies received of each message number.
    copies: Vec<u32>,
    /// The number received last.
    last: Option<u32>,
    /// Messages that came after one with a higher number.
    out_of_order: u64,
    /// Whether it is on the publisher's node.
    local: bool,
}

/// The deliveries of one run.
#[derive(Debug)]
pub struct Run {
    receivers: Vec<Receiver>,
    every: Histogram<u64>,
    remote: Histogram<u64>,
    /// Subscriptions the server ended during the run (`overflow`: a queue filled up).
    ended: u64,
}

/// What a run delivered.
#[derive(Clone, Debug, PartialEq)]
pub struct Tally {
    /// Copies received, duplicates included.
    pub deliveries: u64,
    /// (message, receiver) pairs with no copy.
    pub lost: u64,
    /// Copies beyond the first.
    pub duplicates: u64,
    /// Copies that came after one with a higher number.
    pub out_of_order: u64,
    /// Subscriptions the server ended during the run.
    pub ended: u64,
    /// Publish-to-delivery latency at the median, every receiver, in ms.
    pub p50: f64,
    /// At the 99th percentile, every receiver, in ms.
    pub p99: f64,
    /// The largest, in ms.
    pub max: f64,
    /// The median on the other nodes than the publisher's, in ms.
    pub remote_p50: f64,
    /// The 99th percentile on the other nodes, in ms.
    pub remote_p99: f64,
}

impl Run {
    /// A run of `messages` messages (numbered from 0) to receivers whose `local` flags say
    /// which are on the publisher's node.
    pub fn new(messages: u32, local: &[bool]) -> Self {
        Self {
            receivers: local
                .iter()
                .map(|&local| Receiver {
                    copies: vec![0; messages as usize],
                    last: None,
                    out_of_order: 0,
                    local,
                })
                .collect(),
            every: stats::latency_histogram(),
            remote: stats::latency_histogram(),
            ended: 0,
        }
    }

    /// Receiver `receiver` got message `seq`, `latency_us` after it was published.
    ///
    /// # Panics
    ///
    /// When `receiver` or `seq` is out of range: the harness numbered wrongly.
    pub fn record(&mut self, receiver: usize, seq: u32, latency_us: u64) {
        let receiver = &mut self.receivers[receiver];
        receiver.copies[seq as usize] += 1;
        if receiver.last.is_some_and(|last| last > seq) {
            receiver.out_of_order += 1;
        }
        receiver.last = Some(receiver.last.map_or(seq, |last| last.max(seq)));
        let latency = latency_us.clamp(1, 100_000_000);
        self.every.saturating_record(latency);
        if !receiver.local {
            self.remote.saturating_record(latency);
        }
    }

    /// The server ended a receiver's subscription (it subscribes again; what it missed
    /// meanwhile counts as lost).
    pub fn ended(&mut self) {
        self.ended += 1;
    }

    /// Copies received so far, duplicates included.
    pub fn deliveries(&self) -> u64 {
        self.every.len()
    }

    /// Copies expected: every message to every receiver once.
    pub fn expected(&self) -> u64 {
        self.receivers
            .iter()
            .map(|receiver| receiver.copies.len() as u64)
            .sum()
    }

    /// What the run delivered.
    pub fn tally(&self) -> Tally {
        let (mut lost, mut duplicates, mut out_of_order) = (0, 0, 0);
        for receiver in &self.receivers {
            for &copies in &receiver.copies {
                match copies {
                    0 => lost += 1,
                    n => duplicates += u64::from(n - 1),
                }
            }
            out_of_order += receiver.out_of_order;
        }
        let ms = |histogram: &Histogram<u64>, quantile: f64| {
            if histogram.is_empty() {
                0.0
            } else {
                stats::quantile_ms(histogram, quantile)
            }
        };
        Tally {
            deliveries: self.deliveries(),
            lost,
            duplicates,
            out_of_order,
            ended: self.ended,
            p50: ms(&self.every, 0.5),
            p99: ms(&self.every, 0.99),
            max: self.every.max() as f64 / 1000.0,
            remote_p50: ms(&self.remote, 0.5),
            remote_p99: ms(&self.remote, 0.99),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_complete_run_has_nothing_lost_twice_or_late() {
        let mut run = Run::new(100, &[true, false, false]);
        for seq in 0..100 {
            for receiver in 0..3 {
                // Local copies take 1 ms, remote ones 2 ms.
                let latency = if receiver == 0 { 1_000 } else { 2_000 };
                run.record(receiver, seq, latency);
            }
        }
        let tally = run.tally();
        assert_eq!(run.expected(), 300);
        assert_eq!(
            (
                tally.deliveries,
                tally.lost,
                tally.duplicates,
                tally.out_of_order
            ),
            (300, 0, 0, 0)
        );
        assert!((tally.p50 - 2.0).abs() < 0.01, "{tally:?}");
        assert!((tally.remote_p50 - 2.0).abs() < 0.01, "{tally:?}");
        assert!((tally.max - 2.0).abs() < 0.01, "{tally:?}");
    }

    #[test]
    fn only_remote_receivers_count_in_the_remote_percentiles() {
        let mut run = Run::new(10, &[true, false]);
        for seq in 0..10 {
            run.record(0, seq, 50_000);
            run.record(1, seq, 3_000);
        }
        let tally = run.tally();
        assert!((tally.remote_p99 - 3.0).abs() < 0.01, "{tally:?}");
        assert!((tally.p99 - 50.0).abs() < 0.1, "{tally:?}");
    }

    #[test]
    fn a_run_with_nothing_received_loses_everything() {
        let tally = Run::new(5, &[false, false]).tally();
        assert_eq!((tally.deliveries, tally.lost), (0, 10));
        assert_eq!((tally.p50, tally.max), (0.0, 0.0));
    }
}
