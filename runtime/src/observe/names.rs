#![doc = include_str!("../../docs/observability.md")]
//!
//! ```
//! // With metrics-exporter-prometheus: `eventwire_events_total{event="join",outcome="ok"}`.
//! assert_eq!(eventwire::metrics::EVENTS, "eventwire_events_total");
//! ```

/// Gauge: live connections. Labels: `namespace` (the mount path).
pub const CONNECTIONS: &str = "eventwire_connections";

/// Counter: client events handled. Labels: `namespace`, `event` (`(unknown)` for names
/// the contract does not declare), `outcome` (`ok`, `app_error` or `fault`).
pub const EVENTS: &str = "eventwire_events_total";

/// The `event` label of events the contract does not declare: names a client chose must
/// not grow the number of series.
pub const UNKNOWN_EVENT: &str = "(unknown)";

/// Counter: faults answered. Labels: `namespace`, `event`, `code` (the fault code, e.g.
/// `invalid_payload`).
pub const FAULTS: &str = "eventwire_faults_total";

/// Counter: events refused by a rate limit. Labels: `namespace`, `event`.
pub const RATE_LIMITED: &str = "eventwire_rate_limited_total";

/// Histogram, seconds: how long handlers ran (from after decoding and guards to their
/// answer). Labels: `namespace`, `event`.
pub const HANDLER_DURATION: &str = "eventwire_handler_duration_seconds";

/// Histogram, seconds: from an event's arrival to its answer being queued (decoding,
/// middleware, guards, the handler, and waiting for its turn in an ordered contract).
/// Labels: `namespace`, `event`.
pub const ACK_LATENCY: &str = "eventwire_ack_latency_seconds";

/// Counter: emits and answers that failed because the client's outgoing queue was full.
pub const EMIT_QUEUE_FULL: &str = "eventwire_emit_queue_full_total";

/// Counter: connections refused at the handshake. Labels: `namespace`, `reason` (`auth`,
/// `origin`, `capacity` or `contract_mismatch`).
pub const REFUSED_CONNECTIONS: &str = "eventwire_refused_connections_total";

/// Gauge: live feed subscriptions. Labels: `contract`, `feed`.
pub const FEED_SUBSCRIPTIONS: &str = "eventwire_feed_subscriptions";

/// Counter: feed changes delivered to subscribers (one per subscriber a change reached).
/// Labels: `contract`, `feed`.
pub const FEED_DELIVERIES: &str = "eventwire_feed_deliveries_total";
