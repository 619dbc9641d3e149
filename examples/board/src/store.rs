//! The tasks, in SQLite. A list's snapshot is loaded with the filter's own SQL fragment, so
//! the filter is written once for the database and for the live changes.

use std::path::Path;
use std::sync::{Arc, Mutex};

use eventwire::Filter;
use eventwire::feed::{Placeholders, SqlValue, Where};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, params};

use eventwire::prop::{Shared, Write};

use crate::contract::{Limits, Settings, Status, Task, TaskFilter};

/// The board's tasks, in one SQLite file (or in memory).
#[derive(Clone)]
pub struct Store {
    connection: Arc<Mutex<Connection>>,
}

/// Why the store failed.
pub type StoreError = rusqlite::Error;

const COLUMNS: &str =
    "id, workspace, project, title, status, assignee, priority, updated, updated_by";

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
             CREATE TABLE IF NOT EXISTS tasks (
                 id         INTEGER PRIMARY KEY AUTOINCREMENT,
                 workspace  TEXT NOT NULL,
                 project    TEXT NOT NULL,
                 title      TEXT NOT NULL,
                 status     TEXT NOT NULL,
                 assignee   TEXT NOT NULL,
                 priority   INTEGER NOT NULL,
                 updated    TEXT NOT NULL,
                 updated_by TEXT NOT NULL
             );
             CREATE INDEX IF NOT EXISTS tasks_by_workspace ON tasks (workspace, status);
             CREATE TABLE IF NOT EXISTS settings (
                 workspace  TEXT PRIMARY KEY,
                 version    INTEGER NOT NULL,
                 title      TEXT NOT NULL,
                 todo       INTEGER NOT NULL,
                 doing      INTEGER NOT NULL,
                 done       INTEGER NOT NULL
             );",
        )?;
        Ok(Self {
            connection: Arc::new(Mutex::new(connection)),
        })
    }

    /// Runs `f` on the connection off the async runtime's threads. Writers publish their
    /// change inside `f`, after the commit and before the next writer runs, so a feed's
    /// offsets follow the order of the database.
    pub(crate) async fn with<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let connection = self.connection.clone();
        tokio::task::spawn_blocking(move || {
            f(&mut connection.lock().unwrap_or_else(|e| e.into_inner()))
        })
        .await
        .expect("a store task does not panic")
    }

    /// The tasks a filter's SQL fragment selects ([`Filter::to_sql`] with
    /// [`Placeholders::Sqlite`]), in id order; its values are bound, never written into the
    /// text.
    pub async fn select(&self, condition: Where) -> Result<Vec<Task>, StoreError> {
        self.with(move |connection| select(connection, &condition))
            .await
    }

    /// Every task of `workspace`, in id order.
    pub async fn all(&self, workspace: &str) -> Result<Vec<Task>, StoreError> {
        let filter = TaskFilter {
            workspace: Some(workspace.to_owned()),
            ..TaskFilter::default()
        };
        self.select(filter.to_sql(Placeholders::Sqlite)).await
    }
}

/// The tasks `condition` selects.
fn select(connection: &Connection, condition: &Where) -> Result<Vec<Task>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM tasks WHERE {} ORDER BY id",
        condition.clause
    );
    let mut statement = connection.prepare(&sql)?;
    let params = rusqlite::params_from_iter(condition.params.iter().map(bound));
    let rows = statement.query_map(params, task)?;
    rows.collect()
}

/// One task of `workspace`.
pub(crate) fn get(
    connection: &Connection,
    workspace: &str,
    id: u32,
) -> Result<Option<Task>, StoreError> {
    connection
        .query_row(
            &format!("SELECT {COLUMNS} FROM tasks WHERE id = ?1 AND workspace = ?2"),
            params![id, workspace],
            task,
        )
        .optional()
}

/// How many tasks of `workspace` are in `column`.
pub(crate) fn count(
    connection: &Connection,
    workspace: &str,
    column: Status,
) -> Result<u32, StoreError> {
    connection.query_row(
        "SELECT count(*) FROM tasks WHERE workspace = ?1 AND status = ?2",
        params![workspace, column.as_str()],
        |row| row.get(0),
    )
}

/// Inserts `task` (its id is chosen by SQLite) and returns it with the id.
pub(crate) fn insert(connection: &Connection, mut task: Task) -> Result<Task, StoreError> {
    connection.execute(
        "INSERT INTO tasks (workspace, project, title, status, assignee, priority, updated, updated_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            task.workspace,
            task.project,
            task.title,
            task.status.as_str(),
            task.assignee,
            task.priority,
            task.updated,
            task.updated_by
        ],
    )?;
    task.id = u32::try_from(connection.last_insert_rowid()).expect("ids fit in u32");
    Ok(task)
}

