//! An event's task is polled once where its packet arrives and spawned only if it waits:
//! a handler that answers without waiting is no tokio task of its own, and one that waits
//! is woken as before, although its first poll had no task to wake.

use std::sync::Arc;
use std::time::Duration;

use eventwire::{Contract, Cx, Server, payload};
use eventwire_tests::raw::{Next, RawSocket};
use tokio::sync::Notify;

/// Nothing to say.
#[payload]
struct Empty {}

/// Three ways for a handler to run.
#[derive(Contract)]
#[contract(namespace = "/eager")]
enum Eager {
    /// Answers with the id of the task it ran in, without waiting.
    #[client(ack = String)]
    Where(Empty),
    /// Yields once, then answers with the id of the task it ran in.
    #[client(ack = String)]
    Yielding(Empty),
    /// Waits until `release` is sent.
    #[client(ack = String)]
    Wait(Empty),
    /// Lets a waiting `wait` go on.
    #[client(ack = ())]
    Release(Empty),
}

struct App {
    released: Arc<Notify>,
}

fn task_id() -> String {
    tokio::task::try_id().map_or_else(|| "none".to_owned(), |id| id.to_string())
}

impl EagerHandlers for App {
    async fn r#where(&self, _: &Cx<Eager>, _: Empty) -> String {
        task_id()
    }

    async fn yielding(&self, _: &Cx<Eager>, _: Empty) -> String {
        tokio::task::yield_now().await;
        task_id()
    }

    async fn wait(&self, _: &Cx<Eager>, _: Empty) -> String {
        self.released.notified().await;
        "released".to_owned()
    }

    async fn release(&self, _: &Cx<Eager>, _: Empty) {
        self.released.notify_one();
    }
}

async fn connect() -> RawSocket {
    let server = Server::new().contract::<Eager>(App {
        released: Arc::default(),
    });
    let url = eventwire_tests::serve_ephemeral(server).await;
    RawSocket::connect(&url, "/eager").await
}

/// Sends event `name` with ack id `id`.
async fn send(socket: &mut RawSocket, name: &str, id: u32) {
    socket
        .send(&format!(r#"42/eager,{id}["{name}",{{}}]"#))
        .await;
}

/// The next answer's ack id and data.
async fn answer(socket: &mut RawSocket) -> (u32, String) {
    let next = tokio::time::timeout(Duration::from_secs(10), socket.next())
        .await
        .expect("an answer within 10 s");
    let Next::Text(text) = next else {
        panic!("expected an answer, got {next:?}")
    };
    let rest = text.strip_prefix("43/eager,").expect("an ack");
    let (id, body) = rest.split_once('[').expect("an ack id");
    let data = body
        .strip_prefix(r#"{"ok":true,"data":"#)
        .and_then(|data| data.strip_suffix("}]"))
        .unwrap_or_else(|| panic!("not an ok answer: {text}"));
    (
        id.parse().expect("a numeric ack id"),
        data.trim_matches('"').to_owned(),
    )
}

#[tokio::test]
async fn a_handler_that_does_not_wait_runs_where_its_packet_arrived() {
    let mut socket = connect().await;
    let mut tasks = Vec::new();
    for id in 1..=3 {
        send(&mut socket, "where", id).await;
        let (answered, task) = answer(&mut socket).await;
        assert_eq!(answered, id);
        tasks.push(task);
    }
    // All three ran on the connection's own task: none was spawned.
    assert_ne!(tasks[0], "none");
    assert!(
        tasks.iter().all(|task| *task == tasks[0]),
        "three events that do not wait ran in tasks {tasks:?}"
    );
    // After a wait, the rest of a handler runs in a task of its own.
    send(&mut socket, "yielding", 4).await;
    let (_, spawned) = answer(&mut socket).await;
    assert_ne!(
        spawned, tasks[0],
        "a handler that waited went on in its own task"
    );
}

#[tokio::test]
async fn a_handler_whose_first_poll_waited_is_woken_in_its_task() {
    let mut socket = connect().await;
    // `wait` registers with the `Notify` during its first poll, before it has a task.
    send(&mut socket, "wait", 1).await;
    send(&mut socket, "release", 2).await;
    let mut answers = vec![answer(&mut socket).await, answer(&mut socket).await];
    answers.sort();
    assert_eq!(
        answers,
        [(1, "released".to_owned()), (2, "null".to_owned())]
    );
}
