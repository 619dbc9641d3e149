//! The [`Relay`]: reads committed messages from an outbox and hands them to a sink.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

use crate::outbox::{Message, MessageId, PublishError, Sink};

/// An outbox a [`Relay`] reads: SQLite ([`SqliteOutbox`](crate::outbox::sqlite::SqliteOutbox))
/// or PostgreSQL ([`PgOutbox`](crate::outbox::postgres::PgOutbox)).
pub trait OutboxStore: Send + Sync + 'static {
    /// What the database says when it fails.
    type Error: std::error::Error + Send + Sync + 'static;

    /// The oldest committed messages, at most `limit`, in id order.
    fn pending(
        &self,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<Message>, Self::Error>> + Send;

    /// Deletes a published message.
    fn remove(&self, id: MessageId) -> impl Future<Output = Result<(), Self::Error>> + Send;
}

/// Why [`Relay::drain`] stopped before the outbox was empty.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RelayError {
    /// Reading or deleting failed; nothing is lost, the messages stay.
    #[error("the outbox could not be read or updated: {0}")]
    Store(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The sink asked to try message `id` again later; it and the ones after it stay.
    #[error("message {id} could not be published yet: {reason}")]
    Sink {
        /// The message that waits.
        id: MessageId,
        /// What the sink said.
        reason: String,
    },
}

/// Wakes a [`Relay`] after a commit, so it publishes at once instead of at its next poll.
///
/// ```
/// # async fn f(waker: eventwire::outbox::Waker) {
/// // after `tx.commit()?`:
/// waker.wake();
/// # }
/// ```
#[derive(Clone)]
pub struct Waker(Arc<Notify>);

impl Waker {
    /// Wakes the relay (one wake is kept if it is busy).
    pub fn wake(&self) {
        self.0.notify_one();
    }
}

/// Publishes committed outbox messages to a sink, in id order, deleting each once the sink
/// took it. [`run`](Self::run) drains the outbox when it starts (what a crashed process
/// committed but never published), then whenever [woken](Self::waker) and at every poll.
///
/// ```no_run
/// # #[cfg(feature = "outbox-sqlite")]
/// # async fn f(sink: impl eventwire::outbox::Sink) -> Result<(), Box<dyn std::error::Error>> {
/// use std::time::Duration;
/// use eventwire::outbox::{sqlite::SqliteOutbox, Relay};
///
/// let relay = Relay::new(SqliteOutbox::open("app.db")?, sink).poll_interval(Duration::from_millis(500));
/// let waker = relay.waker();          // call `waker.wake()` after each commit
/// tokio::spawn(relay.run());
/// # let _ = waker; Ok(()) }
/// ```
pub struct Relay<S, K> {
    store: S,
    sink: K,
    batch: usize,
    poll: Duration,
    wake: Arc<Notify>,
}

impl<S: OutboxStore, K: Sink> Relay<S, K> {
    /// A relay from `store` to `sink`.
    pub fn new(store: S, sink: K) -> Self {
        Self {
            store,
            sink,
            batch: 100,
            poll: Duration::from_secs(1),
            wake: Arc::default(),
        }
    }

    /// How often [`run`](Self::run) looks for messages without being woken (commits by
    /// other processes, retries). Defaults to 1 second.
    pub fn poll_interval(mut self, every: Duration) -> Self {
        self.poll = every;
        self
    }

    /// How many messages one read fetches. Defaults to 100.
    pub fn batch_size(mut self, messages: usize) -> Self {
        self.batch = messages.max(1);
        self
    }

    /// A handle that wakes this relay.
    pub fn waker(&self) -> Waker {
        Waker(self.wake.clone())
    }

    /// Publishes every message committed so far; returns how many the sink took.
    pub async fn drain(&self) -> Result<usize, RelayError> {
        let mut published = 0;
        loop {
            let batch = self
                .store
                .pending(self.batch)
                .await
                .map_err(|e| RelayError::Store(Box::new(e)))?;
            let full = batch.len() == self.batch;
            for message in batch {
                match self.sink.publish(&message).await {
                    Ok(()) => published += 1,
                    Err(PublishError::Reject(reason)) => {
                        tracing::error!(id = %message.id, topic = %message.topic, event = %message.event, reason = %reason, "dropping an outbox message no sink can publish");
                    }
                    Err(PublishError::Retry(reason)) => {
                        return Err(RelayError::Sink {
                            id: message.id,
                            reason,
                        });
                    }
                }
                // The crash window: the message is published and not yet deleted.
                self.store
                    .remove(message.id)
                    .await
                    .map_err(|e| RelayError::Store(Box::new(e)))?;
            }
            if !full {
                return Ok(published);
            }
        }
    }

    /// Drains the outbox now, then whenever woken and at every poll, until the process
    /// ends. Failures are logged and retried at the next poll.
    pub async fn run(self) {
        loop {
            if let Err(error) = self.drain().await {
                tracing::warn!(error = %error, "the outbox relay will try again");
            }
            let _ = tokio::time::timeout(self.poll, self.wake.notified()).await;
        }
    }
}
