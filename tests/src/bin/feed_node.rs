//! One node of the test board for the fault tests of feeds across nodes: the board's
//! contract served on a Redis-backed server, its tasks in a SQLite database that every node
//! shares (as nodes share a database), changes published after commit through the outbox.
//!
//! `feed_node <redis url> <database path>` drains the outbox (what a crashed publisher
//! committed), then serves on an ephemeral port and prints `listening <url>`. It then takes
//! commands on stdin:
//! - `publish <from> <to> <pause ms>`: creates tasks `from..=to` (workspace 10, statuses in
//!   turn), each committed with its outbox message and relayed at once (retrying while
//!   Redis is away); prints `published <to>`.
//! - `crash <from> <count>`: commits `count` tasks with their messages, publishes the first
//!   one's message without deleting it (the relay's crash window), prints `crashing` and
//!   aborts: the process dies between commit and publish.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use eventwire::feed::{FeedChange, NoError, Refused};
use eventwire::outbox::{FeedSink, NewMessage, Relay, Sink, sqlite};
use eventwire::prop::{Scope, Shared, Write, WriteError};
use eventwire::{Cx, Filter, Forbidden, Refusal, Server};
use eventwire_tests::board::{
    self, Activity, ActivityFilter, Board, BoardError, BoardHandlers, Member, Motto, Move, Name,
    NewTask, Status, Task, TaskFilter, TaskId,
};
use rusqlite::Connection;
use tokio::io::{AsyncBufReadExt, BufReader};

/// The board on a shared SQLite database: reads for snapshots and lists; writes only
/// through the publisher's commands (a client's create, move and delete are refused).
#[derive(Clone)]
struct SharedBoard {
    db: Arc<Mutex<Connection>>,
}

impl SharedBoard {
    fn tasks(&self, filter: &TaskFilter) -> Vec<Task> {
        let db = self.db.lock().unwrap();
        let mut statement = db
            .prepare_cached("SELECT task FROM tasks ORDER BY id")
            .expect("the tasks table");
        statement
            .query_map([], |row| row.get::<_, String>(0))
            .expect("read the tasks")
            .map(|json| serde_json::from_str::<Task>(&json.expect("a row")).expect("a task"))
            .filter(|task| filter.matches(task))
            .collect()
    }
}

fn read_only() -> BoardError {
    BoardError::NotFound
}

impl BoardHandlers for SharedBoard {
    async fn create(&self, _: &Cx<Board>, _: NewTask) -> Result<Task, BoardError> {
        Err(read_only())
    }

    async fn r#move(&self, _: &Cx<Board>, _: Move) -> Result<Task, BoardError> {
        Err(read_only())
    }

    async fn delete(&self, _: &Cx<Board>, _: TaskId) -> Result<Task, BoardError> {
        Err(read_only())
    }

    async fn restrict(&self, _: &Cx<Board>, _: Name) -> bool {
        false
    }

    async fn revoke(&self, _: &Cx<Board>) -> u32 {
        0
    }

    async fn list(&self, cx: &Cx<Board>, mut filter: TaskFilter) -> Vec<Task> {
        filter.workspace = Some(cx.identity().workspace);
        self.tasks(&filter)
    }

    async fn subscribe_tasks(
        &self,
        cx: &Cx<Board>,
        filter: &mut TaskFilter,
    ) -> Result<Vec<Task>, Refused<BoardError>> {
        let workspace = cx.identity().workspace;
        if filter.workspace.is_some_and(|w| w != workspace) {
            return Err(Forbidden::new("you may only watch your own workspace").into());
        }
        filter.workspace = Some(workspace);
        Ok(self.tasks(filter))
    }

    fn check_tasks(&self, _: &Cx<Board>, _: &Task) -> bool {
        true
    }

    async fn subscribe_activity(
        &self,
        cx: &Cx<Board>,
        filter: &mut ActivityFilter,
    ) -> Result<Vec<Activity>, Refused> {
        filter.workspace = Some(cx.identity().workspace);
        Ok(Vec::new())
    }

    async fn subscribe_motto(
        &self,
        cx: &Cx<Board>,
        filter: &mut Scope<Motto>,
    ) -> Result<Vec<Shared<Motto>>, Refused> {
        Ok(board::read_motto(cx, filter))
    }

    async fn write_motto(
        &self,
        cx: &Cx<Board>,
        write: Write<Motto>,
    ) -> Result<Shared<Motto>, WriteError<Motto, NoError>> {
        board::write_motto(cx, write)
    }

    async fn authenticate(&self, member: Member) -> Result<Member, Refusal> {
        Ok(member)
    }
}

