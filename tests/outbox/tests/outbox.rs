//! Publish after commit, on real SQLite and PostgreSQL: a rollback publishes nothing, a
//! commit publishes each message once and in order, a process killed between commit and
//! publish still gets its message published by the next relay, and `EmitterSink` puts a
//! relayed message on the wire with its id.

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use eventwire::outbox::{
    EmitterSink, Message, MessageId, NewMessage, PublishError, Relay, Sink, postgres, sqlite,
};
use eventwire::{Contract, Cx, Emitter, Server, payload};
use eventwire_outbox_tests::postgres::TestDatabase;
use eventwire_tests::raw::{Next, RawSocket};
use tokio::io::{AsyncBufReadExt, BufReader};

/// A sink that keeps what it got.
#[derive(Clone, Default)]
struct Collect(Arc<Mutex<Vec<Message>>>);

impl Collect {
    fn ids(&self) -> Vec<MessageId> {
        self.0.lock().unwrap().iter().map(|m| m.id).collect()
    }
    fn events(&self) -> Vec<String> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .map(|m| m.event.clone())
            .collect()
    }
}

impl Sink for Collect {
    async fn publish(&self, message: &Message) -> Result<(), PublishError> {
        self.0.lock().unwrap().push(message.clone());
        Ok(())
    }
}

fn temp_db(label: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!(
        "eventwire-outbox-{label}-{}-{:?}.db",
        std::process::id(),
        std::time::SystemTime::now()
    ));
    let _ = std::fs::remove_file(&path);
    path
}

fn sqlite_app(path: &std::path::Path) -> rusqlite::Connection {
    let db = rusqlite::Connection::open(path).expect("open");
    db.execute_batch("CREATE TABLE IF NOT EXISTS notes (text TEXT NOT NULL)")
        .expect("the app's table");
    sqlite::create_table(&db).expect("the outbox");
    db
}

fn note(event: &str) -> NewMessage {
    NewMessage::new("notes", event, Some(serde_json::json!({ "event": event })))
}

#[tokio::test]
async fn sqlite_publishes_only_committed_messages_once_in_order() {
    let path = temp_db("commit");
    let mut db = sqlite_app(&path);

    let tx = db.transaction().unwrap();
    tx.execute("INSERT INTO notes VALUES ('undone')", [])
        .unwrap();
    sqlite::record(&tx, &note("rolledBack")).unwrap();
    tx.rollback().unwrap();

    let tx = db.transaction().unwrap();
    tx.execute("INSERT INTO notes VALUES ('kept')", []).unwrap();
    let first = sqlite::record(&tx, &note("first")).unwrap();
    let second = sqlite::record(&tx, &note("second")).unwrap();
    tx.commit().unwrap();

    let sink = Collect::default();
    let relay = Relay::new(sqlite::SqliteOutbox::open(&path).unwrap(), sink.clone()).batch_size(1);
    assert_eq!(relay.drain().await.unwrap(), 2);
    assert_eq!(sink.events(), ["first", "second"]);
    assert_eq!(sink.ids(), [first, second]);
    assert!(first < second);
    // Once: a second drain finds nothing, and the outbox is empty.
    assert_eq!(relay.drain().await.unwrap(), 0);
    assert_eq!(sqlite::pending_count(&db).unwrap(), 0);
    // Ids are not reused after the delete.
    let tx = db.transaction().unwrap();
    let third = sqlite::record(&tx, &note("third")).unwrap();
    tx.commit().unwrap();
    assert!(third > second);
    let _ = std::fs::remove_file(&path);
}

#[tokio::test]
async fn sqlite_publishes_what_a_killed_process_committed() {
    let path = temp_db("crash");
    let db = sqlite_app(&path);
    let id = commit_then_die("sqlite", path.to_str().unwrap()).await;
    // The child's change and its message both committed; nothing was published.
    let notes: i64 = db
        .query_row("SELECT count(*) FROM notes", [], |r| r.get(0))
        .unwrap();
    assert_eq!(notes, 1);
    assert_eq!(sqlite::pending_count(&db).unwrap(), 1);

    let sink = Collect::default();
    let relay = Relay::new(sqlite::SqliteOutbox::open(&path).unwrap(), sink.clone());
    assert_eq!(relay.drain().await.unwrap(), 1);
    assert_eq!(sink.ids(), [id]);
    assert_eq!(sink.events(), ["committed"]);
    let _ = std::fs::remove_file(&path);
}

