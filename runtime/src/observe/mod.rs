//! Observability: how an event ended, as middleware, `tracing` and metrics see it, and
//! the clock events are timed with.

use std::sync::LazyLock;
use std::time::Duration;

use crate::wire::fault::FaultCode;

/// How an event ended, as middleware, `tracing` and metrics see it.
///
/// ```
/// use eventwire::{FaultCode, Outcome};
///
/// assert_eq!(Outcome::Ok.as_str(), "ok");
/// assert_eq!(Outcome::Fault(FaultCode::InvalidPayload).as_str(), "invalid_payload");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Outcome {
    /// The handler answered (or ran, for an event without ack).
    Ok,
    /// The handler returned the app's own error (`ack = Result<T, E>`, `Err(e)`).
    AppError,
    /// eventwire, a guard or a middleware refused the event, or the handler panicked.
    Fault(FaultCode),
}

impl Outcome {
    /// `ok`, `app_error` or the fault code (`invalid_payload`, ...): the form logs use.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::AppError => "app_error",
            Self::Fault(code) => fault_code(code),
        }
    }
}

/// A fault code as it is written on the wire (and in logs and metric labels).
pub(crate) fn fault_code(code: FaultCode) -> &'static str {
    match code {
        FaultCode::InvalidPayload => "invalid_payload",
        FaultCode::UnknownEvent => "unknown_event",
        FaultCode::Internal => "internal",
        FaultCode::Forbidden => "forbidden",
        FaultCode::RateLimited => "rate_limited",
        FaultCode::UnknownFeed => "unknown_feed",
        FaultCode::SubscriptionLimit => "subscription_limit",
    }
}

/// The clock events are timed with: quanta's, which reads the TSC where it is stable (a
/// few instructions; `std::time::Instant` costs about 70 per read through the vDSO).
/// Created once: creating one runs `cpuid`, which a virtual machine traps.
static CLOCK: LazyLock<quanta::Clock> = LazyLock::new(quanta::Clock::new);

/// A reading of [`CLOCK`].
#[derive(Clone, Copy)]
pub(crate) struct Instant(u64);

impl Instant {
    pub(crate) fn now() -> Self {
        Self(CLOCK.raw())
    }

    /// The time from `earlier` to `self`.
    pub(crate) fn since(self, earlier: Self) -> Duration {
        CLOCK.delta(earlier.0, self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names match the wire's (serde's `snake_case`), code by code.
    #[test]
    fn fault_codes_are_written_as_on_the_wire() {
        for code in [
            FaultCode::InvalidPayload,
            FaultCode::UnknownEvent,
            FaultCode::Internal,
            FaultCode::Forbidden,
            FaultCode::RateLimited,
            FaultCode::UnknownFeed,
            FaultCode::SubscriptionLimit,
        ] {
            let wire = serde_json::to_value(code).expect("serializes");
            assert_eq!(wire, serde_json::Value::from(fault_code(code)));
        }
    }
}
