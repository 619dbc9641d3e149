//! End-to-end: eventwire inside an axum app, as the docs show it (`Server::layer`, routes
//! next to socket.io, connect-info, graceful shutdown), and emitting to a whole namespace
//! from a handler and from outside (`Cx::everyone`, `Server::emitter`).

use std::net::SocketAddr;
use std::path::Path;

use axum::routing::get;
use eventwire::{Contract, Cx, Server, payload};
use eventwire_tests::raw::{Next, RawSocket, http};
use eventwire_tests::{Lab, LabApp};

/// Serves `app` the documented way and returns its URL and the shutdown trigger.
async fn serve_axum(
    app: axum::Router,
    connect_info: bool,
) -> (String, tokio::sync::oneshot::Sender<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind an ephemeral port");
    let url = format!("http://{}", listener.local_addr().expect("bound"));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let shutdown = async move {
        let _ = stopped.await;
    };
    tokio::spawn(async move {
        if connect_info {
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .with_graceful_shutdown(shutdown)
            .await
        } else {
            axum::serve(listener, app)
                .with_graceful_shutdown(shutdown)
                .await
        }
        .expect("serve")
    });
    (url, stop)
}

#[tokio::test]
async fn the_per_ip_cap_holds_inside_axum() {
    let (layer, _io) = Server::new()
        .contract::<Lab>(LabApp::default())
        .max_connections(Some(2))
        .max_connections_per_ip(Some(1))
        .layer()
        .expect("builds");
    let app = axum::Router::new()
        .route("/health", get(|| async { "ok" }))
        .layer(layer);
    let (url, _stop) = serve_axum(app, true).await;
    // The app's own route still answers next to socket.io.
    let health = http(
        &url,
        b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(
        health.starts_with("HTTP/1.1 200") && health.ends_with("ok"),
        "{health}"
    );
    eventwire_tests::run_node_with(Path::new("access.mjs"), &[&url, "caps"]).await;
}

#[tokio::test]
async fn without_connect_info_the_per_ip_cap_refuses_rather_than_lifts() {
    let (layer, _io) = Server::new()
        .contract::<Lab>(LabApp::default())
        .max_connections_per_ip(Some(1))
        .layer()
        .expect("builds");
    let (url, _stop) = serve_axum(axum::Router::new().layer(layer), false).await;
    let mut socket = RawSocket::open(&url).await;
    socket.send("40/lab,").await;
    assert_eq!(
        socket.next().await,
        Next::Text(r#"44/lab,{"message":"the server cannot see the client's address"}"#.into())
    );
}

#[tokio::test]
async fn the_layer_carries_the_cors_headers_of_allowed_origins() {
    let (layer, _io) = Server::new()
        .contract::<Lab>(LabApp::default())
        .allowed_origins(eventwire::Origins::list(["https://app.example"]))
        .layer()
        .expect("builds");
    let (url, _stop) = serve_axum(axum::Router::new().layer(layer), true).await;
    let response = http(
        &url,
        b"GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\nOrigin: https://app.example\r\nConnection: close\r\n\r\n",
    )
    .await
    .to_ascii_lowercase();
    assert!(
        response.contains("access-control-allow-origin: https://app.example"),
        "{response}"
    );
}

/// Something said to the whole town.
#[payload]
pub struct Words {
    text: String,
}

/// A namespace where every shout reaches everyone.
#[derive(Contract)]
#[contract(namespace = "/town")]
pub enum Town {
    /// Tells every socket of the namespace, the caller included.
    #[client(ack = ())]
    Shout(Words),
    /// What everyone hears.
    #[server]
    Heard(Words),
}

struct Crier;

impl TownHandlers for Crier {
    async fn shout(&self, cx: &Cx<Town>, words: Words) {
        cx.everyone()
            .emit(Town::heard(words))
            .await
            .expect("the broadcast goes out");
    }
}

/// The next event packet, skipping acks.
async fn next_event(socket: &mut RawSocket) -> String {
    loop {
        match socket.next().await {
            Next::Text(text) if text.starts_with("42") => return text,
            // The shout's own acknowledgement.
            Next::Text(_) => {}
            other => panic!("expected an event, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn everyone_includes_the_caller_and_an_emitter_works_for_serve() {
    let server = Server::new().contract::<Town>(Crier);
    let town = server.emitter::<Town>();
    // Before the server is built, an emit says why it cannot go out.
    let early = town
        .emit(Town::heard(Words {
            text: "too early".into(),
        }))
        .await
        .expect_err("not serving yet");
    assert!(early.to_string().contains("not built yet"), "{early}");

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("bound"));
    tokio::spawn(async move { server.serve_on(listener).await.expect("serve") });

    let mut caller = RawSocket::connect(&url, "/town").await;
    let mut other = RawSocket::connect(&url, "/town").await;
    caller
        .send(r#"42/town,1["shout",{"text":"hear ye"}]"#)
        .await;
    let heard = r#"42/town,["heard",{"text":"hear ye"}]"#;
    assert_eq!(next_event(&mut caller).await, heard);
    assert_eq!(next_event(&mut other).await, heard);

    town.emit(Town::heard(Words {
        text: "from outside".into(),
    }))
    .await
    .expect("the emitter reaches the namespace once serving");
    let outside = r#"42/town,["heard",{"text":"from outside"}]"#;
    assert_eq!(next_event(&mut caller).await, outside);
    assert_eq!(next_event(&mut other).await, outside);
}
