//! The outbox in SQLite, through rusqlite: record inside the app's transaction, relay
//! from a connection of its own.

use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, params};

use crate::outbox::{Message, MessageId, NewMessage, OutboxStore, message_from_row};

/// Creates the outbox table if it does not exist. `AUTOINCREMENT` keeps ids from being
/// reused after a delete, so a client never mistakes a new message for one it has seen.
pub fn create_table(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS eventwire_outbox (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            topic TEXT NOT NULL,
            event TEXT NOT NULL,
            room TEXT,
            payload TEXT
        )",
    )
}

/// Records a message. Call it inside the app's transaction (a `rusqlite::Transaction`
/// derefs to `Connection`): the message then commits, or rolls back, with the change.
///
/// ```
/// use eventwire::outbox::{sqlite, NewMessage};
///
/// let mut db = rusqlite::Connection::open_in_memory()?;
/// sqlite::create_table(&db)?;
/// let tx = db.transaction()?;
/// let id = sqlite::record(&tx, &NewMessage::new("chat", "posted", None))?;
/// tx.rollback()?;                          // and the message is gone with it
/// # let _ = id; Ok::<(), rusqlite::Error>(())
/// ```
pub fn record(conn: &Connection, message: &NewMessage) -> rusqlite::Result<MessageId> {
    let payload = message
        .payload
        .as_ref()
        .map(|p| {
            serde_json::to_string(p)
                .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
        })
        .transpose()?;
    let id = conn
        .prepare_cached(
            "INSERT INTO eventwire_outbox (topic, event, room, payload) VALUES (?1, ?2, ?3, ?4) RETURNING id",
        )?
        .query_row(
            params![message.topic, message.event, message.room, payload],
            |row| row.get(0),
        )?;
    Ok(MessageId(id))
}

/// The relay's side: a connection of its own to the database file.
#[derive(Clone)]
pub struct SqliteOutbox {
    conn: Arc<Mutex<Connection>>,
}

impl SqliteOutbox {
    /// Opens the database at `path` (creating the table if needed), in WAL mode so the
    /// relay's reads do not block the app's writes.
    pub fn open(path: impl AsRef<Path>) -> rusqlite::Result<Self> {
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "wal")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        create_table(&conn)?;
        Ok(Self::from_connection(conn))
    }

    /// Uses a connection the app opened.
    pub fn from_connection(conn: Connection) -> Self {
        Self {
            conn: Arc::new(Mutex::new(conn)),
        }
    }

    async fn with<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> rusqlite::Result<T> {
        let conn = self.conn.clone();
        // rusqlite blocks: keep it off the runtime's worker threads.
        tokio::task::spawn_blocking(move || f(&conn.lock().unwrap_or_else(|e| e.into_inner())))
            .await
            .unwrap_or_else(|join| std::panic::resume_unwind(join.into_panic()))
    }
}

impl OutboxStore for SqliteOutbox {
    type Error = rusqlite::Error;

    async fn pending(&self, limit: usize) -> rusqlite::Result<Vec<Message>> {
        self.with(move |conn| {
            let mut statement = conn.prepare_cached(
                "SELECT id, topic, event, room, payload FROM eventwire_outbox ORDER BY id LIMIT ?1",
            )?;
            let rows = statement.query_map([limit as i64], |row| {
                message_from_row(
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                )
                .map_err(|e| {
                    rusqlite::Error::FromSqlConversionFailure(
                        4,
                        rusqlite::types::Type::Text,
                        Box::new(e),
                    )
                })
            })?;
            rows.collect()
        })
        .await
    }

    async fn remove(&self, id: MessageId) -> rusqlite::Result<()> {
        self.with(move |conn| {
            conn.prepare_cached("DELETE FROM eventwire_outbox WHERE id = ?1")?
                .execute([id.0])
                .map(drop)
        })
        .await
    }
}

/// How many messages wait in the outbox (for tests and monitoring).
pub fn pending_count(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("SELECT count(*) FROM eventwire_outbox", [], |row| {
        row.get(0)
    })
}
