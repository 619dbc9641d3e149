//! Feeds cannot grow the server without bound: a subscriber that does not read is ended
//! with `overflow` (live, and while its snapshot loads), and subscribing, unsubscribing and
//! disconnecting over and over leaves nothing behind.

use eventwire_tests::board::{
    Board, BoardServer, Status, Task, frame_arguments, raw_member, start_board_with,
};
use eventwire_tests::raw::RawSocket;
use serde_json::Value;

/// Reads until the `eventwire:end` frame; returns it and how many changes came first.
async fn until_end(socket: &mut RawSocket) -> (Value, usize) {
    let mut changes = 0;
    loop {
        let args = frame_arguments(socket).await;
        match args[0].as_str() {
            Some("eventwire:end") => return (args[1].clone(), changes),
            Some("eventwire:change") => changes += 1,
            _ => panic!("unexpected frame {args}"),
        }
    }
}

fn task(id: u32, workspace: u32) -> Task {
    Task {
        id,
        workspace,
        status: Status::Todo,
        assignee: "a".into(),
        priority: 3,
        title: "t".into(),
    }
}

async fn subscribe(socket: &mut RawSocket, ack: u32) -> Value {
    socket
        .send(&format!(
            r#"42/board,{ack}["eventwire:subscribe",{{"feed":"tasks"}}]"#
        ))
        .await;
    frame_arguments(socket).await[0].clone()
}

// One thread: the sockets' writers cannot drain while the test publishes, as with a
// client that reads slower than changes come.
#[tokio::test(flavor = "current_thread")]
async fn a_subscriber_that_does_not_keep_up_is_ended_with_overflow() {
    let BoardServer { url, feeds, .. } = start_board_with(|server| server.max_buffer_size(8)).await;
    let tasks = feeds.feed(Board::tasks());
    let mut slow = raw_member(&url, 1, "m").await;
    let snapshot = subscribe(&mut slow, 1).await;
    assert_eq!(snapshot["ok"], true, "{snapshot}");
    assert_eq!(tasks.subscriptions(), 1);
    for id in 0..200 {
        tasks.created(task(id, 1));
    }
    // Ended at once, not after the client caught up.
    assert_eq!(tasks.subscriptions(), 0);
    let (end, changes) = until_end(&mut slow).await;
    assert_eq!(end["id"], snapshot["data"]["id"]);
    assert_eq!(end["reason"], "overflow");
    assert!(changes < 200, "{changes} changes arrived before the end");
    // It may subscribe again, for a fresh snapshot.
    let again = subscribe(&mut slow, 2).await;
    assert_eq!(again["ok"], true, "{again}");
}

#[tokio::test(flavor = "current_thread")]
async fn a_subscription_whose_buffer_fills_while_its_snapshot_loads_ends_with_overflow() {
    let BoardServer { url, feeds, .. } =
        start_board_with(|server| server.subscription_buffer(3)).await;
    let tasks = feeds.feed(Board::tasks());
    let mut socket = raw_member(&url, 1, "m").await;
    socket
        .send(r#"42/board,1["eventwire:subscribe",{"feed":"tasks"}]"#)
        .await;
    // The snapshot is loading (the board's takes 30 ms).
    while tasks.pending() == 0 {
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    }
    for id in 0..10 {
        tasks.created(task(id, 1));
    }
    let snapshot = frame_arguments(&mut socket).await[0].clone();
    assert_eq!(snapshot["ok"], true, "{snapshot}");
    let (end, changes) = until_end(&mut socket).await;
    assert_eq!((end["reason"].as_str(), changes), (Some("overflow"), 0));
    assert_eq!(tasks.subscriptions() + tasks.pending(), 0);
}

/// The smoke version of the soak in `bench` (`feed_soak`): subscriptions come and go, and
/// nothing stays registered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscribing_unsubscribing_and_disconnecting_leaves_nothing_behind() {
    let BoardServer { url, feeds, .. } = start_board_with(|server| server.rate_limit(None)).await;
    let tasks = feeds.feed(Board::tasks());
    let activity = feeds.feed(Board::activity());
    // The activity feed's snapshot is immediate; the tasks feed's takes 30 ms, so it is
    // the one left loading when the socket goes.
    for cycle in 0..200u32 {
        let mut socket = raw_member(&url, cycle % 3, "m").await;
        socket
            .send(r#"42/board,1["eventwire:subscribe",{"feed":"activity"}]"#)
            .await;
        let first = frame_arguments(&mut socket).await[0].clone();
        let id = first["data"]["id"].as_str().expect("an id").to_owned();
        socket
            .send(&format!(
                r#"42/board,2["eventwire:unsubscribe",{{"id":"{id}"}}]"#
            ))
            .await;
        assert_eq!(frame_arguments(&mut socket).await[0]["ok"], true);
        // Left subscribed: the disconnect releases it.
        socket
            .send(r#"42/board,3["eventwire:subscribe",{"feed":"activity"}]"#)
            .await;
        assert_eq!(frame_arguments(&mut socket).await[0]["ok"], true);
        if cycle % 2 == 0 {
            // A subscribe whose snapshot is still loading when the socket goes.
            socket
                .send(r#"42/board,4["eventwire:subscribe",{"feed":"tasks"}]"#)
                .await;
        }
        if cycle % 20 == 0 {
            activity.created(eventwire_tests::board::Activity {
                task: cycle,
                workspace: 0,
            });
        }
        drop(socket);
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let left = tasks.subscriptions() + tasks.pending() + activity.subscriptions();
        if left == 0 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{left} subscriptions left"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}
