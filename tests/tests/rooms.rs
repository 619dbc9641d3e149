//! End-to-end: the Node client `rooms.mjs` (real socket.io-client) against a test server.

#[tokio::test]
async fn rooms_from_a_real_socket_io_client() {
    let server = eventwire_tests::start().await;
    eventwire_tests::run_node("rooms.mjs", &server.url).await;
}
