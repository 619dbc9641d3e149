//! A feed's recent changes, kept so that a subscriber that lost its connection can resume
//! from its last offset: bounded in length and in age, so it never grows without bound.
//!
//! [`History`] is the seam for a shared store (e.g. Redis Streams, so a client resumes on
//! another node); [`MemoryHistory`] is the one-node default.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// Default number of changes a feed keeps for resuming subscribers.
pub const DEFAULT_HISTORY_LENGTH: usize = 1_000;

/// Default age past which a feed's kept changes are dropped: 2 minutes, Socket.IO's own
/// connection state recovery window.
pub const DEFAULT_HISTORY_AGE: Duration = Duration::from_secs(120);

/// Where a feed keeps its recent changes `T`, each with its offset (consecutive: the
/// feed records every change it publishes, in order).
pub(crate) trait History<T>: Send {
    /// Records the change published at `offset` (one more than the last recorded).
    fn record(&mut self, offset: u64, change: T, now: Instant);

    /// Every change after `offset`, in order, when the history still holds all of them
    /// (`Some(vec![])` when nothing was published since); `None` when it no longer reaches
    /// back that far.
    fn since(&mut self, offset: u64, now: Instant) -> Option<Vec<T>>;
}

/// Bounds of a history, read at every record (they are the server's settings).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bounds {
    pub(crate) length: usize,
    pub(crate) age: Duration,
}

/// The in-memory history of one node.
pub(crate) struct MemoryHistory<T> {
    /// Recorded changes, oldest first, with their offset and when they were recorded.
    entries: VecDeque<(u64, Instant, T)>,
    /// The offset of the last change recorded (0 before any).
    last: u64,
    bounds: Box<dyn Fn() -> Bounds + Send>,
}

impl<T: Clone + Send> MemoryHistory<T> {
    pub(crate) fn new(bounds: impl Fn() -> Bounds + Send + 'static) -> Self {
        Self {
            entries: VecDeque::new(),
            last: 0,
            bounds: Box::new(bounds),
        }
    }

    /// Drops what the bounds no longer keep.
    fn trim(&mut self, now: Instant) {
        let bounds = (self.bounds)();
        while self.entries.len() > bounds.length {
            self.entries.pop_front();
        }
        while self
            .entries
            .front()
            .is_some_and(|(_, at, _)| now.saturating_duration_since(*at) > bounds.age)
        {
            self.entries.pop_front();
        }
    }
}

impl<T: Clone + Send> History<T> for MemoryHistory<T> {
    fn record(&mut self, offset: u64, change: T, now: Instant) {
        self.last = offset;
        self.entries.push_back((offset, now, change));
        self.trim(now);
    }

    fn since(&mut self, offset: u64, now: Instant) -> Option<Vec<T>> {
        self.trim(now);
        if offset == self.last {
            return Some(Vec::new());
        }
        // An offset from the future is not one this history handed out.
        if offset > self.last {
            return None;
        }
        let first = self.entries.front()?.0;
        if offset + 1 < first {
            return None;
        }
        let skip = (offset + 1 - first) as usize;
        Some(
            self.entries
                .iter()
                .skip(skip)
                .map(|(_, _, change)| change.clone())
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn history(length: usize, age: Duration) -> MemoryHistory<u64> {
        MemoryHistory::new(move || Bounds { length, age })
    }

    fn record(
        history: &mut MemoryHistory<u64>,
        offsets: std::ops::RangeInclusive<u64>,
        at: Instant,
    ) {
        for offset in offsets {
            history.record(offset, offset * 10, at);
        }
    }

    #[test]
    fn replays_everything_after_the_offset_in_order() {
        let now = Instant::now();
        let mut h = history(10, Duration::from_secs(60));
        record(&mut h, 1..=5, now);
        assert_eq!(h.since(2, now), Some(vec![30, 40, 50]));
        assert_eq!(h.since(0, now), Some(vec![10, 20, 30, 40, 50]));
        assert_eq!(h.since(5, now), Some(vec![]));
    }

    #[test]
    fn nothing_published_is_nothing_missed() {
        let mut h = history(10, Duration::from_secs(60));
        assert_eq!(h.since(0, Instant::now()), Some(vec![]));
    }

    #[test]
    fn keeps_at_most_its_length() {
        let now = Instant::now();
        let mut h = history(3, Duration::from_secs(60));
        record(&mut h, 1..=10, now);
        assert_eq!(h.entries.len(), 3);
        assert_eq!(h.since(7, now), Some(vec![80, 90, 100]));
        // Change 7 is gone: a subscriber at offset 6 missed it.
        assert_eq!(h.since(6, now), None);
        assert_eq!(h.since(0, now), None);
    }

    #[test]
    fn drops_changes_older_than_its_age() {
        let start = Instant::now();
        let mut h = history(100, Duration::from_secs(60));
        record(&mut h, 1..=3, start);
        record(&mut h, 4..=5, start + Duration::from_secs(30));
        let later = start + Duration::from_secs(61);
        assert_eq!(h.since(3, later), Some(vec![40, 50]));
        assert_eq!(h.since(2, later), None);
        // All of it aged out: only a subscriber that missed nothing resumes.
        let much_later = start + Duration::from_secs(200);
        assert_eq!(h.since(5, much_later), Some(vec![]));
        assert_eq!(h.since(4, much_later), None);
        assert!(h.entries.is_empty());
    }

    #[test]
    fn an_offset_it_never_gave_is_refused() {
        let now = Instant::now();
        let mut h = history(10, Duration::from_secs(60));
        record(&mut h, 1..=2, now);
        assert_eq!(h.since(3, now), None);
    }

    #[test]
    fn shorter_bounds_apply_at_the_next_record() {
        let now = Instant::now();
        let length = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(10));
        let setting = length.clone();
        let mut h = MemoryHistory::new(move || Bounds {
            length: setting.load(std::sync::atomic::Ordering::Relaxed),
            age: Duration::from_secs(60),
        });
        record(&mut h, 1..=5, now);
        length.store(2, std::sync::atomic::Ordering::Relaxed);
        record(&mut h, 6..=6, now);
        assert_eq!(h.since(4, now), Some(vec![50, 60]));
        assert_eq!(h.since(3, now), None);
    }
}
