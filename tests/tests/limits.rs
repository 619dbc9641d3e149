//! End-to-end: guards and per-event rate limits (`limits.mjs`).

use std::sync::atomic::Ordering;

#[tokio::test]
async fn guards_and_rate_limits() {
    let server = eventwire_tests::start().await;
    eventwire_tests::run_node("limits.mjs", &server.url).await;
    // Denied and rate-limited events never reached the handler: 1, 2, 4 and 5 did.
    assert_eq!(server.lab.vip_calls.load(Ordering::SeqCst), 4);
}