#[tokio::test]
async fn postgres_publishes_only_committed_messages_once_in_order() {
    let Some(database) = TestDatabase::create("outbox_commit").await else {
        return;
    };
    let mut app = database.client().await;
    app.batch_execute("CREATE TABLE notes (text TEXT NOT NULL)")
        .await
        .unwrap();
    postgres::create_table(&app).await.unwrap();

    let tx = app.transaction().await.unwrap();
    tx.execute("INSERT INTO notes VALUES ('undone')", &[])
        .await
        .unwrap();
    postgres::record(&tx, &note("rolledBack")).await.unwrap();
    tx.rollback().await.unwrap();

    let tx = app.transaction().await.unwrap();
    tx.execute("INSERT INTO notes VALUES ('kept')", &[])
        .await
        .unwrap();
    let first = postgres::record(&tx, &note("first")).await.unwrap();
    let second = postgres::record(&tx, &note("second")).await.unwrap();
    // Not committed yet: a relay sees nothing.
    let sink = Collect::default();
    let relay = Relay::new(
        postgres::PgOutbox::new(database.client().await)
            .await
            .unwrap(),
        sink.clone(),
    );
    assert_eq!(relay.drain().await.unwrap(), 0);
    tx.commit().await.unwrap();

    assert_eq!(relay.drain().await.unwrap(), 2);
    assert_eq!(sink.events(), ["first", "second"]);
    assert_eq!(sink.ids(), [first, second]);
    assert_eq!(relay.drain().await.unwrap(), 0);
    let left: i64 = app
        .query_one("SELECT count(*) FROM eventwire_outbox", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(left, 0);
}

#[tokio::test]
async fn postgres_publishes_what_a_killed_process_committed() {
    let Some(database) = TestDatabase::create("outbox_crash").await else {
        return;
    };
    let app = database.client().await;
    app.batch_execute("CREATE TABLE notes (text TEXT NOT NULL)")
        .await
        .unwrap();
    let id = commit_then_die("postgres", &database.config()).await;
    let notes: i64 = app
        .query_one("SELECT count(*) FROM notes", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(notes, 1);

    let sink = Collect::default();
    let relay = Relay::new(
        postgres::PgOutbox::new(database.client().await)
            .await
            .unwrap(),
        sink.clone(),
    );
    assert_eq!(relay.drain().await.unwrap(), 1);
    assert_eq!(sink.ids(), [id]);
}

/// Runs the `outbox_crash` binary until it has committed, then kills it (before it
/// publishes); returns the id it committed.
async fn commit_then_die(kind: &str, target: &str) -> MessageId {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_outbox_crash"))
        .args([kind, target])
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn outbox_crash");
    let stdout = child.stdout.take().expect("piped");
    let line = tokio::time::timeout(Duration::from_secs(20), async {
        BufReader::new(stdout).lines().next_line().await
    })
    .await
    .expect("the child commits in time")
    .expect("read the child's output")
    .expect("the child says it committed");
    child.kill().await.expect("kill the child");
    let id = line
        .strip_prefix("committed ")
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("unexpected output: {line}"));
    MessageId(id)
}

/// What a relayed message becomes on the wire.
#[payload]
struct Posted {
    text: String,
}

/// A room to join.
#[payload]
struct RoomRef {
    room: String,
}

#[derive(Contract)]
#[contract(namespace = "/outbox")]
enum Board {
    #[client(ack = bool)]
    Join(RoomRef),
    #[server]
    Posted(Posted),
    #[server(ack = bool)]
    Asked(Posted),
}

struct BoardApp;

impl BoardHandlers for BoardApp {
    async fn join(&self, cx: &Cx<Board>, req: RoomRef) -> bool {
        cx.join(&req.room);
        true
    }
}

#[tokio::test]
async fn emitter_sink_emits_relayed_events_with_their_id() {
    let (layer, io) = Server::new().contract::<Board>(BoardApp).build().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(
        async move { axum::serve(listener, axum::Router::<()>::new().layer(layer)).await },
    );

    let mut client = RawSocket::connect(&url, "/outbox").await;
    client.send(r#"42/outbox,0["join",{"room":"r1"}]"#).await;
    assert_eq!(
        client.next().await,
        Next::Text(r#"43/outbox,0[{"ok":true,"data":true}]"#.into())
    );

    let path = temp_db("sink");
    let mut db = sqlite_app(&path);
    let tx = db.transaction().unwrap();
    let elsewhere = Board::posted(Posted {
        text: "elsewhere".into(),
    });
    sqlite::record(&tx, &NewMessage::to_room("r2", elsewhere).unwrap()).unwrap();
    let hello = Board::posted(Posted {
        text: "hello".into(),
    });
    let id = sqlite::record(&tx, &NewMessage::to_room("r1", hello).unwrap()).unwrap();
    // Not one of the contract's server events without ack: rejected, not sent.
    sqlite::record(&tx, &NewMessage::new("Board", "asked", None)).unwrap();
    sqlite::record(&tx, &NewMessage::new("Other", "posted", None)).unwrap();
    tx.commit().unwrap();

    let sink = EmitterSink::new(Emitter::<Board>::new(&io).unwrap());
    let relay = Relay::new(sqlite::SqliteOutbox::open(&path).unwrap(), sink);
    assert_eq!(relay.drain().await.unwrap(), 2);
    assert_eq!(
        client.next().await,
        Next::Text(format!(r#"42/outbox,["posted",{{"text":"hello"}},{id}]"#))
    );
    assert_eq!(client.next().await, Next::Silence);
    assert_eq!(sqlite::pending_count(&db).unwrap(), 0);
    let _ = std::fs::remove_file(&path);
}
