//! Message history in SQLite: a restart loses nothing.

use std::path::Path;
use std::sync::{Arc, Mutex};

use eventwire::Bytes;
use rusqlite::{Connection, params};

use crate::contract::{ChatMessage, FileRecord};

/// Messages a room keeps for whoever joins.
pub const HISTORY: u32 = 50;

/// The chat's messages, in one SQLite file (or in memory).
#[derive(Clone)]
pub struct Store {
    connection: Arc<Mutex<Connection>>,
}

/// Why the store failed.
pub type StoreError = rusqlite::Error;

impl Store {
    /// Opens (creating if needed) the database at `path`.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        Self::init(Connection::open(path)?)
    }

    /// A database that lives as long as the process.
    pub fn in_memory() -> Result<Self, StoreError> {
        Self::init(Connection::open_in_memory()?)
    }

    fn init(connection: Connection) -> Result<Self, StoreError> {
        connection.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = NORMAL;
             PRAGMA busy_timeout = 5000;
             CREATE TABLE IF NOT EXISTS messages (
                 id      INTEGER PRIMARY KEY AUTOINCREMENT,
                 room    TEXT NOT NULL,
                 user    TEXT NOT NULL,
                 text    TEXT NOT NULL,
                 sent_at TEXT NOT NULL
             );
             CREATE INDEX IF NOT EXISTS messages_by_room ON messages (room, id);
             CREATE TABLE IF NOT EXISTS files (
                 id   INTEGER PRIMARY KEY AUTOINCREMENT,
                 room TEXT NOT NULL,
                 user TEXT NOT NULL,
                 name TEXT NOT NULL,
                 mime TEXT NOT NULL,
                 size INTEGER NOT NULL,
                 at   TEXT NOT NULL
             );
             CREATE INDEX IF NOT EXISTS files_by_room ON files (room, id);
             CREATE TABLE IF NOT EXISTS file_data (
                 file INTEGER PRIMARY KEY REFERENCES files (id),
                 data BLOB NOT NULL
             );",
        )?;
        Ok(Self {
            connection: Arc::new(Mutex::new(connection)),
        })
    }

    /// Runs `f` on the connection off the async runtime's threads.
    async fn with<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let connection = self.connection.clone();
        tokio::task::spawn_blocking(move || {
            f(&connection.lock().unwrap_or_else(|e| e.into_inner()))
        })
        .await
        .expect("store tasks do not panic")
    }

    /// Stores a message and returns it with its id.
    pub async fn append(
        &self,
        room: String,
        user: String,
        text: String,
        sent_at: String,
    ) -> Result<ChatMessage, StoreError> {
        self.with(move |c| {
            c.execute(
                "INSERT INTO messages (room, user, text, sent_at) VALUES (?1, ?2, ?3, ?4)",
                params![room, user, text, sent_at],
            )?;
            Ok(ChatMessage {
                id: c.last_insert_rowid().to_string(),
                room,
                user,
                text,
                sent_at,
            })
        })
        .await
    }

    /// The room's last [`HISTORY`] messages, oldest first.
    pub async fn history(&self, room: String) -> Result<Vec<ChatMessage>, StoreError> {
        self.with(move |c| {
            let mut statement = c.prepare_cached(
                "SELECT id, room, user, text, sent_at FROM
                   (SELECT * FROM messages WHERE room = ?1 ORDER BY id DESC LIMIT ?2)
                 ORDER BY id",
            )?;
            let rows = statement.query_map(params![room, HISTORY], |row| {
                Ok(ChatMessage {
                    id: row.get::<_, i64>(0)?.to_string(),
                    room: row.get(1)?,
                    user: row.get(2)?,
                    text: row.get(3)?,
                    sent_at: row.get(4)?,
                })
            })?;
            rows.collect()
        })
        .await
    }
}

/// A file's record from the first seven columns: id, room, user, name, mime, size, at.
fn file_record(row: &rusqlite::Row<'_>) -> rusqlite::Result<FileRecord> {
    Ok(FileRecord {
        id: row.get::<_, i64>(0)?.to_string(),
        room: row.get(1)?,
        user: row.get(2)?,
        name: row.get(3)?,
        mime: row.get(4)?,
        size: row.get(5)?,
        at: row.get(6)?,
    })
}

