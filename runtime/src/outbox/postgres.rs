//! The outbox in PostgreSQL, through tokio-postgres: record inside the app's transaction,
//! relay from a client of its own.
//!
//! tokio-postgres rather than sqlx: it is the plain asynchronous driver of the tokio stack
//! (sqlx itself builds on its own driver with a pool, macros and query checking at build
//! time, none of which an outbox of three statements needs), and sqlx's SQLite driver would
//! link a second libsqlite3 next to rusqlite's, which Cargo refuses (`links = "sqlite3"`).

use tokio_postgres::{Client, GenericClient};

use crate::outbox::{Message, MessageId, NewMessage, OutboxStore, message_from_row};

/// Creates the outbox table if it does not exist (in the first schema of the
/// `search_path`). `BIGSERIAL` ids are never reused.
pub async fn create_table(client: &impl GenericClient) -> Result<(), tokio_postgres::Error> {
    client
        .batch_execute(
            "CREATE TABLE IF NOT EXISTS eventwire_outbox (
                id BIGSERIAL PRIMARY KEY,
                topic TEXT NOT NULL,
                event TEXT NOT NULL,
                room TEXT,
                payload TEXT
            )",
        )
        .await
}

/// Records a message. Call it with the app's `Transaction`: the message then commits, or
/// rolls back, with the change.
///
/// ```no_run
/// # async fn f(mut client: tokio_postgres::Client) -> Result<(), tokio_postgres::Error> {
/// use eventwire::outbox::{postgres, NewMessage};
///
/// let tx = client.transaction().await?;
/// tx.execute("UPDATE tasks SET done = true WHERE id = $1", &[&7i64]).await?;
/// postgres::record(&tx, &NewMessage::new("board", "taskDone", None)).await?;
/// tx.commit().await?;
/// # Ok(()) }
/// ```
pub async fn record(
    client: &impl GenericClient,
    message: &NewMessage,
) -> Result<MessageId, tokio_postgres::Error> {
    // A `serde_json::Value` always serializes.
    let payload = message.payload.as_ref().map(Value::to_string);
    let row = client
        .query_one(
            "INSERT INTO eventwire_outbox (topic, event, room, payload) VALUES ($1, $2, $3, $4) RETURNING id",
            &[&message.topic, &message.event, &message.room, &payload],
        )
        .await?;
    Ok(MessageId(row.get(0)))
}

use serde_json::Value;

/// The relay's side: a client of its own (its connection task spawned by the app).
pub struct PgOutbox {
    client: Client,
}

impl PgOutbox {
    /// Uses `client`, creating the table if needed.
    pub async fn new(client: Client) -> Result<Self, tokio_postgres::Error> {
        create_table(&client).await?;
        Ok(Self { client })
    }
}

/// A row that does not hold a message (its payload is not JSON).
#[derive(Debug, thiserror::Error)]
pub enum PgOutboxError {
    /// The database failed.
    #[error(transparent)]
    Postgres(#[from] tokio_postgres::Error),
    /// A payload is not JSON (written by something other than [`record`]).
    #[error("message {id} has a payload that is not JSON: {source}")]
    Payload {
        /// The message.
        id: i64,
        /// The parse error.
        source: serde_json::Error,
    },
}

impl OutboxStore for PgOutbox {
    type Error = PgOutboxError;

    async fn pending(&self, limit: usize) -> Result<Vec<Message>, PgOutboxError> {
        let rows = self
            .client
            .query(
                "SELECT id, topic, event, room, payload FROM eventwire_outbox ORDER BY id LIMIT $1",
                &[&(limit as i64)],
            )
            .await?;
        rows.into_iter()
            .map(|row| {
                let id: i64 = row.get(0);
                message_from_row(id, row.get(1), row.get(2), row.get(3), row.get(4))
                    .map_err(|source| PgOutboxError::Payload { id, source })
            })
            .collect()
    }

    async fn remove(&self, id: MessageId) -> Result<(), PgOutboxError> {
        self.client
            .execute("DELETE FROM eventwire_outbox WHERE id = $1", &[&id.0])
            .await?;
        Ok(())
    }
}
