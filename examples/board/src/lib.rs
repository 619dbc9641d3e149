//! eventwire's live-subscription example: a task board. People create, edit, move and
//! delete tasks through acknowledged events, and watch filtered lists that stay current
//! (the `tasks` feed) and a notice for every change (the `activity` feed, keys only).
//! Everyone sees only their own workspace: the server forces it on every filter.

pub mod contract;
pub mod store;
pub mod web;

use eventwire::feed::{Placeholders, Refused};
use eventwire::prop::{Scope, Shared, Write, WriteError};
use eventwire::{BuildError, Cx, Feed, Feeds, Filter, Refusal, Server};

use crate::contract::*;
use crate::store::{Store, StoreError};

/// The whole app: the web page at `/`, Socket.IO at `/socket.io/` serving [`Board`].
pub fn router(store: Store) -> Result<axum::Router, BuildError> {
    let server = Server::new();
    let app = BoardApp::new(store, server.feeds::<Board>());
    let cors = server.cors_layer();
    let (layer, _io) = server.contract::<Board>(app).build()?;
    Ok(web::router().layer(layer).layer(cors))
}

/// The board's handlers and state, shared by every socket.
pub struct BoardApp {
    store: Store,
    tasks: Feed<Task, TaskFilter>,
    activity: Feed<Activity, ActivityFilter>,
    settings: Feed<Shared<Settings>, Scope<Settings>>,
}

impl BoardApp {
    /// A board keeping its tasks in `store` and publishing to `feeds`.
    pub fn new(store: Store, feeds: Feeds<Board>) -> Self {
        Self {
            store,
            tasks: feeds.feed(Board::tasks()),
            activity: feeds.feed(Board::activity()),
            settings: feeds.feed(Board::settings()),
        }
    }

    /// Runs a write on the store; `publish` runs after its commit, before the next write,
    /// so a feed's offsets follow the database's order.
    async fn write(
        &self,
        change: impl FnOnce(&mut rusqlite::Connection) -> Result<Change, Failure> + Send + 'static,
    ) -> Result<Task, BoardError> {
        let tasks = self.tasks.clone();
        let activity = self.activity.clone();
        let outcome = self
            .store
            .with(move |connection| {
                let outcome = change(connection);
                if let Ok(change) = &outcome {
                    let task = change.task().clone();
                    let notice = Activity {
                        task: task.id,
                        workspace: task.workspace.clone(),
                    };
                    match change {
                        Change::Created(_) => {
                            tasks.created(task);
                            activity.created(notice);
                        }
                        Change::Updated { previous, .. } => {
                            tasks.updated(task, Some(previous.clone()));
                            activity.updated(notice, None);
                        }
                        Change::Deleted(_) => {
                            tasks.deleted(task);
                            activity.deleted(notice);
                        }
                    }
                }
                Ok(outcome)
            })
            .await;
        match outcome {
            Ok(Ok(change)) => Ok(change.into_task()),
            Ok(Err(Failure::App(error))) => Err(error),
            Ok(Err(Failure::Store(error))) | Err(error) => Err(storage(error)),
        }
    }
}

/// A committed write, to publish.
enum Change {
    Created(Task),
    Updated { task: Task, previous: Task },
    Deleted(Task),
}

impl Change {
    fn task(&self) -> &Task {
        match self {
            Change::Created(task) | Change::Updated { task, .. } | Change::Deleted(task) => task,
        }
    }

    fn into_task(self) -> Task {
        match self {
            Change::Created(task) | Change::Updated { task, .. } | Change::Deleted(task) => task,
        }
    }
}

/// Why a write was not made.
enum Failure {
    App(BoardError),
    Store(StoreError),
}

impl From<StoreError> for Failure {
    fn from(error: StoreError) -> Self {
        Failure::Store(error)
    }
}

fn storage(error: StoreError) -> BoardError {
    eprintln!("board: the store failed: {error}");
    BoardError::Storage
}

fn now() -> String {
    jiff::Timestamp::now()
        .round(jiff::Unit::Second)
        .map_or_else(|_| jiff::Timestamp::now().to_string(), |t| t.to_string())
}

/// Reads a task of the member's workspace, changes it with `edit` and stores it.
fn edit_in_place(
    connection: &mut rusqlite::Connection,
    member: &Member,
    id: u32,
    edit: impl FnOnce(&mut Task),
) -> Result<Change, Failure> {
    let transaction = connection.transaction()?;
    let previous = store::get(&transaction, &member.workspace, id)?
        .ok_or(Failure::App(BoardError::NotFound { id }))?;
    let mut task = previous.clone();
    edit(&mut task);
    task.updated = now();
    task.updated_by = member.name.clone();
    store::update(&transaction, &task)?;
    transaction.commit()?;
    Ok(Change::Updated { task, previous })
}

impl BoardHandlers for BoardApp {
    async fn authenticate(&self, login: Login) -> Result<Member, Refusal> {
        Ok(Member {
            name: login.name,
            workspace: login.workspace,
        })
    }

    async fn create(&self, cx: &Cx<Board>, new: NewTask) -> Result<Task, BoardError> {
        let member = cx.identity();
        self.write(move |connection| {
            has_room(connection, &member.workspace, new.status)?;
            let task = Task {
                id: 0,
                workspace: member.workspace,
                project: new.project,
                title: new.title,
                status: new.status,
                assignee: new.assignee,
                priority: new.priority,
                updated: now(),
                updated_by: member.name,
            };
            Ok(Change::Created(store::insert(connection, task)?))
        })
        .await
    }

