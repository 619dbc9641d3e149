//! The downloads of a channel, as `docs/protocol.md#downloads` describes them: per
//! download, its start (under the download's own name) answered with the file's terms or
//! the app's error; once per channel with downloads, the chunks and the end the server
//! sends, and the acknowledgement and cancel the client sends, which name a transfer, not a
//! download, and are the same for all.

use serde_json::{Map, Value, json};

use eventwire::download::{ACK_EVENT, CANCEL_EVENT, CHUNK_EVENT, END_EVENT};

use super::transfers::{Frame, Way, chunk, frame_messages, start_message, window_wish};
use super::{
    FAULT, ack_response, bytes_count, identifier, object, receive_answered, to_components,
};

/// A download's id, as the start's answer gives it.
fn transfer_id() -> Value {
    json!({
        "type": "string",
        "description": "The transfer, as the start's answer named it; a resume asks again and gets a new one."
    })
}

/// The answer to a start: the transfer, the file's terms and how it is sent.
fn started() -> Value {
    let mut properties = Map::new();
    properties.insert("id".into(), transfer_id());
    properties.insert("size".into(), bytes_count("The file's size in bytes."));
    properties.insert(
        "name".into(),
        json!({ "type": "string", "description": "The file's name, if the server gave one." }),
    );
    properties.insert(
        "mime".into(),
        json!({ "type": "string", "description": "The file's media type, if the server gave one." }),
    );
    properties.insert(
        "chunkSize".into(),
        json!({ "type": "integer", "minimum": 1, "description": "The largest chunk the server sends, in bytes." }),
    );
    properties.insert(
        "window".into(),
        json!({ "type": "integer", "minimum": 1, "description": "How many chunks the server sends before it waits for an acknowledgement." }),
    );
    object(properties, &["id", "size", "chunkSize", "window"])
}

/// Per download: the start and its answer; once per channel with downloads: the chunk and
/// the end the server sends, the acknowledgement and cancel the client sends.
pub(super) fn download_messages(
    entry: &Value,
    channel: &str,
    messages: &mut Map<String, Value>,
    operations: &mut Map<String, Value>,
) {
    let downloads = entry["downloads"].as_array().cloned().unwrap_or_default();
    for download in &downloads {
        let name = download["name"].as_str().unwrap_or_default();
        let id = format!("download.{}", identifier(name));
        let start = start_message(
            download,
            format!("Start the `{name}` download"),
            format!(
                "Starts the `{name}` download with its request (and, resuming, the bytes the client holds); answered with the file's terms, then its chunks follow."
            ),
            object(
                Map::from_iter([
                    ("request".to_owned(), to_components(&download["request"])),
                    (
                        "offset".to_owned(),
                        bytes_count(
                            "Resuming: the bytes the client holds; the server hashes them again and sends the rest.",
                        ),
                    ),
                    ("window".to_owned(), window_wish()),
                ]),
                &["request"],
            ),
        );
        messages.insert(format!("{id}.start"), start);
        messages.insert(
            format!("{id}.started"),
            json!({
                "name": format!("{name} (answer)"),
                "summary": format!("The acknowledgement of a start of `{name}`: the file's terms, the app's error, or a refusal (`invalid_payload` with paths under `request`, `forbidden` from the guard, `transfer_limit`)."),
                "payload": ack_response(&started(), download.get("error")),
            }),
        );
        receive_answered(
            operations,
            channel,
            &format!("{id}.start"),
            &format!("{id}.started"),
        );
    }
    if downloads.is_empty() {
        return;
    }
    frame_messages(channel, frames(), messages, operations);
}

/// The chunk and the end the server sends, the acknowledgement and cancel the client sends:
/// one message each for all of a channel's downloads, none answered.
fn frames() -> [Frame; 4] {
    let id_and = |more: Vec<(&str, Value)>, required: &[&str]| {
        let mut properties = Map::from_iter([("id".to_owned(), transfer_id())]);
        properties.extend(more.into_iter().map(|(key, value)| (key.to_owned(), value)));
        object(properties, required)
    };
    [
        Frame {
            event: CHUNK_EVENT,
            summary: "One chunk of a download at its offset, its bytes as a binary attachment: in order, each at most `chunkSize` bytes and not empty, at most `window` unacknowledged.",
            payload: chunk(transfer_id()),
            way: Way::Sent,
        },
        Frame {
            event: END_EVENT,
            summary: "The end of a download, after its last chunk: the SHA-256 of the whole file as the server read it, which the client checks, or the fault that ended it (`integrity`, `internal`, `transfer_limit`, `invalid_chunk`).",
            payload: json!({ "oneOf": [
                id_and(
                    vec![("sha256", json!({ "type": "string", "pattern": "^[0-9a-f]{64}$", "description": "The SHA-256 of the whole file, as 64 hexadecimal digits." }))],
                    &["id", "sha256"],
                ),
                id_and(
                    vec![("fault", json!({ "$ref": format!("#/components/schemas/{FAULT}") }))],
                    &["id", "fault"],
                ),
            ] }),
            way: Way::Sent,
        },
        Frame {
            event: ACK_EVENT,
            summary: "Every byte of a download before `offset` arrived: the server sends more while fewer than `window` chunks are unacknowledged. One of bytes not sent gets an `invalid_chunk` fault (as `eventwire:fault`) and ends the transfer; an unknown transfer, `unknown_transfer`.",
            payload: id_and(
                vec![("offset", bytes_count("The bytes received so far."))],
                &["id", "offset"],
            ),
            way: Way::Received,
        },
        Frame {
            event: CANCEL_EVENT,
            summary: "Stops a download at once; chunks already on their way may still arrive. A transfer the connection no longer receives is not an error.",
            payload: id_and(Vec::new(), &["id"]),
            way: Way::Received,
        },
    ]
}
