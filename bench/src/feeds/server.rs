//! The eventwire peer of W6 (`bench serve feeds`): one contract on `/` with a `tasks`
//! feed (`change` publishes a created task to it) and a plain room broadcast of the same
//! frames (`join`, `publish`), the ceiling the feed is measured against.

use std::sync::atomic::{AtomicU64, Ordering};

use eventwire::feed::Refused;
use eventwire::{Contract, Cx, Feed, Filter, RateLimit, Server, payload};
use tokio::net::TcpListener;

use crate::Result;

/// A task on a board.
#[payload]
#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    /// Its key; the load generator numbers its changes with it.
    pub id: u32,
    /// The project it belongs to.
    pub project: u32,
    /// Where it stands.
    pub status: Status,
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
    /// Waiting for a review.
    Review,
    /// Finished.
    Done,
}

impl Status {
    /// Every status, in order.
    pub const ALL: [Status; 4] = [Status::Todo, Status::Doing, Status::Review, Status::Done];

    /// Its name on the wire.
    pub fn name(self) -> &'static str {
        match self {
            Status::Todo => "todo",
            Status::Doing => "doing",
            Status::Review => "review",
            Status::Done => "done",
        }
    }
}

/// Which tasks a subscriber watches: a project's tasks in one status, at least this urgent.
#[payload]
#[derive(Debug, Clone, Default, Filter)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[filter(item = Task)]
pub struct TaskFilter {
    /// One project.
    #[filter(eq)]
    pub project: Option<u32>,
    /// One status.
    #[filter(eq)]
    pub status: Option<Status>,
    /// At least this priority.
    #[filter(gte, field = priority)]
    pub min_priority: Option<u8>,
}

/// A room.
#[payload]
pub struct Room {
    /// Its name.
    pub room: String,
}

/// A task to broadcast to a room.
#[payload]
pub struct Publish {
    /// The room.
    pub room: String,
    /// The task.
    pub task: Task,
}

/// What the room broadcast delivers: the fields of a feed's `eventwire:change` frame, so
/// that both deliver the same bytes.
#[payload]
pub struct Delivered {
    /// Stands for the subscription id.
    pub id: String,
    /// The broadcast's number, as text (like a feed offset).
    pub offset: String,
    /// Always `added`.
    pub action: String,
    /// The task's key.
    pub key: u32,
    /// The task.
    pub item: Task,
}

/// W6's contract.
#[derive(Contract)]
#[contract(namespace = "/")]
pub enum Live {
    /// The feed: subscribers get the created tasks their filter selects.
    #[feed(item = Task, key = id, filter = TaskFilter)]
    Tasks,
    /// Publishes a created task to the feed.
    #[client(ack = ())]
    Change(Task),
    /// Joins a room (the ceiling).
    #[client(ack = ())]
    Join(Room),
    /// Broadcasts a task to a room as `delivered` (the ceiling).
    #[client(ack = ())]
    Publish(Publish),
    /// A task broadcast to a room.
    #[server]
    Delivered(Delivered),
}

struct App {
    tasks: Feed<Task, TaskFilter>,
    broadcasts: AtomicU64,
}

impl LiveHandlers for App {
    async fn subscribe_tasks(
        &self,
        _: &Cx<Live>,
        _: &mut TaskFilter,
    ) -> Result<Vec<Task>, Refused> {
        // The benchmark measures the changes, not the snapshot: it starts empty.
        Ok(Vec::new())
    }

    async fn change(&self, _: &Cx<Live>, task: Task) {
        self.tasks.created(task);
    }

    async fn join(&self, cx: &Cx<Live>, room: Room) {
        cx.join(room.room);
    }

    async fn publish(&self, cx: &Cx<Live>, publish: Publish) {
        let offset = self.broadcasts.fetch_add(1, Ordering::Relaxed) + 1;
        let delivered = Delivered {
            id: "0".to_owned(),
            offset: offset.to_string(),
            action: "added".to_owned(),
            key: publish.task.id,
            item: publish.task,
        };
        // A full member queue drops that member's copy; the load generator counts it.
        let _ = cx.to(publish.room).emit(Live::delivered(delivered)).await;
    }
}

/// Serves [`Live`], with the rate limit raised far above the load as in the other peers.
pub async fn serve(listener: TcpListener) -> Result<()> {
    let server = Server::new()
        .rate_limit(RateLimit::per_second(10_000_000).ok())
        .max_subscriptions_per_socket(100);
    let tasks = server.feeds::<Live>().feed(Live::tasks());
    server
        .contract::<Live>(App {
            tasks,
            broadcasts: AtomicU64::new(0),
        })
        .serve_on(listener)
        .await?;
    Ok(())
}
