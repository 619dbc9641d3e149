//! End-to-end: connection state recovery with the real socket.io-client (`recovery.mjs`):
//! a short drop gets its rooms and the missed plain events back in order; acked and
//! volatile events, drops longer than the window, and forged or stale claims do not.

use std::time::Duration;

use eventwire::{Contract, Cx, Emitter, Recovery, Server, payload};

/// What the subscriber receives.
#[payload]
struct Item {
    text: String,
}

/// How the server sends a published item.
#[payload]
#[serde(rename_all = "camelCase")]
enum Kind {
    /// To the room, recorded.
    Plain,
    /// To the room, volatile: not recorded.
    Volatile,
    /// To the room with an ack: not recorded.
    Acked,
    /// To the whole namespace through an `Emitter` taken from the socket.io handle.
    Everyone,
    /// To the whole namespace through the `Emitter` that `Server::emitter` gave before the
    /// server was built.
    Announce,
    /// Back to the publishing socket alone.
    ToSelf,
}

/// A request to publish an item.
#[payload]
struct Post {
    room: String,
    text: String,
    kind: Kind,
}

/// A room to join.
#[payload]
struct RoomRef {
    room: String,
}

#[derive(Contract)]
#[contract(namespace = "/news")]
enum News {
    #[client(ack = bool)]
    Join(RoomRef),
    #[client(ack = bool)]
    Publish(Post),
    /// Whether this connection recovered, as the server sees it.
    #[client(ack = bool)]
    Recovered,
    #[server]
    Item(Item),
    #[server(ack = bool)]
    Ask(Item),
}

#[derive(Clone)]
struct App {
    /// Built at start-up, before any client connects.
    emitter: std::sync::Arc<std::sync::OnceLock<Emitter<News>>>,
    /// Taken from the server before it was built.
    announcer: std::sync::Arc<std::sync::OnceLock<Emitter<News>>>,
}

impl NewsHandlers for App {
    async fn join(&self, cx: &Cx<News>, req: RoomRef) -> bool {
        cx.join(&req.room);
        true
    }

    async fn publish(&self, cx: &Cx<News>, post: Post) -> bool {
        let item = Item { text: post.text };
        match post.kind {
            Kind::Plain => cx.to(&post.room).emit(News::item(item)).await.is_ok(),
            Kind::Volatile => cx
                .to(&post.room)
                .volatile()
                .emit(News::item(item))
                .await
                .is_ok(),
            Kind::Acked => cx
                .to(&post.room)
                .emit_with_ack(News::ask(item).timeout(Duration::from_millis(200)))
                .await
                .is_ok(),
            Kind::Everyone => {
                let emitter = self.emitter.get().expect("set after build");
                emitter.emit(News::item(item)).await.is_ok()
            }
            Kind::Announce => {
                let announcer = self.announcer.get().expect("set before build");
                announcer.emit(News::item(item)).await.is_ok()
            }
            Kind::ToSelf => cx.emit(News::item(item)).is_ok(),
        }
    }

    async fn recovered(&self, cx: &Cx<News>) -> bool {
        cx.recovered()
    }
}

#[tokio::test]
async fn recovery_from_a_real_socket_io_client() {
    let app = App {
        emitter: Default::default(),
        announcer: Default::default(),
    };
    let server = Server::new()
        .connection_state_recovery(Recovery::new().max_disconnection(Duration::from_secs(2)));
    assert!(app.announcer.set(server.emitter::<News>()).is_ok());
    let (layer, io) = server
        .contract::<News>(app.clone())
        .build()
        .expect("builds");
    let emitter = Emitter::<News>::new(&io).expect("mounted");
    assert!(app.emitter.set(emitter).is_ok());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind an ephemeral port");
    let url = format!("http://{}", listener.local_addr().expect("bound"));
    let router = axum::Router::<()>::new().layer(layer);
    tokio::spawn(async move { axum::serve(listener, router).await.expect("serve") });
    eventwire_tests::run_node("recovery.mjs", &url).await;
}

#[tokio::test]
async fn recovery_with_the_generated_client() {
    let server = Server::new().connection_state_recovery(Recovery::new());
    let url = eventwire_tests::start_lab_on(server).await;
    eventwire_tests::run_node("recovery_generated.mjs", &url).await;
}
