//! Feeds end to end: a plain socket.io-client (`feeds.mjs`) speaks the subscribe exchange
//! against the test board: snapshots, changes as each subscriber's view, refusals, limits.

#[tokio::test]
async fn feeds_from_a_plain_socket_io_client() {
    let board = eventwire_tests::board::start_board().await;
    eventwire_tests::run_node("feeds.mjs", &board.url).await;
    // Everything the clients held was released when they disconnected.
    let tasks = board.feeds.feed(eventwire_tests::board::Board::tasks());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while tasks.subscriptions() + tasks.pending() > 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "subscriptions left after disconnect: {}",
            tasks.subscriptions()
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn the_generated_client_keeps_live_collections() {
    let board = eventwire_tests::board::start_board().await;
    eventwire_tests::run_node("feeds_client.mjs", &board.url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshots_and_changes_do_not_race() {
    let board = eventwire_tests::board::start_board_with(|server| server.rate_limit(None)).await;
    eventwire_tests::run_node("feeds_race.mjs", &board.url).await;
}