impl Store {
    /// Records a shared file's metadata (the data is kept apart, for uploads only: see
    /// [`keep_file_data`](Self::keep_file_data)).
    pub async fn append_file(&self, file: FileRecord) -> Result<FileRecord, StoreError> {
        self.with(move |c| {
            c.execute(
                "INSERT INTO files (room, user, name, mime, size, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![file.room, file.user, file.name, file.mime, file.size, file.at],
            )?;
            Ok(FileRecord {
                id: c.last_insert_rowid().to_string(),
                ..file
            })
        })
        .await
    }

    /// Keeps the bytes of file `id` (one that went through an upload), for downloads.
    pub async fn keep_file_data(&self, id: String, data: Bytes) -> Result<(), StoreError> {
        self.with(move |c| {
            c.execute(
                "INSERT OR REPLACE INTO file_data (file, data) VALUES (?1, ?2)",
                params![id, data.as_ref()],
            )?;
            Ok(())
        })
        .await
    }

    /// File `id` of `room` with its bytes, if they are kept.
    pub async fn file_data(
        &self,
        room: String,
        id: String,
    ) -> Result<Option<(FileRecord, Bytes)>, StoreError> {
        self.with(move |c| {
            let mut statement = c.prepare_cached(
                "SELECT f.id, f.room, f.user, f.name, f.mime, f.size, f.at, d.data
                 FROM files f JOIN file_data d ON d.file = f.id
                 WHERE f.room = ?1 AND f.id = ?2",
            )?;
            let mut rows = statement.query_map(params![room, id], |row| {
                Ok((file_record(row)?, Bytes::from(row.get::<_, Vec<u8>>(7)?)))
            })?;
            rows.next().transpose()
        })
        .await
    }

    /// The room's last [`HISTORY`] shared files, oldest first.
    pub async fn files(&self, room: String) -> Result<Vec<FileRecord>, StoreError> {
        self.with(move |c| {
            let mut statement = c.prepare_cached(
                "SELECT id, room, user, name, mime, size, at FROM
                   (SELECT * FROM files WHERE room = ?1 ORDER BY id DESC LIMIT ?2)
                 ORDER BY id",
            )?;
            let rows = statement.query_map(params![room, HISTORY], file_record)?;
            rows.collect()
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn history_is_the_last_messages_oldest_first_per_room() {
        let store = Store::in_memory().unwrap();
        for i in 0..60 {
            store
                .append("a".into(), "u".into(), format!("m{i}"), "t".into())
                .await
                .unwrap();
        }
        store
            .append("b".into(), "u".into(), "other".into(), "t".into())
            .await
            .unwrap();
        let history = store.history("a".into()).await.unwrap();
        assert_eq!(history.len(), HISTORY as usize);
        assert_eq!(history.first().unwrap().text, "m10");
        assert_eq!(history.last().unwrap().text, "m59");
        assert_eq!(store.history("b".into()).await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn shared_files_keep_their_metadata_per_room() {
        let store = Store::in_memory().unwrap();
        let record = |room: &str, name: &str| FileRecord {
            id: String::new(),
            room: room.into(),
            user: "u".into(),
            name: name.into(),
            mime: "image/png".into(),
            size: 3,
            at: "t".into(),
        };
        let stored = store.append_file(record("a", "one.png")).await.unwrap();
        store.append_file(record("b", "other.png")).await.unwrap();
        assert_eq!(store.files("a".into()).await.unwrap(), vec![stored]);
    }

    #[tokio::test]
    async fn a_reopened_file_keeps_its_messages() {
        let dir = std::env::temp_dir().join(format!("chat-store-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("chat.db");
        let _ = std::fs::remove_file(&path);
        Store::open(&path)
            .unwrap()
            .append("a".into(), "u".into(), "kept".into(), "t".into())
            .await
            .unwrap();
        let reopened = Store::open(&path).unwrap();
        assert_eq!(reopened.history("a".into()).await.unwrap()[0].text, "kept");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
