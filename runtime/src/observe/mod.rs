//! Observability: how an event ended, as middleware, `tracing` and metrics see it, the
//! clock events are timed with, and the metric names and handles eventwire records into.
//!
//! Metrics go through the [`metrics`](https://docs.rs/metrics) facade: eventwire records,
//! the app chooses the exporter (or none). Handles are registered once, when a contract is
//! mounted, so an event costs a few branches when no recorder is installed and no label
//! is built per event when one is. Install the recorder before building the server.

pub mod names;

use std::sync::LazyLock;
use std::time::Duration;

use metrics::{Counter, Gauge, Histogram, Label};

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
            Self::Fault(code) => code.as_str(),
        }
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

/// The handles of one client event (or of all unknown ones).
pub(crate) struct EventMetrics {
    ok: Counter,
    app_error: Counter,
    fault: Counter,
    /// One per code, in the order of [`FaultCode::ALL`].
    faults: [Counter; FaultCode::ALL.len()],
    rate_limited: Counter,
    handler_duration: Histogram,
    ack_latency: Histogram,
}

impl EventMetrics {
    fn register(namespace: &'static str, event: &'static str) -> Self {
        let labels = |extra: Option<(&'static str, &'static str)>| {
            let mut labels = vec![
                Label::from_static_parts("namespace", namespace),
                Label::from_static_parts("event", event),
            ];
            labels.extend(extra.map(|(key, value)| Label::from_static_parts(key, value)));
            labels
        };
        let events = |outcome| metrics::counter!(names::EVENTS, labels(Some(("outcome", outcome))));
        Self {
            ok: events("ok"),
            app_error: events("app_error"),
            fault: events("fault"),
            faults: FaultCode::ALL.map(|code| {
                metrics::counter!(names::FAULTS, labels(Some(("code", code.as_str()))))
            }),
            rate_limited: metrics::counter!(names::RATE_LIMITED, labels(None)),
            handler_duration: metrics::histogram!(names::HANDLER_DURATION, labels(None)),
            ack_latency: metrics::histogram!(names::ACK_LATENCY, labels(None)),
        }
    }

    /// Counts an event that ended with `outcome`, answered `latency` after it arrived.
    pub(crate) fn ended(&self, outcome: Outcome, latency: Duration) {
        match outcome {
            Outcome::Ok => self.ok.increment(1),
            Outcome::AppError => self.app_error.increment(1),
            Outcome::Fault(code) => {
                self.fault.increment(1);
                if let Some(i) = FaultCode::ALL.iter().position(|c| *c == code) {
                    self.faults[i].increment(1);
                }
                if code == FaultCode::RateLimited {
                    self.rate_limited.increment(1);
                }
            }
        }
        self.ack_latency.record(latency.as_secs_f64());
    }

    /// Records how long the handler itself ran.
    pub(crate) fn handled_in(&self, duration: Duration) {
        self.handler_duration.record(duration.as_secs_f64());
    }
}

/// The handles of one mounted contract.
pub(crate) struct ContractMetrics {
    pub(crate) connections: Gauge,
    /// In the order of the contract's `CLIENT_EVENTS`.
    events: Vec<EventMetrics>,
    unknown: EventMetrics,
}

impl ContractMetrics {
    /// Registers the handles of a contract mounted at `namespace` (the mount path, so a
    /// dynamic namespace is one series, not one per tenant).
    pub(crate) fn register(namespace: &'static str, events: &'static [&'static str]) -> Self {
        Self {
            connections: metrics::gauge!(
                names::CONNECTIONS,
                vec![Label::from_static_parts("namespace", namespace)]
            ),
            events: events
                .iter()
                .map(|event| EventMetrics::register(namespace, event))
                .collect(),
            unknown: EventMetrics::register(namespace, names::UNKNOWN_EVENT),
        }
    }

    /// The handles of the client event at `index`, or those of unknown events.
    pub(crate) fn event(&self, index: Option<usize>) -> &EventMetrics {
        index
            .and_then(|i| self.events.get(i))
            .unwrap_or(&self.unknown)
    }
}

/// Counts a connection refused at the handshake, by the rule that refused it.
pub(crate) fn refused_connection(namespace: &'static str, reason: &'static str) {
    metrics::counter!(names::REFUSED_CONNECTIONS, "namespace" => namespace, "reason" => reason)
        .increment(1);
}

/// Counts an emit or answer that failed because the client's outgoing queue was full.
pub(crate) fn queue_full() {
    metrics::counter!(names::EMIT_QUEUE_FULL).increment(1);
}

/// The handles of one feed.
pub(crate) struct FeedMetrics {
    pub(crate) subscriptions: Gauge,
    pub(crate) deliveries: Counter,
}

impl FeedMetrics {
    pub(crate) fn register(contract: &'static str, feed: &'static str) -> Self {
        let labels = || {
            vec![
                Label::from_static_parts("contract", contract),
                Label::from_static_parts("feed", feed),
            ]
        };
        Self {
            subscriptions: metrics::gauge!(names::FEED_SUBSCRIPTIONS, labels()),
            deliveries: metrics::counter!(names::FEED_DELIVERIES, labels()),
        }
    }
}
