//! The audit log: an event middleware that records who sent which event and how it ended,
//! one `tracing` line per event under the `chat::audit` target
//! (`RUST_LOG=chat::audit=info` shows only those).

use eventwire::{Event, Fault, Handled, Middleware, Next};

use crate::contract::Chat;

/// Logs every chat event with its sender and outcome, after it was answered.
pub struct Audit;

impl Middleware<Chat> for Audit {
    async fn call(&self, event: &Event<'_, Chat>, next: Next<'_, Chat>) -> Result<Handled, Fault> {
        let handled = next.run().await;
        tracing::info!(
            target: "chat::audit",
            user = %event.identity().user,
            socket = %event.cx().id(),
            event = event.name(),
            outcome = handled.outcome().as_str(),
            "audit"
        );
        Ok(handled)
    }
}
