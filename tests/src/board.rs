//! A live task board for the feed tests: tasks in memory, acked events that change them and
//! publish to the `tasks` feed (data mode) and the `activity` feed (notify mode), every
//! subscriber held to the workspace of its handshake identity.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use eventwire::feed::{NoError, Refused};
use eventwire::prop::{Prop, Scope, Shared, Write, WriteError};
use eventwire::{Contract, Cx, Filter, Forbidden, Refusal, payload};

/// A task.
#[payload]
#[derive(Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Task {
    /// Its key.
    pub id: u32,
    /// The workspace it belongs to.
    pub workspace: u32,
    /// `todo`, `doing` or `done`.
    pub status: Status,
    /// Who works on it.
    pub assignee: String,
    /// 1 (low) to 5 (high).
    pub priority: u8,
    /// What it is.
    pub title: String,
}

/// Where a task stands.
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

/// Which tasks to watch.
#[payload]
#[derive(Debug, Clone, Default, Filter)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[filter(item = Task, custom = not_hidden)]
pub struct TaskFilter {
    /// Forced by the server from the identity.
    #[filter(eq)]
    pub workspace: Option<u32>,
    /// One status.
    #[filter(eq)]
    pub status: Option<Status>,
    /// Several statuses.
    #[filter(in, field = status)]
    pub statuses: Option<Vec<Status>>,
    /// One assignee.
    #[filter(eq)]
    pub assignee: Option<String>,
    /// Not this assignee.
    #[filter(ne, field = assignee)]
    pub not_assignee: Option<String>,
    /// At least this priority.
    #[filter(gte, field = priority)]
    #[validate(range(min = 1, max = 5))]
    pub min_priority: Option<u8>,
    /// Above this priority.
    #[filter(gt, field = priority)]
    pub above_priority: Option<u8>,
    /// At most this priority.
    #[filter(lte, field = priority)]
    pub max_priority: Option<u8>,
    /// Below this priority.
    #[filter(lt, field = priority)]
    pub below_priority: Option<u8>,
    /// Priority within both bounds.
    #[filter(between, field = priority)]
    pub priority_between: Option<(u8, u8)>,
    /// Text in the title, ASCII case-insensitive.
    #[filter(contains, field = title)]
    #[validate(length(max = 50))]
    pub search: Option<String>,
}

/// Titles starting with `.` are hidden from every feed: the custom predicate.
fn not_hidden(_: &TaskFilter, task: &Task) -> bool {
    !task.title.starts_with('.')
}

/// A new task.
#[payload]
#[serde(rename_all = "camelCase")]
pub struct NewTask {
    /// Its key (the tests choose them).
    pub id: u32,
    /// Where it stands.
    pub status: Status,
    /// Who works on it.
    pub assignee: String,
    /// 1 to 5.
    #[validate(range(min = 1, max = 5))]
    pub priority: u8,
    /// What it is.
    pub title: String,
}

/// A task's new status.
#[payload]
pub struct Move {
    /// The task.
    pub id: u32,
    /// Its new status.
    pub status: Status,
}

/// A task to delete.
#[payload]
pub struct TaskId {
    /// The task.
    pub id: u32,
}

/// Who connects: their workspace and name.
#[payload]
#[derive(Debug, Clone)]
pub struct Member {
    /// The workspace they may see.
    pub workspace: u32,
    /// Their name.
    #[validate(length(min = 1, max = 20))]
    pub name: String,
}

/// A member's name.
#[payload]
pub struct Name {
    /// The name.
    pub name: String,
}

/// The board's errors.
#[payload]
#[derive(Debug)]
#[serde(tag = "code", rename_all = "camelCase")]
pub enum BoardError {
    /// No such task.
    NotFound,
    /// The key is taken.
    Exists,
    /// Only `boss` may watch every priority.
    TooBroad,
}

/// One activity notice: a task changed.
#[payload]
#[derive(Debug, Clone)]
pub struct Activity {
    /// The task's id.
    pub task: u32,
    /// Its workspace.
    pub workspace: u32,
}

/// Which activity to watch.
#[payload]
#[derive(Debug, Clone, Default, Filter)]
#[serde(deny_unknown_fields)]
#[filter(item = Activity)]
pub struct ActivityFilter {
    /// Forced by the server.
    #[filter(eq)]
    pub workspace: Option<u32>,
}

