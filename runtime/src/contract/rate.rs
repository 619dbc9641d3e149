//! [`RateLimit`]: how many events a socket may send per period.

use std::num::NonZeroU32;
use std::time::Duration;

/// At most `count` events per `period`, with bursts of up to `count` (a token bucket).
///
/// ```
/// use std::time::Duration;
/// use eventwire::RateLimit;
///
/// let limit = RateLimit::per_second(20);
/// assert_eq!(limit, RateLimit::new(20, Duration::from_secs(1)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    count: NonZeroU32,
    period: Duration,
}

impl RateLimit {
    /// At most `count` events per `period`. A `count` of 0 is taken as 1.
    pub fn new(count: u32, period: Duration) -> Self {
        Self {
            count: NonZeroU32::new(count).unwrap_or(NonZeroU32::MIN),
            period,
        }
    }

    /// At most `count` events per second.
    pub fn per_second(count: u32) -> Self {
        Self::new(count, Duration::from_secs(1))
    }

    /// How many events a period allows (and the largest burst).
    pub fn count(self) -> u32 {
        self.count.get()
    }

    /// The period the count applies to.
    pub fn period(self) -> Duration {
        self.period
    }
}

/// Default per-socket limit: 100 events per second (bursts of 100).
pub const DEFAULT_RATE_LIMIT: RateLimit = RateLimit {
    count: NonZeroU32::new(100).unwrap(),
    period: Duration::from_secs(1),
};
