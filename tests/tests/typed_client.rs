//! End-to-end: the generated typed client (`typed_client.mjs`) against a test server.

#[tokio::test]
async fn typed_client_from_node() {
    let server = eventwire_tests::start().await;
    eventwire_tests::run_node("typed_client.mjs", &server.url).await;
}
