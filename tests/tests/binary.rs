//! End-to-end: binary payloads both ways, over WebSocket and long-polling (`binary.mjs`).

#[tokio::test]
async fn binary_payloads_from_node() {
    let url = eventwire_tests::binary::start().await;
    eventwire_tests::run_node("binary.mjs", &url).await;
}
