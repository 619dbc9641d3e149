//! Sharing files in the chat through the generated client in Node (`tests/files.mjs`), over
//! WebSocket and long-polling.

use chat::ChatApp;
use chat::store::Store;

#[tokio::test]
async fn files_are_shared_byte_exact_and_oversize_ones_refused() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind an ephemeral port");
    let url = format!("http://{}", listener.local_addr().expect("bound"));
    let app = chat::router(ChatApp::new(
        10,
        Store::in_memory().expect("an in-memory store"),
    ))
    .expect("builds");
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    eventwire_tests::run_node(
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/files.mjs"),
        &url,
    )
    .await;
}
