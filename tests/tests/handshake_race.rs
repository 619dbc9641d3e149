//! End-to-end: a packet sent before the namespace handshake completes (before the server's
//! CONNECT reply). socketioxide has no socket for it yet, so it never reaches eventwire:
//! docs/protocol.md ("Connecting") tells clients to wait for the CONNECT reply.

use std::time::Duration;

use eventwire::{Contract, Cx, Refusal, Server, payload};
use eventwire_tests::raw::{Next, RawSocket};

/// Who connects.
#[payload]
#[derive(Clone)]
pub struct Login {
    user: String,
}

/// A namespace whose authentication takes a while.
#[derive(Contract)]
#[contract(namespace = "/slow", auth = Login)]
pub enum Slow {
    /// Answers `pong`.
    #[client(ack = String)]
    Ping,
}

struct App;

impl SlowHandlers for App {
    async fn authenticate(&self, login: Login) -> Result<Login, Refusal> {
        // A database lookup, say: the window in which an early packet arrives.
        tokio::time::sleep(Duration::from_millis(200)).await;
        Ok(login)
    }

    async fn ping(&self, _: &Cx<Slow>) -> String {
        "pong".into()
    }
}

async fn serve() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("bound"));
    let server = Server::new().contract::<Slow>(App);
    tokio::spawn(async move { server.serve_on(listener).await.expect("serve") });
    url
}

#[tokio::test]
async fn an_event_sent_before_the_connect_reply_closes_the_connection() {
    let url = serve().await;
    let mut socket = RawSocket::open(&url).await;
    socket.send(r#"40/slow,{"user":"ada"}"#).await;
    // Too early: authentication is still running.
    socket.send(r#"42/slow,1["ping"]"#).await;
    // socketioxide finds no socket for the event, and closes the whole connection
    // (`Error::SocketGone` maps to a transport close); the event is never answered.
    loop {
        match socket.next().await {
            Next::Closed => break,
            Next::Text(text) if text.starts_with("40/slow,") => {}
            other => panic!("expected the connection to close, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn an_event_sent_after_the_connect_reply_is_answered() {
    let url = serve().await;
    let mut socket = RawSocket::open(&url).await;
    socket.send(r#"40/slow,{"user":"ada"}"#).await;
    match socket.next().await {
        Next::Text(text) if text.starts_with(r#"40/slow,{"sid""#) => {}
        other => panic!("expected the connect reply, got {other:?}"),
    }
    socket.send(r#"42/slow,1["ping"]"#).await;
    assert_eq!(
        socket.next().await,
        Next::Text(r#"43/slow,1[{"ok":true,"data":"pong"}]"#.into())
    );
}
