//! The board's contract: what the page sends, what it watches, and every payload, declared
//! once. The TypeScript client in `web/generated/` is generated from it.

use eventwire::{Contract, Filter, payload};

/// Who connects: a name, and the workspace whose tasks they work on.
#[payload]
#[serde(rename_all = "camelCase")]
pub struct Login {
    /// Shown on the tasks they create and edit.
    #[validate(length(min = 1, max = 24))]
    pub name: String,
    /// Everyone in a workspace sees its tasks, and nobody else does.
    #[validate(length(min = 1, max = 32))]
    pub workspace: String,
}

/// The identity of an accepted connection; handlers read it with `cx.identity()`.
#[derive(Debug, Clone)]
pub struct Member {
    /// The member's name.
    pub name: String,
    /// Their workspace: forced on every filter they subscribe with.
    pub workspace: String,
}

/// Where a task stands: the board's three columns.
#[payload]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Not started.
    Todo,
    /// In progress.
    Doing,
    /// Finished.
    Done,
}

impl Status {
    /// The name stored in SQLite, the same as on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Todo => "todo",
            Status::Doing => "doing",
            Status::Done => "done",
        }
    }

    /// The status stored as `name`.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "todo" => Some(Status::Todo),
            "doing" => Some(Status::Doing),
            "done" => Some(Status::Done),
            _ => None,
        }
    }
}

/// A task on the board.
#[payload]
#[derive(Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Task {
    /// Its key, given by the server.
    pub id: u32,
    /// The workspace it belongs to.
    pub workspace: String,
    /// The project it is part of.
    pub project: String,
    /// What is to be done.
    pub title: String,
    /// Its column.
    pub status: Status,
    /// Who does it.
    pub assignee: String,
    /// 1 (low) to 5 (urgent).
    pub priority: u8,
    /// When it last changed (RFC 3339, UTC).
    pub updated: String,
    /// Who changed it last.
    pub updated_by: String,
}

/// Which tasks a list shows. Every field is optional; the given ones must all hold.
#[payload]
#[derive(Debug, Clone, Default, Filter)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[filter(item = Task)]
pub struct TaskFilter {
    /// Set by the server to the member's workspace, whatever the page sent.
    #[filter(eq)]
    pub workspace: Option<String>,
    /// Only this column.
    #[filter(eq)]
    pub status: Option<Status>,
    /// Only tasks of this person.
    #[filter(eq)]
    pub assignee: Option<String>,
    /// Only this project.
    #[filter(eq)]
    pub project: Option<String>,
    /// At least this priority.
    #[filter(gte, field = priority)]
    #[validate(range(min = 1, max = 5))]
    pub min_priority: Option<u8>,
    /// Words in the title (ASCII case-insensitive).
    #[filter(contains, field = title)]
    #[validate(length(max = 60))]
    pub search: Option<String>,
}

/// A task to create.
#[payload]
#[serde(rename_all = "camelCase")]
pub struct NewTask {
    /// The project it is part of.
    #[validate(length(min = 1, max = 32))]
    pub project: String,
    /// What is to be done.
    #[validate(length(min = 1, max = 120))]
    pub title: String,
    /// Its column.
    pub status: Status,
    /// Who does it.
    #[validate(length(min = 1, max = 24))]
    pub assignee: String,
    /// 1 (low) to 5 (urgent).
    #[validate(range(min = 1, max = 5))]
    pub priority: u8,
}

/// New values for a task's fields (its column changes with [`MoveTask`]).
#[payload]
#[serde(rename_all = "camelCase")]
pub struct EditTask {
    /// The task.
    pub id: u32,
    /// The project it is part of.
    #[validate(length(min = 1, max = 32))]
    pub project: String,
    /// What is to be done.
    #[validate(length(min = 1, max = 120))]
    pub title: String,
    /// Who does it.
    #[validate(length(min = 1, max = 24))]
    pub assignee: String,
    /// 1 (low) to 5 (urgent).
    #[validate(range(min = 1, max = 5))]
    pub priority: u8,
}

