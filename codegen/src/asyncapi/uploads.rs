//! The uploads of a channel, as `docs/protocol.md#uploads` describes them: per upload, its
//! start (under the upload's own name) answered with the transfer's id, and its finish
//! answered with the upload's own answer; once per channel with uploads, the chunk, cancel
//! and resume messages, which name a transfer, not an upload, and are the same for all.

use serde_json::{Map, Value, json};

use eventwire::upload::{CANCEL_EVENT, CHUNK_EVENT, FINISH_EVENT, RESUME_EVENT};
use eventwire::wire::MAX_SAFE_INTEGER;

use super::transfers::{Frame, Way, chunk, frame_messages, start_message, window_wish};
use super::{ack_response, bytes_count, identifier, object, receive_answered, to_components};

/// A transfer's id, as the start's answer gives it.
fn transfer_id() -> Value {
    json!({
        "type": "string",
        "description": "The transfer, as the start's answer named it (128 random bits as hex: keep it secret, it is what resumes the transfer)."
    })
}

/// How to send a transfer, shared by the start's and the resume's answers.
fn sending() -> Map<String, Value> {
    let mut properties = Map::new();
    properties.insert("id".into(), transfer_id());
    properties.insert(
        "chunkSize".into(),
        json!({ "type": "integer", "minimum": 1, "description": "The largest chunk the server accepts, in bytes." }),
    );
    properties.insert(
        "window".into(),
        json!({ "type": "integer", "minimum": 1, "description": "How many chunks may be sent and not yet acknowledged." }),
    );
    properties
}

/// Per upload: the start and its answer, the finish and the upload's answer; once per
/// channel with uploads: chunk, cancel and resume with their answers.
pub(super) fn upload_messages(
    entry: &Value,
    channel: &str,
    messages: &mut Map<String, Value>,
    operations: &mut Map<String, Value>,
) {
    let uploads = entry["uploads"].as_array().cloned().unwrap_or_default();
    for upload in &uploads {
        let name = upload["name"].as_str().unwrap_or_default();
        let id = format!("upload.{}", identifier(name));
        let max_size = upload["maxSize"]
            .as_u64()
            .map_or(MAX_SAFE_INTEGER, |max| max.min(MAX_SAFE_INTEGER));
        let limit = match upload["maxSize"].as_u64() {
            Some(max) => format!(
                " Files of at most {max} bytes (a larger one is refused with a `transfer_limit` fault, before its first byte)."
            ),
            None => String::new(),
        };
        let mut size = bytes_count("The file's size in bytes.");
        size["maximum"] = json!(max_size);
        let start = start_message(
            upload,
            format!("Start the `{name}` upload"),
            format!(
                "Starts the `{name}` upload with its metadata and the file's size; answered with the transfer to send the chunks to.{limit}"
            ),
            object(
                Map::from_iter([
                    ("meta".to_owned(), to_components(&upload["meta"])),
                    ("size".to_owned(), size),
                    ("window".to_owned(), window_wish()),
                ]),
                &["meta", "size"],
            ),
        );
        messages.insert(format!("{id}.start"), start);
        messages.insert(
            format!("{id}.started"),
            json!({
                "name": format!("{name} (answer)"),
                "summary": format!("The acknowledgement of a start of `{name}`: the transfer, or a refusal (`invalid_payload` with paths under `meta`, `forbidden` from the guard, `transfer_limit`)."),
                "payload": ack_response(&object(sending(), &["id", "chunkSize", "window"]), None),
            }),
        );
        messages.insert(
            format!("{id}.finish"),
            json!({
                "name": FINISH_EVENT,
                "title": format!("Finish a `{name}` upload"),
                "summary": format!("Ends a `{name}` transfer once every chunk is acknowledged, with the SHA-256 of the whole file; answered with the upload's answer."),
                "payload": object(
                    Map::from_iter([
                        ("id".to_owned(), transfer_id()),
                        ("sha256".to_owned(), json!({ "type": "string", "pattern": "^[0-9a-fA-F]{64}$", "description": "The SHA-256 of the whole file, as 64 hexadecimal digits." })),
                    ]),
                    &["id", "sha256"],
                ),
            }),
        );
        // An upload without ack answers `null`.
        let answer = upload
            .get("ack")
            .cloned()
            .unwrap_or_else(|| json!({ "type": "null" }));
        messages.insert(
            format!("{id}.finished"),
            json!({
                "name": format!("{} (answer)", FINISH_EVENT),
                "summary": format!("The answer to the finish of a `{name}` transfer: the handler's answer, the app's error, or a fault (`integrity` when the hash does not match, `invalid_chunk` when bytes are missing)."),
                "payload": ack_response(&answer, upload.get("error")),
            }),
        );
        for (step, answer) in [("start", "started"), ("finish", "finished")] {
            receive_answered(
                operations,
                channel,
                &format!("{id}.{step}"),
                &format!("{id}.{answer}"),
            );
        }
    }
    if uploads.is_empty() {
        return;
    }
    frame_messages(channel, frames(), messages, operations);
}

/// Chunk, cancel and resume: one message each (with its answer) for all of a channel's
/// uploads.
fn frames() -> [Frame; 3] {
    let mut resumed = sending();
    resumed.insert(
        "offset".into(),
        bytes_count("The bytes the server holds: send again from here."),
    );
    let id_only = || object(Map::from_iter([("id".to_owned(), transfer_id())]), &["id"]);
    [
        Frame {
            event: CHUNK_EVENT,
            summary: "One chunk of a transfer at its offset, its bytes as a binary attachment; answered once the handler took it. At most `window` chunks unacknowledged, each at most `chunkSize` bytes and not empty.",
            payload: chunk(transfer_id()),
            way: Way::Answered(
                "The bytes the handler took so far, and whether it answered without reading the rest (stop sending, finish to get its answer). A chunk that breaks a rule gets an `invalid_chunk` fault and ends the transfer; an unknown transfer, `unknown_transfer`.",
                object(
                    Map::from_iter([
                        (
                            "offset".to_owned(),
                            bytes_count("Every byte before it is the server's."),
                        ),
                        ("done".to_owned(), json!({ "type": "boolean" })),
                    ]),
                    &["offset", "done"],
                ),
            ),
        },
        Frame {
            event: CANCEL_EVENT,
            summary: "Ends a transfer; the handler's stream yields an error. A transfer the connection no longer sends is not an error.",
            payload: id_only(),
            way: Way::Answered(
                "The acknowledgement of a cancel.",
                json!({ "type": "null" }),
            ),
        },
        Frame {
            event: RESUME_EVENT,
            summary: "Continues a transfer on a new connection, within the server's upload timeout; answered with the offset to send from.",
            payload: id_only(),
            way: Way::Answered(
                "Where to send from: the bytes the handler took. A transfer that finished, was cancelled or timed out answers `unknown_transfer`: start again.",
                object(resumed, &["id", "offset", "chunkSize", "window"]),
            ),
        },
    ]
}
