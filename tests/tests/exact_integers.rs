//! End-to-end: the Node client `exact_integers.mjs` (real socket.io-client) against a test
//! server: integers JavaScript would round are refused on the way out.

#[tokio::test]
async fn integers_javascript_would_round_are_never_sent() {
    let server = eventwire_tests::start().await;
    eventwire_tests::run_node("exact_integers.mjs", &server.url).await;
}
