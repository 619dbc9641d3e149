//! The generated feed types describe exactly the frames the server sends: real frames,
//! captured from the test board over a raw connection, are type-checked by tsc as the
//! generated types; altered ones carry `// @ts-expect-error` and must be refused.
//! `typecheck/feeds.ts` does the same for the typed client's feed API.

use std::fmt::Write as _;
use std::process::Command;

use eventwire_tests::raw::{Next, RawSocket};
use serde_json::{Value, json};

/// Connects to `/board` as a member of `workspace`.
async fn member(url: &str, workspace: u32, name: &str) -> RawSocket {
    let mut socket = RawSocket::open(url).await;
    socket
        .send(&format!(
            r#"40/board,{{"workspace":{workspace},"name":"{name}"}}"#
        ))
        .await;
    match socket.next().await {
        Next::Text(reply) if reply.starts_with("40/board,{\"sid\"") => socket,
        other => panic!("expected the connect reply, got {other:?}"),
    }
}

/// The next frame's arguments (`42/board,["event",...]` or `43/board,7[...]`).
async fn frame(socket: &mut RawSocket) -> (String, Value) {
    match socket.next().await {
        Next::Text(text) => {
            let start = text.find('[').expect("an argument array");
            let head = text[..start].to_owned();
            (
                head,
                serde_json::from_str(&text[start..]).expect("JSON arguments"),
            )
        }
        other => panic!("expected a frame, got {other:?}"),
    }
}

/// Reads frames until the ack `id` and the `count` events named `event`.
async fn collect(
    socket: &mut RawSocket,
    id: u32,
    event: &str,
    count: usize,
) -> (Value, Vec<Value>) {
    let mut ack = None;
    let mut events = Vec::new();
    while ack.is_none() || events.len() < count {
        let (head, args) = frame(socket).await;
        if head == format!("43/board,{id}") {
            ack = Some(args[0].clone());
        } else if args[0] == event {
            events.push(args[1].clone());
        }
    }
    (ack.expect("answered"), events)
}

fn sample(out: &mut String, name: &str, ty: &str, value: &Value) {
    let _ = writeln!(out, "export const {name}: {ty} = {value};");
}

fn rejected(out: &mut String, why: &str, ty: &str, value: &Value) {
    let _ = writeln!(
        out,
        "// @ts-expect-error: {why}\nexport const wrong{}: {ty} = {value};",
        out.len()
    );
}

#[tokio::test]
async fn served_feed_frames_type_check_as_the_generated_types() {
    let board = eventwire_tests::board::start_board().await;
    let mut ann = member(&board.url, 1, "ann").await;
    let task =
        json!({ "id": 1, "status": "doing", "assignee": "ann", "priority": 3, "title": "Ship" });
    ann.send(&format!(r#"42/board,1["create",{task}]"#)).await;
    let _ = collect(&mut ann, 1, "", 0).await;

    ann.send(r#"42/board,2["eventwire:subscribe",{"feed":"tasks","filter":{"status":"doing"}}]"#)
        .await;
    let (snapshot, _) = collect(&mut ann, 2, "", 0).await;
    ann.send(r#"42/board,3["eventwire:subscribe",{"feed":"activity"}]"#)
        .await;
    let (keys, _) = collect(&mut ann, 3, "", 0).await;
    // An update (the task feed's "updated", the activity notice) then a move out ("removed").
    ann.send(r#"42/board,4["move",{"id":1,"status":"doing"}]"#)
        .await;
    let (_, updated) = collect(&mut ann, 4, "eventwire:change", 2).await;
    ann.send(r#"42/board,5["move",{"id":1,"status":"done"}]"#)
        .await;
    let (_, removed) = collect(&mut ann, 5, "eventwire:change", 2).await;
    ann.send(r#"42/board,6["revoke"]"#).await;
    let (_, ended) = collect(&mut ann, 6, "eventwire:end", 1).await;
    ann.send(r#"42/board,7["eventwire:subscribe",{"feed":"tasks","filter":{"workspace":2}}]"#)
        .await;
    let (refused, _) = collect(&mut ann, 7, "", 0).await;

    let mut out = String::from(
        "import type { AckResponse, FeedChange, FeedEnd, FeedKeys, FeedNotice, FeedSnapshot, Task } from \"../generated/board.js\";\n\n",
    );
    assert_eq!(snapshot["ok"], true, "{snapshot}");
    sample(
        &mut out,
        "snapshot",
        "FeedSnapshot<number, Task>",
        &snapshot["data"],
    );
    sample(
        &mut out,
        "snapshotAck",
        "AckResponse<FeedSnapshot<number, Task>>",
        &snapshot,
    );
    sample(&mut out, "keys", "FeedKeys<number>", &keys["data"]);
    for (i, change) in updated.iter().chain(&removed).enumerate() {
        let ty = if change["id"] == snapshot["data"]["id"] {
            "FeedChange<number, Task>"
        } else {
            "FeedNotice<number>"
        };
        sample(&mut out, &format!("change{i}"), ty, change);
    }
    sample(&mut out, "end", "FeedEnd", &ended[0]);
    sample(
        &mut out,
        "refused",
        "AckResponse<FeedSnapshot<number, Task>>",
        &refused,
    );
    assert_eq!(refused["fault"]["code"], "forbidden");

    // Altered frames must be refused.
    let mut wrong = snapshot["data"].clone();
    wrong["offset"] = json!(0);
    rejected(
        &mut out,
        "an offset as a number (offsets are 64-bit strings)",
        "FeedSnapshot<number, Task>",
        &wrong,
    );
    let mut wrong = snapshot["data"].clone();
    wrong["keys"] = json!(["1"]);
    rejected(
        &mut out,
        "keys of the wrong type",
        "FeedSnapshot<number, Task>",
        &wrong,
    );
    let data_change = updated
        .iter()
        .find(|c| c["id"] == snapshot["data"]["id"])
        .expect("a data change");
    let mut wrong = data_change.clone();
    wrong.as_object_mut().expect("an object").remove("item");
    rejected(
        &mut out,
        "an update without its item",
        "FeedChange<number, Task>",
        &wrong,
    );
    let mut wrong = data_change.clone();
    wrong["action"] = json!("moved");
    rejected(
        &mut out,
        "an unknown action",
        "FeedChange<number, Task>",
        &wrong,
    );
    let mut wrong = ended[0].clone();
    wrong["reason"] = json!("bored");
    rejected(&mut out, "an unknown end reason", "FeedEnd", &wrong);

    let dir = eventwire_tests::node_dir();
    let tsc = eventwire_tests::repo_root().join("node_modules/typescript/bin/tsc");
    assert!(
        tsc.is_file(),
        "TypeScript is needed: run `npm ci` at the repository root"
    );
    std::fs::create_dir_all(dir.join("out")).expect("create tests/node/out");
    std::fs::write(dir.join("out/feed_samples.ts"), out).expect("write the samples");
    let output = Command::new("node")
        .arg(&tsc)
        .args(["-p", "typecheck/tsconfig.json"])
        .current_dir(&dir)
        .output()
        .expect("node runs tsc");
    assert!(
        output.status.success(),
        "tsc rejected a served frame or accepted a wrong one:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
