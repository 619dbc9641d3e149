//! End-to-end: the Node client `server_ack.mjs` (real socket.io-client) against a test server.

#[tokio::test]
async fn server_ack_from_a_real_socket_io_client() {
    let server = eventwire_tests::start().await;
    eventwire_tests::run_node("server_ack.mjs", &server.url).await;
}
