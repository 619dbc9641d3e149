//! The generated AsyncAPI documents pass the official parser (`@asyncapi/parser`) without
//! errors: the test clients' (`tests/node/generated/`), the chat's and the board's (whose
//! feeds add subscribe, snapshot, change, end and unsubscribe messages).

use std::process::{Command, Output};

fn parse(files: &[std::path::PathBuf]) -> Output {
    let root = eventwire_tests::repo_root();
    assert!(
        root.join("node_modules/@asyncapi/parser").is_dir(),
        "the AsyncAPI parser is needed: run `npm ci` at the repository root (the README's test command does it)"
    );
    Command::new("node")
        .arg("asyncapi.mjs")
        .args(files)
        .current_dir(eventwire_tests::node_dir())
        .output()
        .expect("`node` must be on PATH")
}

#[test]
fn generated_documents_pass_the_asyncapi_parser() {
    let root = eventwire_tests::repo_root();
    let files = [
        eventwire_tests::node_dir().join("generated/lab.asyncapi.json"),
        eventwire_tests::node_dir().join("generated/shapes.asyncapi.json"),
        eventwire_tests::node_dir().join("generated/board.asyncapi.json"),
        root.join("examples/chat/web/generated/chat.asyncapi.json"),
        root.join("examples/board/web/generated/board.asyncapi.json"),
    ];
    let output = parse(&files);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the AsyncAPI parser found errors:\n{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // Every document was read as a whole (channels and operations counted).
    assert_eq!(stdout.matches(" channel(s), ").count(), 5, "{stdout}");
}

/// The generated document `name`, as JSON.
fn generated(name: &str) -> serde_json::Value {
    let file = eventwire_tests::generated_files()
        .into_iter()
        .find(|f| f.name == name)
        .expect("generated");
    serde_json::from_str(&file.contents).unwrap()
}

/// Whether the parser refuses `document` (written as `out/<name>`).
fn refused(document: &serde_json::Value, name: &str) -> bool {
    let dir = eventwire_tests::node_dir().join("out");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, document.to_string()).unwrap();
    let output = parse(&[path]);
    eprintln!("{}", String::from_utf8_lossy(&output.stdout));
    !output.status.success()
}

#[test]
fn the_parser_check_fails_on_a_broken_document() {
    // So that the test above cannot pass by accident: a reply pointing at a message that
    // does not exist is an error.
    let mut document = generated("lab.asyncapi.json");
    let operations = document["operations"].as_object_mut().unwrap();
    let (_, operation) = operations
        .iter_mut()
        .find(|(_, op)| op.get("reply").is_some())
        .expect("an answered event");
    operation["reply"]["messages"][0]["$ref"] = "#/channels/Lab/messages/nothing".into();
    assert!(
        refused(&document, "broken.asyncapi.json"),
        "a broken document passed"
    );
}

#[test]
fn the_parser_check_fails_on_a_broken_feed() {
    // The feed messages are checked too: a change whose item points at no schema, and a
    // subscribe whose snapshot reply names no message, are errors.
    let document = generated("board.asyncapi.json");
    let change = &document["channels"]["Board"]["messages"]["feed.tasks.change"];
    assert_eq!(
        change["payload"]["properties"]["item"]["$ref"], "#/components/schemas/Task",
        "the change carries the item schema by reference"
    );
    let mut broken = document.clone();
    broken["channels"]["Board"]["messages"]["feed.tasks.change"]["payload"]["properties"]["item"]
        ["$ref"] = "#/components/schemas/Nothing".into();
    assert!(
        refused(&broken, "broken-feed-item.asyncapi.json"),
        "a change with a dangling item schema passed"
    );
    let mut broken = document;
    broken["operations"]["Board.feed.tasks.subscribe"]["reply"]["messages"][0]["$ref"] =
        "#/channels/Board/messages/nothing".into();
    assert!(
        refused(&broken, "broken-feed-reply.asyncapi.json"),
        "a subscribe with a dangling reply passed"
    );
}
