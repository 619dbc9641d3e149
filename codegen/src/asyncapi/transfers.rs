//! What the uploads and downloads of a channel share: the start message each upload or
//! download has under its own name, the chunk payload, and the frames sent once per channel
//! (each one message, its operation, and its answer when it has one).

use serde_json::{Map, Value, json};

use super::{ack_response, bytes_count, identifier, object, operation};

/// The start of upload or download `name`, under that name: `payload` carries what the
/// client sends, the app's doc comment (if any) the description.
pub(super) fn start_message(
    transfer: &Value,
    title: String,
    summary: String,
    payload: Value,
) -> Value {
    let name = transfer["name"].as_str().unwrap_or_default();
    let mut start = json!({ "name": name, "title": title, "summary": summary, "payload": payload });
    let docs = transfer["description"].as_str().unwrap_or_default();
    if !docs.is_empty() {
        start["description"] = json!(docs);
    }
    start
}

/// The window a start asks for.
pub(super) fn window_wish() -> Value {
    json!({ "type": "integer", "minimum": 1, "description": "The window the client wants; the answer gives the one granted." })
}

/// One chunk of transfer `id`: where it starts, its bytes as a binary attachment.
pub(super) fn chunk(id: Value) -> Value {
    object(
        Map::from_iter([
            ("id".to_owned(), id),
            (
                "offset".to_owned(),
                bytes_count("Where the chunk's bytes start in the file."),
            ),
            (
                "data".to_owned(),
                json!({ "type": "string", "contentEncoding": "binary", "x-eventwire-binary": "attachment", "description": "The chunk's bytes, as a Socket.IO binary attachment." }),
            ),
        ]),
        &["id", "offset", "data"],
    )
}

/// A frame of a channel's transfers, the same for all of them: it names a transfer, not
/// an upload or download.
pub(super) struct Frame {
    pub(super) event: &'static str,
    pub(super) summary: &'static str,
    pub(super) payload: Value,
    pub(super) way: Way,
}

/// Who sends a frame, and whether it is answered.
pub(super) enum Way {
    /// The server sends it; no answer.
    Sent,
    /// The client sends it; no answer.
    Received,
    /// The client sends it and the server answers (`summary`, `payload`).
    Answered(&'static str, Value),
}

/// Adds each frame's message and operation, and its answer's message.
pub(super) fn frame_messages(
    channel: &str,
    frames: impl IntoIterator<Item = Frame>,
    messages: &mut Map<String, Value>,
    operations: &mut Map<String, Value>,
) {
    for Frame {
        event,
        summary,
        payload,
        way,
    } in frames
    {
        let id = identifier(event);
        messages.insert(
            id.clone(),
            json!({ "name": event, "summary": summary, "payload": payload }),
        );
        let (action, reply) = match way {
            Way::Sent => ("send", None),
            Way::Received => ("receive", None),
            Way::Answered(summary, answer) => {
                let reply = format!("{id}.ack");
                messages.insert(
                    reply.clone(),
                    json!({
                        "name": format!("{event} (answer)"),
                        "summary": summary,
                        "payload": ack_response(&answer, None),
                    }),
                );
                ("receive", Some(reply))
            }
        };
        operations.insert(
            format!("{channel}.{id}"),
            operation(channel, action, &[&id], reply.as_deref()),
        );
    }
}