fn open(path: &PathBuf) -> Connection {
    let db = Connection::open(path).expect("open the database");
    db.pragma_update(None, "journal_mode", "wal").expect("wal");
    db.busy_timeout(Duration::from_secs(5))
        .expect("busy timeout");
    db.execute_batch(
        "CREATE TABLE IF NOT EXISTS tasks (id INTEGER PRIMARY KEY, task TEXT NOT NULL)",
    )
    .expect("the tasks table");
    sqlite::create_table(&db).expect("the outbox table");
    db
}

/// Task `id` of workspace 10; statuses go todo, doing, done in turn.
fn task(id: u32) -> Task {
    let status = [Status::Todo, Status::Doing, Status::Done][id as usize % 3];
    Task {
        id,
        workspace: 10,
        status,
        assignee: "ann".into(),
        priority: 3,
        title: format!("task {id}"),
    }
}

/// Inserts task `id` and its outbox message in one transaction.
fn commit(db: &Mutex<Connection>, id: u32) {
    let task = task(id);
    let message = NewMessage::feed(Board::tasks(), &FeedChange::Created(task.clone()))
        .expect("the change serializes");
    let mut db = db.lock().unwrap();
    let tx = db.transaction().expect("begin");
    tx.execute(
        "INSERT INTO tasks (id, task) VALUES (?1, ?2)",
        rusqlite::params![id, serde_json::to_string(&task).expect("a task serializes")],
    )
    .expect("insert the task");
    sqlite::record(&tx, &message).expect("record the message");
    tx.commit().expect("commit");
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(redis), Some(path)) = (args.next(), args.next()) else {
        eprintln!("usage: feed_node <redis url> <database path>");
        std::process::exit(2);
    };
    let path = PathBuf::from(path);
    let db = Arc::new(Mutex::new(open(&path)));
    let server = Server::redis(&redis).await.expect("reach Redis");
    let feeds = server.feeds::<Board>();
    let relay = Relay::new(
        sqlite::SqliteOutbox::open(&path).expect("the outbox"),
        FeedSink::new(feeds.clone()).feed(Board::tasks()),
    );
    // What a crashed publisher committed and never published goes out first.
    drain(&relay).await;
    let server = server.contract::<Board>(SharedBoard { db: db.clone() });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind an ephemeral port");
    println!("listening http://{}", listener.local_addr().expect("bound"));
    tokio::spawn(async move { server.serve_on(listener).await.expect("serve") });

    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["publish", from, to, pause] => {
                let (from, to, pause): (u32, u32, u64) = (
                    from.parse().unwrap(),
                    to.parse().unwrap(),
                    pause.parse().unwrap(),
                );
                for id in from..=to {
                    commit(&db, id);
                    drain(&relay).await;
                    tokio::time::sleep(Duration::from_millis(pause)).await;
                }
                println!("published {to}");
            }
            ["crash", from, count] => {
                let (from, count): (u32, u32) = (from.parse().unwrap(), count.parse().unwrap());
                for id in from..from + count {
                    commit(&db, id);
                }
                // The first is published and not yet deleted: the relay's own crash window.
                let store = sqlite::SqliteOutbox::open(&path).expect("the outbox");
                let first = eventwire::outbox::OutboxStore::pending(&store, 1)
                    .await
                    .expect("read the outbox");
                let sink = FeedSink::new(feeds.clone()).feed(Board::tasks());
                sink.publish(&first[0]).await.expect("published");
                println!("crashing");
                std::process::abort();
            }
            _ => eprintln!("unknown command: {line}"),
        }
    }
}

/// Relays everything committed, retrying while Redis is away.
async fn drain<S: eventwire::outbox::OutboxStore, K: Sink>(relay: &Relay<S, K>) {
    while let Err(error) = relay.drain().await {
        eprintln!("relay: {error}; retrying");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
