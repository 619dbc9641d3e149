//! Subscriptions of one feed with equal filters, on different connections, share one frame
//! per change (a room broadcast), and with it their id. A member that stops reading still
//! ends with `overflow` alone, and the others miss nothing; groups do not cross namespaces;
//! a recovered connection is not put back in its old groups' rooms.

use std::collections::BTreeSet;

use eventwire_tests::board::{
    Activity, Board, BoardApp, BoardServer, Motto, frame_arguments, raw_member, start_board,
    start_board_with,
};
use eventwire_tests::raw::RawSocket;
use serde_json::Value;

async fn subscribe(socket: &mut RawSocket, feed: &str, ack: u32) -> String {
    subscribe_on(socket, "/board", feed, ack).await
}

async fn subscribe_on(socket: &mut RawSocket, namespace: &str, feed: &str, ack: u32) -> String {
    socket
        .send(&format!(
            r#"42{namespace},{ack}["eventwire:subscribe",{{"feed":"{feed}"}}]"#
        ))
        .await;
    let answer = frame_arguments(socket).await[0].clone();
    assert_eq!(answer["ok"], true, "{answer}");
    answer["data"]["id"].as_str().expect("an id").to_owned()
}

/// The ids and task keys of the next `n` change frames.
async fn changes(socket: &mut RawSocket, n: usize) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for _ in 0..n {
        let args = frame_arguments(socket).await;
        assert_eq!(args[0], "eventwire:change", "{args}");
        out.push((
            args[1]["id"].as_str().unwrap().to_owned(),
            args[1]["key"].clone(),
        ));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[tokio::test]
async fn equal_filters_on_different_connections_share_an_id_and_each_change() {
    let BoardServer { url, feeds, .. } = start_board().await;
    let activity = feeds.feed(Board::activity());
    let mut ann = raw_member(&url, 1, "ann").await;
    let mut bob = raw_member(&url, 1, "bob").await;
    let mut eve = raw_member(&url, 2, "eve").await;
    // The server forces the workspace, so ann's and bob's filters are equal, eve's another.
    let shared = subscribe(&mut ann, "activity", 1).await;
    assert_eq!(subscribe(&mut bob, "activity", 1).await, shared);
    let eves = subscribe(&mut eve, "activity", 1).await;
    assert_ne!(eves, shared);
    // A connection's second subscription with the same filter has an id of its own.
    let anns_second = subscribe(&mut ann, "activity", 2).await;
    assert_ne!(anns_second, shared);
    assert_eq!(activity.subscriptions(), 4);

    activity.created(Activity {
        task: 7,
        workspace: 1,
    });
    let mut both = vec![(shared.clone(), 7.into()), (anns_second.clone(), 7.into())];
    both.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(changes(&mut ann, 2).await, both);
    assert_eq!(changes(&mut bob, 1).await, [(shared.clone(), 7.into())]);

    // Bob leaves the group; ann's subscriptions go on.
    bob.send(&format!(
        r#"42/board,2["eventwire:unsubscribe",{{"id":"{shared}"}}]"#
    ))
    .await;
    assert_eq!(frame_arguments(&mut bob).await[0]["ok"], true);
    activity.created(Activity {
        task: 8,
        workspace: 1,
    });
    activity.created(Activity {
        task: 9,
        workspace: 2,
    });
    let mut both = vec![(shared.clone(), 8.into()), (anns_second, 8.into())];
    both.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(changes(&mut ann, 2).await, both);
    // Eve's first change is her workspace's: none of workspace 1 reached her.
    assert_eq!(changes(&mut eve, 1).await, [(eves, 9.into())]);

    // Bob subscribes again: he joins the group ann still holds.
    assert_eq!(subscribe(&mut bob, "activity", 3).await, shared);
    drop(ann);
    while activity.subscriptions() != 2 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    activity.created(Activity {
        task: 10,
        workspace: 1,
    });
    assert_eq!(changes(&mut bob, 1).await, [(shared, 10.into())]);
}

/// Reads `socket`'s frames until its subscription ends; returns the end frame.
async fn until_end(socket: &mut RawSocket) -> Value {
    loop {
        let args = frame_arguments(socket).await;
        match args[0].as_str() {
            Some("eventwire:end") => return args[1].clone(),
            Some("eventwire:change") => {}
            _ => panic!("unexpected frame {args}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_that_stops_reading_ends_alone_and_the_others_miss_nothing() {
    let BoardServer { url, feeds, .. } =
        start_board_with(|server| server.max_buffer_size(16)).await;
    let motto = feeds.prop(Board::motto(), |_| Motto {
        text: "Ship it".to_owned(),
    });
    let readers = feeds.feed(Board::motto());
    let mut slow = raw_member(&url, 1, "slow").await;
    let mut fast = raw_member(&url, 1, "fast").await;
    let shared = subscribe(&mut slow, "motto", 1).await;
    assert_eq!(subscribe(&mut fast, "motto", 1).await, shared);

    // Large values fill the slow reader's socket buffers, then its queue, while the fast
    // one reads every change as it comes.
    let words = "x".repeat(8_000);
    let mut offsets = BTreeSet::new();
    let mut last = 0;
    let mut published = 0;
    while published < 20 || readers.subscriptions() == 2 {
        assert!(published < 20_000, "the slow reader was never ended");
        let version = motto
            .set(
                "1",
                Motto {
                    text: format!("{published} {words}"),
                },
            )
            .version;
        published += 1;
        // Its changes come in order; a change may come twice (docs/protocol.md).
        while last < version {
            let args = frame_arguments(&mut fast).await;
            assert_eq!(args[0], "eventwire:change", "{args}");
            assert_eq!(args[1]["id"], shared.as_str());
            let offset: u64 = args[1]["offset"].as_str().unwrap().parse().unwrap();
            offsets.insert(offset);
            last = last.max(args[1]["item"]["version"].as_u64().unwrap());
        }
    }
    assert_eq!(
        readers.subscriptions(),
        1,
        "the fast reader is still subscribed"
    );
    let (first, end) = (*offsets.first().unwrap(), *offsets.last().unwrap());
    assert_eq!(
        offsets.len() as u64,
        end - first + 1,
        "the fast reader missed none of the {published} changes"
    );
    assert_eq!(offsets.len(), published);

    let ended = until_end(&mut slow).await;
    assert_eq!(ended["id"], shared.as_str());
    assert_eq!(ended["reason"], "overflow");
}

/// A group's broadcast reaches one namespace's rooms: the same filter on two paths that
/// serve one contract (and so share its feeds) makes two groups.
#[tokio::test]
async fn a_contract_served_on_two_paths_delivers_on_both() {
    let app = BoardApp::default();
    let server = eventwire::Server::new();
    let feeds = server.feeds::<Board>();
    let server = server
        .contract::<Board>(app.clone())
        .contract_at::<Board>("/other", app);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { server.serve_on(listener).await.expect("serve") });
    let activity = feeds.feed(Board::activity());

    let mut here = raw_member(&url, 1, "ann").await;
    let mut there = RawSocket::open(&url).await;
    there.send(r#"40/other,{"workspace":1,"name":"bob"}"#).await;
    let reply = frame_arguments_text(&mut there).await;
    assert!(reply.starts_with("40/other,{\"sid\""), "{reply}");
    let here_id = subscribe(&mut here, "activity", 1).await;
    let there_id = subscribe_on(&mut there, "/other", "activity", 1).await;
    assert_ne!(here_id, there_id);

    activity.created(Activity {
        task: 3,
        workspace: 1,
    });
    assert_eq!(changes(&mut here, 1).await, [(here_id, 3.into())]);
    assert_eq!(changes(&mut there, 1).await, [(there_id, 3.into())]);
}

async fn frame_arguments_text(socket: &mut RawSocket) -> String {
    match socket.next().await {
        eventwire_tests::raw::Next::Text(text) => text,
        other => panic!("expected a frame, got {other:?}"),
    }
}

/// Connection state recovery gives a connection its rooms back, but not its feeds' rooms: it
/// holds no subscription any more, so it must get no change frame.
#[tokio::test]
async fn a_recovered_connection_is_not_put_back_in_its_feed_rooms() {
    let BoardServer { url, feeds, .. } =
        start_board_with(|server| server.connection_state_recovery(eventwire::Recovery::new()))
            .await;
    let activity = feeds.feed(Board::activity());
    let mut ann = raw_member(&url, 1, "ann").await;
    let greeting = frame_arguments(&mut ann).await;
    assert_eq!(greeting[0], "eventwire:recovery", "{greeting}");
    let (pid, offset) = (greeting[1]["pid"].clone(), greeting[1]["offset"].clone());
    let mut bob = raw_member(&url, 1, "bob").await;
    frame_arguments(&mut bob).await;
    let shared = subscribe(&mut ann, "activity", 1).await;
    assert_eq!(subscribe(&mut bob, "activity", 1).await, shared);

    // Ann's connection drops (no disconnect packet) and she comes back, recovering it.
    drop(ann);
    while activity.subscriptions() != 1 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let mut ann = RawSocket::open(&url).await;
    ann.send(&format!(
        r#"40/board,{{"workspace":1,"name":"ann","pid":{pid},"offset":{offset}}}"#
    ))
    .await;
    let reply = frame_arguments_text(&mut ann).await;
    assert!(reply.starts_with("40/board,{\"sid\""), "{reply}");
    let greeting = frame_arguments(&mut ann).await;
    assert_eq!(greeting[1]["recovered"], true, "{greeting}");

    activity.created(Activity {
        task: 5,
        workspace: 1,
    });
    assert_eq!(changes(&mut bob, 1).await, [(shared, 5.into())]);
    // The change was broadcast before this call: had ann been in the group's room, its
    // frame would come first.
    ann.send(r#"42/board,2["list",{}]"#).await;
    let next = frame_arguments(&mut ann).await;
    assert_eq!(
        next[0]["ok"], true,
        "the call's answer, not a change: {next}"
    );
}
