//! The generated AsyncAPI documents pass the official parser (`@asyncapi/parser`) without
//! errors: the test clients' (`tests/node/generated/`), the chat's and the board's (whose
//! feeds add subscribe, snapshot, change, end and unsubscribe messages), and the files
//! contract's and the chat's uploads (start, finish, chunk, cancel and resume, each answered)
//! and downloads (start, answered; chunk and end sent; acknowledgement and cancel received).

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
        eventwire_tests::node_dir().join("generated/files.asyncapi.json"),
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
    assert_eq!(stdout.matches(" channel(s), ").count(), 6, "{stdout}");
}

/// The files contract's operations as the parser resolved them: by id, `<action> <message
/// names> -> <reply message names>`.
fn files_operations() -> impl Fn(&str) -> String {
    let path = eventwire_tests::node_dir().join("generated/files.asyncapi.json");
    let output = parse(std::slice::from_ref(&path));
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "{stdout}");
    move |id: &str| {
        let prefix = format!("{}: operation {id}: ", path.display());
        stdout
            .lines()
            .find_map(|line| line.strip_prefix(&prefix))
            .unwrap_or_else(|| panic!("no operation {id} in:\n{stdout}"))
            .to_owned()
    }
}

#[test]
fn uploads_are_in_the_document_with_their_answers() {
    // As the parser resolved them: a reader of the document alone can speak the upload
    // protocol (docs/protocol.md#uploads), every step with the answer it gets.
    let operation = files_operations();
    assert_eq!(
        operation("Files.upload.sendFile.start"),
        "receive sendFile -> sendFile (answer)"
    );
    assert_eq!(
        operation("Files.upload.sendFile.finish"),
        "receive eventwire:finish -> eventwire:finish (answer)"
    );
    for step in ["chunk", "cancel", "resume"] {
        assert_eq!(
            operation(&format!("Files.eventwire_{step}")),
            format!("receive eventwire:{step} -> eventwire:{step} (answer)")
        );
    }

    // The schemas, by reference: the start carries the metadata and the upload's limit; the
    // finish is answered with the upload's answer or its app error.
    let document = generated("files.asyncapi.json");
    let messages = &document["channels"]["Files"]["messages"];
    let start = &messages["upload.sendFile.start"]["payload"];
    assert_eq!(
        start["properties"]["meta"]["$ref"],
        "#/components/schemas/FileMeta"
    );
    assert_eq!(start["properties"]["size"]["maximum"], 8_000_000);
    assert_eq!(start["required"], serde_json::json!(["meta", "size"]));
    let finished = &messages["upload.sendFile.finished"]["payload"]["oneOf"];
    assert_eq!(
        finished[0]["properties"]["data"]["$ref"],
        "#/components/schemas/Received"
    );
    assert_eq!(
        finished[1]["properties"]["error"]["$ref"],
        "#/components/schemas/UploadRefused"
    );
    let chunk = &messages["eventwire_chunk"]["payload"]["properties"]["data"];
    assert_eq!(chunk["contentEncoding"], "binary");
    // The upload faults are among the codes a fault may carry.
    let codes = &document["components"]["schemas"]["eventwire.Fault"]["properties"]["code"]["enum"];
    for code in [
        "unknown_transfer",
        "transfer_limit",
        "invalid_chunk",
        "integrity",
    ] {
        assert!(codes.as_array().unwrap().contains(&code.into()), "{code}");
    }
}

#[test]
fn downloads_are_in_the_document_with_their_frames() {
    // As the parser resolved them: a reader of the document alone can speak the download
    // protocol (docs/protocol.md#downloads).
    let operation = files_operations();
    assert_eq!(
        operation("Files.download.fetchFile.start"),
        "receive fetchFile -> fetchFile (answer)"
    );
    for (frame, action) in [
        ("chunk", "send"),
        ("end", "send"),
        ("ack", "receive"),
        ("cancel", "receive"),
    ] {
        assert_eq!(
            operation(&format!("Files.eventwire_download-{frame}")),
            format!("{action} eventwire:download-{frame} -> ")
        );
    }

    // The schemas, by reference: the start carries the request; its answer is the file's
    // terms or the download's app error.
    let document = generated("files.asyncapi.json");
    let messages = &document["channels"]["Files"]["messages"];
    let start = &messages["download.fetchFile.start"]["payload"];
    assert_eq!(
        start["properties"]["request"]["$ref"],
        "#/components/schemas/FileRequest"
    );
    assert_eq!(start["required"], serde_json::json!(["request"]));
    let started = &messages["download.fetchFile.started"]["payload"]["oneOf"];
    assert_eq!(
        started[0]["properties"]["data"]["required"],
        serde_json::json!(["id", "size", "chunkSize", "window"])
    );
    assert_eq!(
        started[1]["properties"]["error"]["$ref"],
        "#/components/schemas/Missing"
    );
    let chunk = &messages["eventwire_download-chunk"]["payload"]["properties"]["data"];
    assert_eq!(chunk["contentEncoding"], "binary");
    let end = &messages["eventwire_download-end"]["payload"]["oneOf"];
    assert_eq!(end[0]["required"], serde_json::json!(["id", "sha256"]));
    assert_eq!(end[1]["required"], serde_json::json!(["id", "fault"]));
}

#[test]
fn the_parser_check_fails_on_a_broken_upload() {
    // A finish whose answer names no message is an error too.
    let mut document = generated("files.asyncapi.json");
    document["operations"]["Files.upload.sendFile.finish"]["reply"]["messages"][0]["$ref"] =
        "#/channels/Files/messages/nothing".into();
    assert!(
        refused(&document, "broken-upload-reply.asyncapi.json"),
        "a finish with a dangling reply passed"
    );
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
