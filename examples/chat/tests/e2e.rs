//! Every chat event and error, through the generated client in Node (`tests/chat.mjs`).

use chat::ChatApp;
use chat::store::Store;

#[tokio::test]
async fn every_chat_event_through_the_generated_client() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind an ephemeral port");
    let url = format!("http://{}", listener.local_addr().expect("bound"));
    // Capacity 2, so the tests can fill a room.
    let app = chat::router(ChatApp::new(
        2,
        Store::in_memory().expect("an in-memory store"),
    ))
    .expect("builds");
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    eventwire_tests::run_node(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/chat.mjs"), &url).await;
}
