//! The generated AsyncAPI documents pass the official parser (`@asyncapi/parser`) without
//! errors: the test clients' (`tests/node/generated/`) and the chat's.

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
        root.join("examples/chat/web/generated/chat.asyncapi.json"),
    ];
    let output = parse(&files);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the AsyncAPI parser found errors:\n{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // Every document was read as a whole (channels and operations counted).
    assert_eq!(stdout.matches(" channel(s), ").count(), 3, "{stdout}");
}

#[test]
fn the_parser_check_fails_on_a_broken_document() {
    // So that the test above cannot pass by accident: a reply pointing at a message that
    // does not exist is an error.
    let lab = eventwire_tests::generated_files()
        .into_iter()
        .find(|f| f.name == "lab.asyncapi.json")
        .expect("generated");
    let mut document: serde_json::Value = serde_json::from_str(&lab.contents).unwrap();
    let operations = document["operations"].as_object_mut().unwrap();
    let (_, operation) = operations
        .iter_mut()
        .find(|(_, op)| op.get("reply").is_some())
        .expect("an answered event");
    operation["reply"]["messages"][0]["$ref"] = "#/channels/Lab/messages/nothing".into();
    let dir = eventwire_tests::node_dir().join("out");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("broken.asyncapi.json");
    std::fs::write(&path, document.to_string()).unwrap();
    let output = parse(&[path]);
    assert!(
        !output.status.success(),
        "a broken document passed:\n{}",
        String::from_utf8_lossy(&output.stdout)
    );
}
