//! Rate limits: a token bucket per socket for all its events, and one per event kind that
//! declares `#[client(rate = "...")]`.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{LazyLock, Mutex};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

use crate::contract::RateLimit;

/// Default number of rate-limited events within [`ABUSE_WINDOW`] after which a socket is
/// disconnected.
pub const DEFAULT_DISCONNECT_AFTER: u32 = 100;

/// The window in which rate-limited events count towards disconnecting a socket.
pub const ABUSE_WINDOW: Duration = Duration::from_secs(10);

/// The rate of upload chunks a socket may send: 10,000 per second (2.4 GiB/s of 256 KiB
/// chunks).
const CHUNK_RATE: RateLimit = match RateLimit::per_second(10_000) {
    Ok(rate) => rate,
    Err(_) => unreachable!(),
};

/// How a server treats each socket's events. Used by generated code, not public API.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    pub(crate) ordered: bool,
    pub(crate) per_socket: Option<RateLimit>,
    pub(crate) disconnect_after: Option<u32>,
}

/// The clock of every limiter. Creating a `DefaultClock` (quanta) runs `cpuid`, which a
/// virtual machine traps: measured, one per event took 39% of a server's CPU. One clock,
/// created once, is shared (clones are plain copies).
static CLOCK: LazyLock<DefaultClock> = LazyLock::new(DefaultClock::default);

fn limiter(limit: RateLimit) -> DefaultDirectRateLimiter {
    // One token comes back every period / count; the bucket holds `count`.
    let count = limit.nonzero_count();
    let interval = (limit.period() / count.get()).max(Duration::from_nanos(1));
    let quota = Quota::with_period(interval)
        .expect("a non-zero interval")
        .allow_burst(count);
    RateLimiter::direct_with_clock(quota, CLOCK.clone())
}

/// A limiter whose bucket is empty and never refills (within a socket's lifetime).
fn exhausted_limiter() -> DefaultDirectRateLimiter {
    let quota = Quota::with_period(Duration::from_secs(u32::MAX.into()))
        .expect("a non-zero interval")
        .allow_burst(NonZeroU32::MIN);
    let limiter = RateLimiter::direct_with_clock(quota, CLOCK.clone());
    // Takes the one token.
    let _ = limiter.check();
    limiter
}

/// The limiters of one socket.
pub(crate) struct SocketLimiter {
    all: Option<DefaultDirectRateLimiter>,
    /// Limiters of events declaring a rate, created when first used.
    per_event: Mutex<HashMap<String, DefaultDirectRateLimiter>>,
    /// A bucket of refusals: when it runs dry, the socket is abusive. (Counting consecutive
    /// refusals would miss a flood that the main bucket's refills interleave.)
    refusals: Option<DefaultDirectRateLimiter>,
    /// Set once the socket has been reported abusive.
    reported: AtomicBool,
}

/// Why an event was not let through.
pub(crate) struct Limited {
    /// When a token is back.
    pub(crate) retry_after: Duration,
    /// The socket has been rate limited too often within [`ABUSE_WINDOW`] (reported once).
    pub(crate) abusive: bool,
}

impl SocketLimiter {
    pub(crate) fn new(policy: &Policy) -> Self {
        Self {
            all: policy.per_socket.map(limiter),
            per_event: Mutex::default(),
            // The bucket holds the refusals tolerated; with none tolerated (`Some(0)`), it
            // is empty from the start, so the first refusal disconnects.
            refusals: policy
                .disconnect_after
                .map(|n| match RateLimit::new(n, ABUSE_WINDOW) {
                    Ok(limit) => limiter(limit),
                    Err(_) => exhausted_limiter(),
                }),
            reported: AtomicBool::new(false),
        }
    }

    /// Takes a token for `event` (whose own limit is `own`), or says when to retry.
    pub(crate) fn check(&self, event: &str, own: Option<RateLimit>) -> Result<(), Limited> {
        // Upload chunks are paced by their window (a chunk past it ends the transfer), not
        // by the socket's event rate, which would cap an upload at rate x chunk size; they
        // have a bucket of their own, wide enough for loopback speeds.
        let (all, own) = if event == crate::upload::CHUNK_EVENT {
            (None, Some(CHUNK_RATE))
        } else {
            (self.all.as_ref(), own)
        };
        let mut verdict = all.map_or(Ok(()), |all| all.check());
        if verdict.is_ok()
            && let Some(own) = own
        {
            let mut per_event = self.per_event.lock().unwrap_or_else(|e| e.into_inner());
            let limiter = per_event
                .entry(event.to_owned())
                .or_insert_with(|| limiter(own));
            verdict = limiter.check();
        }
        verdict.map_err(|not_until| {
            let exhausted = self
                .refusals
                .as_ref()
                .is_some_and(|refusals| refusals.check().is_err());
            Limited {
                retry_after: not_until.wait_time_from(CLOCK.now()),
                // Reported once, so the disconnect starts once.
                abusive: exhausted && !self.reported.swap(true, Ordering::Relaxed),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(per_socket: Option<RateLimit>) -> Policy {
        Policy {
            ordered: false,
            per_socket,
            disconnect_after: Some(3),
        }
    }

    #[test]
    fn the_bucket_allows_a_burst_then_says_when_to_retry() {
        let limiter = SocketLimiter::new(&policy(RateLimit::per_second(5).ok()));
        for _ in 0..5 {
            assert!(limiter.check("a", None).is_ok());
        }
        let limited = limiter.check("a", None).expect_err("the sixth is limited");
        assert!(
            limited.retry_after > Duration::ZERO
                && limited.retry_after <= Duration::from_millis(200)
        );
    }

    #[test]
    fn per_event_limits_apply_to_their_event_only() {
        let limiter = SocketLimiter::new(&policy(None));
        let own = RateLimit::new(2, Duration::from_secs(60)).ok();
        assert!(limiter.check("send", own).is_ok());
        assert!(limiter.check("send", own).is_ok());
        assert!(limiter.check("send", own).is_err());
        assert!(limiter.check("join", None).is_ok());
    }

    #[test]
    fn refusals_beyond_the_allowance_mark_the_socket_abusive_once() {
        // Allowance of 3 refusals per window: the 4th refusal reports.
        let limiter = SocketLimiter::new(&policy(RateLimit::new(1, Duration::from_secs(60)).ok()));
        assert!(limiter.check("a", None).is_ok());
        let strikes: Vec<bool> = (0..4)
            .map(|_| limiter.check("a", None).expect_err("limited").abusive)
            .collect();
        assert_eq!(strikes, [false, false, false, true]);
        assert!(
            !limiter.check("a", None).expect_err("still limited").abusive,
            "reported once"
        );
    }

    #[test]
    fn with_no_refusal_tolerated_the_first_refusal_marks_the_socket_abusive() {
        let limiter = SocketLimiter::new(&Policy {
            disconnect_after: Some(0),
            ..policy(RateLimit::new(1, Duration::from_secs(60)).ok())
        });
        assert!(limiter.check("a", None).is_ok());
        assert!(limiter.check("a", None).expect_err("limited").abusive);
    }
}
