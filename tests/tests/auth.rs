//! End-to-end: handshake auth and the disconnect hook (`auth.mjs`).

use std::sync::atomic::Ordering;
use std::time::Duration;

#[tokio::test]
async fn handshake_auth_and_disconnect_hook() {
    let server = eventwire_tests::start().await;
    eventwire_tests::run_node("auth.mjs", &server.url).await;
    // Two sockets connected and closed; refused ones never connected.
    tokio::time::timeout(Duration::from_secs(5), async {
        while server.secure.disconnects.load(Ordering::SeqCst) < 2 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("both disconnect hooks ran");
    assert_eq!(server.secure.disconnects.load(Ordering::SeqCst), 2);
}
