//! What the derives generate works through the renamed path, not only compiles.

use eventwire_renamed::{App, Note, NoteFilter, Notes, Title};
use ew::testing::TestServer;
use ew::{Filter, Validate};
use serde_json::json;

fn note(id: u32, text: &str) -> serde_json::Value {
    json!({ "id": id, "text": text })
}

#[tokio::test]
async fn the_contract_dispatches_validates_and_guards() {
    let server = TestServer::<Notes, _>::new(App);
    let client = server.connect().await.expect("accepted");
    let answer = client.emit_with_ack("add", note(1, "hello")).await;
    assert_eq!(answer["ok"], true, "{answer}");
    assert_eq!(answer["data"]["text"], "hello");
    let refused = client.emit_with_ack("add", note(2, "")).await;
    assert_eq!(refused["fault"]["code"], "invalid_payload", "{refused}");
    assert_eq!(
        refused["fault"]["issues"][0]["path"],
        json!(["text"]),
        "{refused}"
    );
    let denied = client.emit_with_ack("add", note(0, "zero")).await;
    assert_eq!(denied["fault"]["code"], "forbidden", "{denied}");
}

#[test]
fn the_filter_and_the_standalone_validate_derive_work() {
    let item = Note {
        id: 3,
        text: "groceries".into(),
    };
    let filter = NoteFilter {
        id: Some(3),
        search: Some("CER".into()),
    };
    assert!(filter.matches(&item));
    assert!(
        !NoteFilter {
            id: Some(4),
            search: None
        }
        .matches(&item)
    );
    assert!(Title { text: "ok".into() }.validate().is_ok());
    assert!(
        Title {
            text: "far too long".into()
        }
        .validate()
        .is_err()
    );
}

#[tokio::test]
async fn the_download_starts_answers_its_error_and_guards() {
    let server = TestServer::<Notes, _>::new(App);
    let client = server.connect().await.expect("accepted");
    let started = client
        .emit_with_ack("fetch", json!({ "request": { "name": "a.txt" } }))
        .await;
    assert_eq!(started["ok"], true, "{started}");
    assert_eq!(started["data"]["size"], 5, "{started}");
    assert_eq!(
        client
            .emit_with_ack("fetch", json!({ "request": { "name": "missing" } }))
            .await,
        json!({ "ok": false, "error": "no such file" })
    );
    let denied = client
        .emit_with_ack("fetch", json!({ "request": { "name": "secret" } }))
        .await;
    assert_eq!(denied["fault"]["code"], "forbidden", "{denied}");
}