/// A live task board.
#[derive(Contract)]
#[contract(namespace = "/board", auth = Member)]
pub enum Board {
    /// Creates a task.
    #[client(ack = Result<Task, BoardError>)]
    Create(NewTask),
    /// Moves a task to another status.
    #[client(ack = Result<Task, BoardError>)]
    Move(Move),
    /// Deletes a task.
    #[client(ack = Result<Task, BoardError>)]
    Delete(TaskId),
    /// Restricts a member to the tasks assigned to them from now on: the per-push check
    /// hides the others.
    #[client(ack = bool)]
    Restrict(Name),
    /// Ends every task subscription of the caller's workspace, as a revocation; answers how
    /// many ended.
    #[client(ack = u32)]
    Revoke,
    /// The tasks of the member's workspace that the filter selects, now (the source of truth
    /// the live collections are compared with).
    #[client(ack = Vec<Task>)]
    List(TaskFilter),
    /// The tasks of the member's workspace that the filter selects.
    #[feed(item = Task, key = id, filter = TaskFilter, error = BoardError, check)]
    Tasks,
    /// Notices of changed tasks (keys only: clients fetch what they need).
    #[feed(item = Activity, key = task, filter = ActivityFilter, mode = notify)]
    Activity,
    /// The workspace's motto: a prop kept in memory, one per workspace, with no app error.
    #[prop(value = Motto)]
    Motto,
}

/// A workspace's motto.
#[payload]
#[derive(Debug, Clone, PartialEq)]
pub struct Motto {
    /// Its words.
    #[validate(length(min = 1, max = 40))]
    pub text: String,
}

/// The motto prop as any handler reaches it: every handle shares its values.
fn motto(cx: &Cx<Board>) -> Prop<Motto> {
    cx.feeds().prop(Board::motto(), |_| Motto {
        text: "Ship it".to_owned(),
    })
}

/// The answer of `subscribe_motto` for every app serving the test board: the member's
/// workspace's motto.
pub fn read_motto(cx: &Cx<Board>, filter: &mut Scope<Motto>) -> Vec<Shared<Motto>> {
    motto(cx).subscribe(&cx.identity().workspace.to_string(), filter)
}

/// The answer of `write_motto` for every app serving the test board.
pub fn write_motto(
    cx: &Cx<Board>,
    write: Write<Motto>,
) -> Result<Shared<Motto>, WriteError<Motto, NoError>> {
    motto(cx).write(&cx.identity().workspace.to_string(), write)
}

/// The board's state: tasks by id, and names of members whose access is revoked.
#[derive(Clone, Default)]
pub struct BoardApp {
    /// The tasks.
    pub tasks: Arc<Mutex<BTreeMap<u32, Task>>>,
    /// Members who may no longer see tasks assigned to others.
    pub restricted: Arc<Mutex<Vec<String>>>,
}

impl BoardApp {
    fn publish(&self, cx: &Cx<Board>, task: &Task) {
        cx.feed(Board::activity()).updated(
            Activity {
                task: task.id,
                workspace: task.workspace,
            },
            None,
        );
    }
}

impl BoardHandlers for BoardApp {
    async fn subscribe_motto(
        &self,
        cx: &Cx<Board>,
        filter: &mut Scope<Motto>,
    ) -> Result<Vec<Shared<Motto>>, Refused> {
        Ok(read_motto(cx, filter))
    }

    async fn write_motto(
        &self,
        cx: &Cx<Board>,
        write: Write<Motto>,
    ) -> Result<Shared<Motto>, WriteError<Motto, NoError>> {
        write_motto(cx, write)
    }

    async fn create(&self, cx: &Cx<Board>, new: NewTask) -> Result<Task, BoardError> {
        let task = Task {
            id: new.id,
            workspace: cx.identity().workspace,
            status: new.status,
            assignee: new.assignee,
            priority: new.priority,
            title: new.title,
        };
        {
            let mut tasks = self.tasks.lock().unwrap();
            if tasks.contains_key(&task.id) {
                return Err(BoardError::Exists);
            }
            tasks.insert(task.id, task.clone());
            // Published while the store is locked, so offsets follow the store's order.
            cx.feed(Board::tasks()).created(task.clone());
        }
        self.publish(cx, &task);
        Ok(task)
    }

