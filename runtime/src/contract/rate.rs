//! [`RateLimit`]: how many events a socket may send per period.

use std::num::NonZeroU32;
use std::time::Duration;

/// At most `count` events per `period`, with bursts of up to `count` (a token bucket).
///
/// A limit that would let nothing through (a count of 0) or everything (a period of 0) is
/// refused rather than quietly turned into another limit: [`new`](Self::new) returns a
/// [`RateLimitError`]. Per-event limits written as `#[client(rate = "5/s")]` are checked
/// the same way at compile time.
///
/// ```
/// use std::time::Duration;
/// use eventwire::{RateLimit, RateLimitError};
///
/// let limit = RateLimit::per_second(20)?;
/// assert_eq!(limit, RateLimit::new(20, Duration::from_secs(1))?);
/// assert_eq!(RateLimit::per_second(0), Err(RateLimitError::ZeroCount));
/// # Ok::<(), RateLimitError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    count: NonZeroU32,
    period: Duration,
}

/// Why a [`RateLimit`] could not be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RateLimitError {
    /// A count of 0 would refuse every event; to refuse an event, remove it from the
    /// contract, and to lift a limit, pass `None` where the limit is optional.
    #[error("a rate limit of 0 events would refuse every event")]
    ZeroCount,
    /// A period of 0 would allow every event.
    #[error("a rate limit over a period of 0 would allow every event")]
    ZeroPeriod,
}

impl RateLimit {
    /// At most `count` events per `period`; refuses a `count` or a `period` of 0.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use eventwire::{RateLimit, RateLimitError};
    /// let limit = RateLimit::new(30, Duration::from_secs(60))?;
    /// assert_eq!((limit.count(), limit.period()), (30, Duration::from_secs(60)));
    /// assert_eq!(RateLimit::new(5, Duration::ZERO), Err(RateLimitError::ZeroPeriod));
    /// # Ok::<(), RateLimitError>(())
    /// ```
    pub const fn new(count: u32, period: Duration) -> Result<Self, RateLimitError> {
        let Some(count) = NonZeroU32::new(count) else {
            return Err(RateLimitError::ZeroCount);
        };
        if period.is_zero() {
            return Err(RateLimitError::ZeroPeriod);
        }
        Ok(Self { count, period })
    }

    /// At most `count` events per second; refuses a `count` of 0.
    pub const fn per_second(count: u32) -> Result<Self, RateLimitError> {
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

    pub(crate) fn nonzero_count(self) -> NonZeroU32 {
        self.count
    }
}

/// Default per-socket limit: 100 events per second (bursts of 100).
pub const DEFAULT_RATE_LIMIT: RateLimit = RateLimit {
    count: NonZeroU32::new(100).unwrap(),
    period: Duration::from_secs(1),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_limit_that_lets_nothing_or_everything_through_is_refused() {
        assert_eq!(
            RateLimit::new(0, Duration::from_secs(1)),
            Err(RateLimitError::ZeroCount)
        );
        assert_eq!(RateLimit::per_second(0), Err(RateLimitError::ZeroCount));
        assert_eq!(
            RateLimit::new(1, Duration::ZERO),
            Err(RateLimitError::ZeroPeriod)
        );
        let limit = RateLimit::new(1, Duration::from_millis(1)).expect("valid");
        assert_eq!(
            (limit.count(), limit.period()),
            (1, Duration::from_millis(1))
        );
    }
}