/// A task moving to another column.
#[payload]
pub struct MoveTask {
    /// The task.
    pub id: u32,
    /// Its new column.
    pub status: Status,
}

/// One task, by key.
#[payload]
pub struct TaskRef {
    /// The task.
    pub id: u32,
}

/// A notice that a task changed: the activity feed carries only this key, and a page that
/// wants the details asks for them with `task`, through its own authorized call.
#[payload]
#[derive(Debug, Clone)]
pub struct Activity {
    /// The task that changed.
    pub task: u32,
    /// Its workspace.
    pub workspace: String,
}

/// Which notices to receive: the server sets the workspace.
#[payload]
#[derive(Debug, Clone, Default, Filter)]
#[serde(deny_unknown_fields)]
#[filter(item = Activity)]
pub struct ActivityFilter {
    /// Set by the server to the member's workspace.
    #[filter(eq)]
    pub workspace: Option<String>,
}

/// The board's title and how many tasks each column may hold: one value per workspace,
/// shared by everyone in it (the `settings` prop).
#[payload]
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Shown above the columns.
    #[validate(length(min = 1, max = 60))]
    pub title: String,
    /// Work-in-progress limits: a task cannot be created in, or moved to, a full column.
    #[validate(nested)]
    pub limits: Limits,
}

/// The most tasks each column may hold.
#[payload]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// To do.
    #[validate(range(min = 1, max = 50))]
    pub todo: u8,
    /// Doing.
    #[validate(range(min = 1, max = 50))]
    pub doing: u8,
    /// Done.
    #[validate(range(min = 1, max = 50))]
    pub done: u8,
}

impl Limits {
    /// The limit of `column`.
    pub fn of(self, column: Status) -> u8 {
        match column {
            Status::Todo => self.todo,
            Status::Doing => self.doing,
            Status::Done => self.done,
        }
    }
}

impl Default for Settings {
    /// A new workspace's board: roomy columns, a tighter "doing".
    fn default() -> Self {
        Self {
            title: "Our board".to_owned(),
            limits: Limits {
                todo: 50,
                doing: 5,
                done: 50,
            },
        }
    }
}

/// What can go wrong on the board, for the page to explain.
#[payload]
#[derive(Debug)]
#[serde(tag = "code", rename_all = "camelCase")]
pub enum BoardError {
    /// No task with this id in the member's workspace.
    NotFound {
        /// The id asked for.
        id: u32,
    },
    /// A filter named another workspace than the member's.
    OtherWorkspace {
        /// The member's workspace.
        workspace: String,
    },
    /// The column already holds as many tasks as its limit allows.
    ColumnFull {
        /// The full column.
        status: Status,
        /// Its limit (the `settings` prop).
        limit: u8,
    },
    /// The database failed; the change was not made.
    Storage,
}

/// The live task board.
#[derive(Contract)]
#[contract(namespace = "/board", auth = Login, identity = Member)]
pub enum Board {
    /// Creates a task in the member's workspace.
    #[client(ack = Result<Task, BoardError>)]
    Create(NewTask),
    /// Changes a task's project, title, assignee and priority.
    #[client(ack = Result<Task, BoardError>)]
    Edit(EditTask),
    /// Moves a task to another column.
    #[client(ack = Result<Task, BoardError>)]
    Move(MoveTask),
    /// Deletes a task; answers it as it was.
    #[client(ack = Result<Task, BoardError>)]
    Delete(TaskRef),
    /// One task of the member's workspace.
    #[client(ack = Result<Task, BoardError>)]
    Task(TaskRef),
    /// The tasks of the member's workspace that a filter selects, kept current.
    #[feed(item = Task, key = id, filter = TaskFilter, error = BoardError)]
    Tasks,
    /// Which tasks changed (keys only).
    #[feed(item = Activity, key = task, filter = ActivityFilter, mode = notify)]
    Activity,
    /// The workspace's title and column limits: read as a one-item feed, written with
    /// `writeSettings` from the version the page holds.
    #[prop(value = Settings, error = BoardError)]
    Settings,
}