    async fn r#move(&self, cx: &Cx<Board>, request: Move) -> Result<Task, BoardError> {
        let task = {
            let mut tasks = self.tasks.lock().unwrap();
            let task = tasks.get_mut(&request.id).ok_or(BoardError::NotFound)?;
            let previous = task.clone();
            task.status = request.status;
            let task = task.clone();
            cx.feed(Board::tasks())
                .updated(task.clone(), Some(previous));
            task
        };
        self.publish(cx, &task);
        Ok(task)
    }

    async fn delete(&self, cx: &Cx<Board>, request: TaskId) -> Result<Task, BoardError> {
        let task = {
            let mut tasks = self.tasks.lock().unwrap();
            let task = tasks.remove(&request.id).ok_or(BoardError::NotFound)?;
            cx.feed(Board::tasks()).deleted(task.clone());
            task
        };
        self.publish(cx, &task);
        Ok(task)
    }

    async fn restrict(&self, _: &Cx<Board>, name: Name) -> bool {
        self.restricted.lock().unwrap().push(name.name);
        true
    }

    async fn revoke(&self, cx: &Cx<Board>) -> u32 {
        let workspace = cx.identity().workspace;
        let ended = cx.feed(Board::tasks()).end_where(
            |filter, _| filter.workspace == Some(workspace),
            eventwire::feed::EndReason::revoked("your access to this workspace changed"),
        );
        ended as u32
    }

    async fn list(&self, cx: &Cx<Board>, mut filter: TaskFilter) -> Vec<Task> {
        filter.workspace = Some(cx.identity().workspace);
        let tasks = self.tasks.lock().unwrap();
        tasks
            .values()
            .filter(|t| filter.matches(t))
            .cloned()
            .collect()
    }

    async fn subscribe_tasks(
        &self,
        cx: &Cx<Board>,
        filter: &mut TaskFilter,
    ) -> Result<Vec<Task>, Refused<BoardError>> {
        let member = cx.identity();
        match filter.workspace {
            Some(workspace) if workspace != member.workspace => {
                return Err(Forbidden::new("you may only watch your own workspace").into());
            }
            _ => filter.workspace = Some(member.workspace),
        }
        if filter.min_priority == Some(1) && member.name != "boss" {
            return Err(Refused::App(BoardError::TooBroad));
        }
        // A snapshot takes time to load, as from a database: changes published before and
        // after it is read must neither be lost nor applied twice.
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        let snapshot: Vec<Task> = {
            let tasks = self.tasks.lock().unwrap();
            tasks
                .values()
                .filter(|t| filter.matches(t))
                .cloned()
                .collect()
        };
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        Ok(snapshot)
    }

    fn check_tasks(&self, cx: &Cx<Board>, task: &Task) -> bool {
        let name = cx.identity().name;
        let restricted = self.restricted.lock().unwrap().contains(&name);
        !restricted || task.assignee == name
    }

    async fn subscribe_activity(
        &self,
        cx: &Cx<Board>,
        filter: &mut ActivityFilter,
    ) -> Result<Vec<Activity>, Refused> {
        filter.workspace = Some(cx.identity().workspace);
        Ok(Vec::new())
    }

    async fn authenticate(&self, member: Member) -> Result<Member, Refusal> {
        Ok(member)
    }
}

/// Subscriptions one socket of the test board may hold.
pub const BOARD_MAX_SUBSCRIPTIONS: usize = 5;

/// A running test board.
pub struct BoardServer {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    /// Its state.
    pub app: BoardApp,
    /// Its feeds, to publish from outside handlers.
    pub feeds: eventwire::Feeds<Board>,
}

/// Starts the board on an ephemeral port.
pub async fn start_board() -> BoardServer {
    start_board_with(|server| server).await
}

/// Starts the board on an ephemeral port, on a server `configure` adjusts.
pub async fn start_board_with(
    configure: impl FnOnce(eventwire::Server) -> eventwire::Server,
) -> BoardServer {
    let app = BoardApp::default();
    let server =
        configure(eventwire::Server::new().max_subscriptions_per_socket(BOARD_MAX_SUBSCRIPTIONS));
    let feeds = server.feeds::<Board>();
    let server = server.contract::<Board>(app.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind an ephemeral port");
    let url = format!("http://{}", listener.local_addr().expect("bound"));
    tokio::spawn(async move { server.serve_on(listener).await.expect("serve") });
    BoardServer { url, app, feeds }
}

/// A raw connection to `/board` as `name` of `workspace`, once the server accepted it.
pub async fn raw_member(url: &str, workspace: u32, name: &str) -> crate::raw::RawSocket {
    let mut socket = crate::raw::RawSocket::open(url).await;
    socket
        .send(&format!(
            r#"40/board,{{"workspace":{workspace},"name":"{name}"}}"#
        ))
        .await;
    match socket.next().await {
        crate::raw::Next::Text(reply) if reply.starts_with("40/board,{\"sid\"") => socket,
        other => panic!("expected the connect reply, got {other:?}"),
    }
}

/// The arguments of `socket`'s next frame (an event's or an acknowledgement's).
pub async fn frame_arguments(socket: &mut crate::raw::RawSocket) -> serde_json::Value {
    match socket.next().await {
        crate::raw::Next::Text(text) => {
            let start = text.find('[').expect("an argument array");
            serde_json::from_str(&text[start..]).expect("JSON arguments")
        }
        other => panic!("expected a frame, got {other:?}"),
    }
}
