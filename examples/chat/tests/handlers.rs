//! The chat's handlers, tested in process: no server, no sockets, no Node. Each client goes
//! through the same dispatch as a real one (decoding, validation, the handler, the answer)
//! and records what the chat sends it.

use chat::ChatApp;
use chat::contract::Chat;
use chat::store::Store;
use eventwire::testing::{TestClient, TestServer};
use serde_json::{Value, json};

fn chat(capacity: u32) -> TestServer<Chat, ChatApp> {
    TestServer::new(ChatApp::new(
        capacity,
        Store::in_memory().expect("an in-memory store"),
    ))
}

async fn login(server: &TestServer<Chat, ChatApp>, user: &str) -> TestClient<Chat, ChatApp> {
    server
        .connect_with_auth(json!({ "user": user }))
        .await
        .expect("logged in")
}

/// The presence notices a client received, as `(user, kind)`.
fn presence(received: Vec<(String, Value)>) -> Vec<(String, String)> {
    received
        .into_iter()
        .filter(|(event, _)| event == "presence")
        .map(|(_, p)| {
            (
                p["user"].as_str().unwrap().to_owned(),
                p["kind"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_handshake_validates_the_login() {
    let server = chat(10);
    let refused = server
        .connect_with_auth(json!({ "user": "" }))
        .await
        .err()
        .expect("an empty name is refused");
    assert!(
        refused.to_string().starts_with("invalid auth: user:"),
        "{refused}"
    );
    assert!(server.connect().await.is_err(), "a login is required");
}

#[tokio::test]
async fn joining_answers_members_and_tells_the_room() {
    let server = chat(10);
    let ada = login(&server, "ada").await;
    let bob = login(&server, "bob").await;
    let joined = ada.emit_with_ack("join", json!({ "room": "lobby" })).await;
    assert_eq!(
        joined,
        json!({ "ok": true, "data": { "room": "lobby", "members": ["ada"], "history": [] } })
    );
    let joined = bob.emit_with_ack("join", json!({ "room": "lobby" })).await;
    assert_eq!(joined["data"]["members"], json!(["ada", "bob"]));
    assert_eq!(
        presence(ada.received()),
        [("bob".to_owned(), "joined".to_owned())]
    );
    // Presence goes to the others only.
    assert_eq!(presence(bob.received()), []);
    assert_eq!(bob.rooms(), ["lobby"]);
}

#[tokio::test]
async fn a_message_reaches_the_room_and_its_history() {
    let server = chat(10);
    let ada = login(&server, "ada").await;
    let bob = login(&server, "bob").await;
    let outsider = login(&server, "eve").await;
    ada.emit_with_ack("join", json!({ "room": "lobby" })).await;
    bob.emit_with_ack("join", json!({ "room": "lobby" })).await;
    let sent = ada
        .emit_with_ack("send", json!({ "room": "lobby", "text": "hello" }))
        .await;
    assert_eq!(sent["ok"], true, "{sent}");
    let id = sent["data"]["id"].clone();
    // The sender gets the message too, and only the room does.
    for member in [&ada, &bob] {
        let messages: Vec<Value> = member
            .received()
            .into_iter()
            .filter(|(event, _)| event == "message")
            .map(|(_, m)| m)
            .collect();
        assert_eq!(messages.len(), 1);
        assert_eq!(messages[0]["id"], id);
        assert_eq!(messages[0]["user"], "ada");
        assert_eq!(messages[0]["text"], "hello");
    }
    assert_eq!(outsider.received(), []);
    // A late joiner sees it in the history.
    let joined = outsider
        .emit_with_ack("join", json!({ "room": "lobby" }))
        .await;
    assert_eq!(joined["data"]["history"][0]["text"], "hello");
}

#[tokio::test]
async fn typed_errors_and_faults_come_back_as_on_the_wire() {
    let server = chat(1);
    let ada = login(&server, "ada").await;
    let bob = login(&server, "bob").await;
    let not_in_room = ada
        .emit_with_ack("send", json!({ "room": "lobby", "text": "hi" }))
        .await;
    assert_eq!(
        not_in_room,
        json!({ "ok": false, "error": { "code": "notInRoom", "room": "lobby" } })
    );
    ada.emit_with_ack("join", json!({ "room": "lobby" })).await;
    let full = bob.emit_with_ack("join", json!({ "room": "lobby" })).await;
    assert_eq!(
        full,
        json!({ "ok": false, "error": { "code": "roomFull", "room": "lobby", "capacity": 1 } })
    );
    let invalid = ada
        .emit_with_ack("join", json!({ "room": "Not A Room" }))
        .await;
    assert_eq!(invalid["fault"]["code"], "invalid_payload");
    assert_eq!(invalid["fault"]["issues"][0]["path"], json!(["room"]));
    // An event without ack reports its fault through `eventwire:fault`.
    ada.emit("typing", json!({ "room": 7 })).await;
    let faults: Vec<(String, Value)> = ada.received();
    assert_eq!(faults.len(), 1);
    assert_eq!(faults[0].0, "eventwire:fault");
    assert_eq!(faults[0].1["event"], "typing");
}

#[tokio::test]
async fn leaving_by_disconnect_tells_the_room() {
    let server = chat(10);
    let ada = login(&server, "ada").await;
    let bob = login(&server, "bob").await;
    ada.emit_with_ack("join", json!({ "room": "lobby" })).await;
    bob.emit_with_ack("join", json!({ "room": "lobby" })).await;
    ada.received();
    bob.disconnect().await;
    assert_eq!(
        presence(ada.received()),
        [("bob".to_owned(), "left".to_owned())]
    );
    // Bob's seat is free again.
    let carol = login(&server, "carol").await;
    let joined = carol
        .emit_with_ack("join", json!({ "room": "lobby" }))
        .await;
    assert_eq!(joined["data"]["members"], json!(["ada", "carol"]));
}

#[tokio::test]
async fn a_handler_can_be_called_directly_with_typed_values() {
    use chat::contract::{ChatHandlers, RoomRef};
    let server = chat(10);
    let ada = login(&server, "ada").await;
    let joined = server
        .handlers()
        .join(
            &ada.cx(),
            RoomRef {
                room: "lobby".into(),
            },
        )
        .await
        .map_err(|_| "refused")
        .expect("joined");
    assert_eq!(joined.members, ["ada"]);
}