    async fn edit(&self, cx: &Cx<Board>, edit: EditTask) -> Result<Task, BoardError> {
        let member = cx.identity();
        self.write(move |connection| {
            edit_in_place(connection, &member, edit.id, |task| {
                task.project = edit.project;
                task.title = edit.title;
                task.assignee = edit.assignee;
                task.priority = edit.priority;
            })
        })
        .await
    }

    /// A move into a full column is refused: the column's limit is the workspace's
    /// `settings` prop.
    async fn r#move(&self, cx: &Cx<Board>, request: MoveTask) -> Result<Task, BoardError> {
        let member = cx.identity();
        self.write(move |connection| {
            let current = store::get(connection, &member.workspace, request.id)?
                .ok_or(Failure::App(BoardError::NotFound { id: request.id }))?;
            if current.status != request.status {
                has_room(connection, &member.workspace, request.status)?;
            }
            edit_in_place(connection, &member, request.id, |task| {
                task.status = request.status;
            })
        })
        .await
    }

    async fn delete(&self, cx: &Cx<Board>, request: TaskRef) -> Result<Task, BoardError> {
        let member = cx.identity();
        self.write(move |connection| {
            let transaction = connection.transaction()?;
            let task = store::get(&transaction, &member.workspace, request.id)?
                .ok_or(Failure::App(BoardError::NotFound { id: request.id }))?;
            store::delete(&transaction, &task)?;
            transaction.commit()?;
            Ok(Change::Deleted(task))
        })
        .await
    }

    async fn task(&self, cx: &Cx<Board>, request: TaskRef) -> Result<Task, BoardError> {
        let workspace = cx.identity().workspace;
        let id = request.id;
        match self
            .store
            .with(move |connection| store::get(connection, &workspace, id))
            .await
        {
            Ok(Some(task)) => Ok(task),
            Ok(None) => Err(BoardError::NotFound { id }),
            Err(error) => Err(storage(error)),
        }
    }

    /// Every list is held to the member's workspace: a filter naming another one is
    /// refused, as json-rest-api refuses it; a filter naming none gets the member's.
    async fn subscribe_tasks(
        &self,
        cx: &Cx<Board>,
        filter: &mut TaskFilter,
    ) -> Result<Vec<Task>, Refused<BoardError>> {
        let member = cx.identity();
        force_workspace(&mut filter.workspace, &member)?;
        // `"workspace" = ?1 AND ...`, with the values bound, never written into the text.
        let condition = filter.to_sql(Placeholders::Sqlite);
        self.store
            .select(condition)
            .await
            .map_err(|error| Refused::App(storage(error)))
    }

    /// Everyone reads and writes their own workspace's settings, which SQLite keeps (so
    /// they outlive a restart, and the column limits are checked in the same database).
    async fn subscribe_settings(
        &self,
        cx: &Cx<Board>,
        filter: &mut Scope<Settings>,
    ) -> Result<Vec<Shared<Settings>>, Refused<BoardError>> {
        let workspace = cx.identity().workspace;
        *filter = Scope::of(workspace.clone());
        let current = self
            .store
            .with(move |connection| store::settings(connection, &workspace))
            .await
            .map_err(|error| Refused::App(storage(error)))?;
        Ok(vec![current])
    }

    /// The limits' range (1–50) and the title's length were checked before this runs. The
    /// write applies only if it names the stored version (compare-and-set in SQLite);
    /// the new value is published after the commit, before the next write.
    async fn write_settings(
        &self,
        cx: &Cx<Board>,
        write: Write<Settings>,
    ) -> Result<Shared<Settings>, WriteError<Settings, BoardError>> {
        let workspace = cx.identity().workspace;
        let settings = self.settings.clone();
        let written = self
            .store
            .with(move |connection| {
                let written = store::write_settings(connection, &workspace, write)?;
                if let Ok((previous, next)) = &written {
                    settings.updated(next.clone(), Some(previous.clone()));
                }
                Ok(written)
            })
            .await;
        match written {
            Ok(Ok((_, next))) => Ok(next),
            Ok(Err(current)) => Err(WriteError::Conflict { current }),
            Err(error) => Err(WriteError::refused(storage(error))),
        }
    }

    async fn subscribe_activity(
        &self,
        cx: &Cx<Board>,
        filter: &mut ActivityFilter,
    ) -> Result<Vec<Activity>, Refused> {
        let member = cx.identity();
        filter.workspace = Some(member.workspace);
        // Notify mode: no snapshot, only the notices from now on.
        Ok(Vec::new())
    }
}

// The snapshot is the filter's SQL fragment alone: that holds while the filter has no custom
// predicate, which SQL cannot express.
const _: () = assert!(
    !TaskFilter::HAS_CUSTOM,
    "the SQL fragment is the whole filter"
);

/// Refuses a task for `column` when it already holds as many tasks as the workspace's
/// settings allow. Writes run one at a time (the store's one connection), so no other write
/// slips between the count and the change.
fn has_room(
    connection: &rusqlite::Connection,
    workspace: &str,
    column: Status,
) -> Result<(), Failure> {
    let limit = store::settings(connection, workspace)?
        .value
        .limits
        .of(column);
    if store::count(connection, workspace, column)? >= u32::from(limit) {
        return Err(Failure::App(BoardError::ColumnFull {
            status: column,
            limit,
        }));
    }
    Ok(())
}

fn force_workspace(workspace: &mut Option<String>, member: &Member) -> Result<(), BoardError> {
    match workspace {
        Some(asked) if *asked != member.workspace => Err(BoardError::OtherWorkspace {
            workspace: member.workspace.clone(),
        }),
        _ => {
            *workspace = Some(member.workspace.clone());
            Ok(())
        }
    }
}

/// Lets `?` turn a refused workspace into the subscribe answer.
impl From<BoardError> for Refused<BoardError> {
    fn from(error: BoardError) -> Self {
        Refused::App(error)
    }
}