/// Writes every field of `task` over the stored one.
pub(crate) fn update(connection: &Connection, task: &Task) -> Result<(), StoreError> {
    connection.execute(
        "UPDATE tasks SET project = ?1, title = ?2, status = ?3, assignee = ?4, priority = ?5,
                          updated = ?6, updated_by = ?7
         WHERE id = ?8 AND workspace = ?9",
        params![
            task.project,
            task.title,
            task.status.as_str(),
            task.assignee,
            task.priority,
            task.updated,
            task.updated_by,
            task.id,
            task.workspace
        ],
    )?;
    Ok(())
}

/// Deletes the task.
pub(crate) fn delete(connection: &Connection, task: &Task) -> Result<(), StoreError> {
    connection.execute(
        "DELETE FROM tasks WHERE id = ?1 AND workspace = ?2",
        params![task.id, task.workspace],
    )?;
    Ok(())
}

/// The settings of `workspace`: the stored ones, or the defaults at version 0.
pub(crate) fn settings(
    connection: &Connection,
    workspace: &str,
) -> Result<Shared<Settings>, StoreError> {
    let stored = connection
        .query_row(
            "SELECT version, title, todo, doing, done FROM settings WHERE workspace = ?1",
            params![workspace],
            |row| {
                Ok(Shared {
                    scope: workspace.to_owned(),
                    version: version(row.get(0)?)?,
                    value: Settings {
                        title: row.get(1)?,
                        limits: Limits {
                            todo: row.get(2)?,
                            doing: row.get(3)?,
                            done: row.get(4)?,
                        },
                    },
                })
            },
        )
        .optional()?;
    Ok(stored.unwrap_or_else(|| Shared {
        scope: workspace.to_owned(),
        version: 0,
        value: Settings::default(),
    }))
}

/// What a settings write found: the settings it replaced and the new ones, or, when it
/// named another version than the stored one, the stored ones (and nothing changed).
pub(crate) type SettingsWrite = Result<(Shared<Settings>, Shared<Settings>), Shared<Settings>>;

/// Stores `write` as `workspace`'s settings if it names their stored version.
pub(crate) fn write_settings(
    connection: &mut Connection,
    workspace: &str,
    write: Write<Settings>,
) -> Result<SettingsWrite, StoreError> {
    let transaction = connection.transaction()?;
    let current = settings(&transaction, workspace)?;
    if current.version != write.version {
        return Ok(Err(current));
    }
    let next = Shared {
        scope: workspace.to_owned(),
        version: current.version + 1,
        value: write.value,
    };
    let Settings { title, limits } = &next.value;
    transaction.execute(
        "INSERT INTO settings (workspace, version, title, todo, doing, done)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (workspace) DO UPDATE SET
             version = excluded.version, title = excluded.title,
             todo = excluded.todo, doing = excluded.doing, done = excluded.done",
        params![
            workspace,
            next.version as i64, // at most 2^53 - 1 (the type's rule)
            title,
            limits.todo,
            limits.doing,
            limits.done
        ],
    )?;
    transaction.commit()?;
    Ok(Ok((current, next)))
}

/// A stored version; SQLite's integers are signed.
fn version(stored: i64) -> Result<u64, StoreError> {
    u64::try_from(stored).map_err(|error| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Integer, error.into())
    })
}

fn bound(value: &SqlValue) -> Value {
    match value {
        SqlValue::Integer(n) => Value::Integer(*n),
        SqlValue::Real(x) => Value::Real(*x),
        SqlValue::Text(text) => Value::Text(text.clone()),
        SqlValue::Bool(b) => Value::Integer(i64::from(*b)),
    }
}

fn task(row: &Row<'_>) -> Result<Task, StoreError> {
    let status: String = row.get(4)?;
    Ok(Task {
        id: row.get(0)?,
        workspace: row.get(1)?,
        project: row.get(2)?,
        title: row.get(3)?,
        status: Status::parse(&status).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                4,
                rusqlite::types::Type::Text,
                format!("unknown status {status:?}").into(),
            )
        })?,
        assignee: row.get(5)?,
        priority: row.get(6)?,
        updated: row.get(7)?,
        updated_by: row.get(8)?,
    })
}
