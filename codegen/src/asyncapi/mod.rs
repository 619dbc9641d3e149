//! The AsyncAPI 3.0 document, `<stem>.asyncapi.json`: the contracts as a published
//! artifact that AsyncAPI tools (viewers, linters, other code generators) read.
//!
//! The document describes the server, so a client event is an operation the server
//! `receive`s (its acknowledgement the reply) and a server event one it `send`s (the
//! client's answer the reply). Per contract:
//!
//! - one channel, addressed by the namespace, holding one message per event (payload:
//!   the same JSON Schema as `<stem>.schema.json`, by reference into `components.schemas`,
//!   which holds that file's `$defs` under the same names), a `<event>.ack` message per
//!   answer (the `AckResponse` union), the handshake message whose payload is the auth
//!   object, and the `eventwire:fault` message; ids are `client.<event>` and
//!   `server.<event>`, since one name may be used both ways;
//! - one operation per event (`<Contract>.client.<event>`, `<Contract>.server.<event>`),
//!   plus `handshake`;
//! - per feed, `feed.<feed>.subscribe` (`eventwire:subscribe`, its payload naming the feed
//!   and carrying the filter schema), its reply `feed.<feed>.snapshot` (the snapshot, the
//!   resumed answer and the resync snapshot, or a refusal) and `feed.<feed>.change`
//!   (`eventwire:change`, with the key and, on a data feed, the item schema), all by
//!   reference to the same schemas; and once per channel with feeds, `eventwire_end` and
//!   `eventwire_unsubscribe`, which name a subscription, not a feed (in [`feeds`]);
//! - per upload, `upload.<upload>.start` (under the upload's own name: the metadata schema
//!   by reference, the size, the window) with its reply `upload.<upload>.started` (the
//!   transfer's id, chunk size and window), and `upload.<upload>.finish`
//!   (`eventwire:finish`, the SHA-256) with its reply `upload.<upload>.finished` (the
//!   upload's own answer and app error); and once per channel with uploads,
//!   `eventwire_chunk`, `eventwire_cancel` and `eventwire_resume` with their replies, which
//!   name a transfer, not an upload (in [`uploads`]);
//! - per download, `download.<download>.start` (under the download's own name: the request
//!   schema by reference, the offset to resume from, the window) with its reply
//!   `download.<download>.started` (the transfer's id, the file's size, name and media
//!   type, chunk size and window, or the download's app error); and once per channel with
//!   downloads, `eventwire_download-chunk` and `eventwire_download-end` (sent) and
//!   `eventwire_download-ack` and `eventwire_download-cancel` (received), which name a
//!   transfer, not a download (in [`downloads`]);
//! - the contract fingerprint the server checks, as `x-eventwire-fingerprint`.
//!
//! Each part of a channel comes from one function ([`handshake`], [`event_messages`],
//! [`feeds::feed_messages`], [`uploads::upload_messages`], [`downloads::download_messages`],
//! [`fault_message`]), adding its messages and operations without touching the others': a
//! new part of a contract gets a module of its own beside `feeds`, `uploads` and
//! `downloads` (the last two share their start, chunk and frames in [`transfers`]), built
//! from the helpers here ([`operation`], [`message_ref`],
//! [`ack_response`], [`to_components`], [`object`], [`bytes_count`]).

use serde_json::{Map, Value, json};

use eventwire::describe::{ContractDescription, Description, Direction, EventDescription};

use crate::error::GenerateError;

mod downloads;
mod feeds;
mod transfers;
mod uploads;

const FAULT: &str = "eventwire.Fault";
const ISSUE: &str = "eventwire.Issue";

/// The framework's own schemas, as the runtime sends them (`eventwire::Fault`).
fn framework_schemas() -> [(&'static str, Value); 2] {
    [
        (
            ISSUE,
            json!({
                "type": "object",
                "description": "One problem in a payload: where (a JSON path) and what.",
                "properties": {
                    "path": { "type": "array", "items": { "type": ["string", "integer"] } },
                    "code": { "type": "string" },
                    "message": { "type": "string" }
                },
                "required": ["path", "code", "message"]
            }),
        ),
        (
            FAULT,
            json!({
                "type": "object",
                "description": "eventwire's own answer when it refused or failed an event.",
                "properties": {
                    // Every `eventwire::FaultCode`, as the TypeScript `FaultCode` lists them.
                    "code": { "enum": [
                        "invalid_payload", "unknown_event", "internal", "forbidden", "rate_limited",
                        "unknown_feed", "subscription_limit",
                        "unknown_transfer", "transfer_limit", "invalid_chunk", "integrity"
                    ] },
                    "event": { "type": "string" },
                    "message": { "type": "string" },
                    "issues": { "type": "array", "items": { "$ref": format!("#/components/schemas/{ISSUE}") } },
                    "retryAfterMs": { "type": "integer", "minimum": 0 }
                },
                "required": ["code", "event", "message", "issues"]
            }),
        ),
    ]
}

/// The document, from the JSON Schema document (`schema::document`) of the same
/// description, so that both files share their schemas and names.
pub(crate) fn document(description: &Description, schema: &Value) -> Result<Value, GenerateError> {
    let mut schemas = Map::new();
    for (name, definition) in schema["$defs"].as_object().into_iter().flatten() {
        schemas.insert(name.clone(), to_components(definition));
    }
    for (name, definition) in framework_schemas() {
        schemas.insert(name.to_owned(), definition);
    }
    let entries = schema["x-eventwire-contracts"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut channels = Map::new();
    let mut operations = Map::new();
    let mut fingerprints = Vec::new();
    for (contract, entry) in description.contracts.iter().zip(&entries) {
        let fingerprint = crate::compat::of(description, contract)?;
        fingerprints.push(format!("{}@{fingerprint}", contract.name));
        let channel_id = identifier(contract.name);
        let mut messages = Map::new();
        handshake(contract, entry, &channel_id, &mut messages, &mut operations);
        event_messages(contract, entry, &channel_id, &mut messages, &mut operations);
        feeds::feed_messages(entry, &channel_id, &mut messages, &mut operations);
        uploads::upload_messages(entry, &channel_id, &mut messages, &mut operations);
        downloads::download_messages(entry, &channel_id, &mut messages, &mut operations);
        fault_message(&channel_id, &mut messages, &mut operations);
        let mut channel = Map::new();
        channel.insert("address".into(), json!(contract.namespace));
        channel.insert("title".into(), json!(contract.name));
        if !contract.docs.is_empty() {
            channel.insert("description".into(), json!(contract.docs));
        }
        let parameters = address_parameters(contract.namespace);
        if !parameters.is_empty() {
            channel.insert("parameters".into(), Value::Object(parameters));
        }
        channel.insert("messages".into(), Value::Object(messages));
        channel.insert("x-eventwire-fingerprint".into(), json!(fingerprint));
        channels.insert(channel_id, Value::Object(channel));
    }
    let title = description
        .contracts
        .iter()
        .map(|c| c.name)
        .collect::<Vec<_>>()
        .join(", ");
    Ok(json!({
        "asyncapi": "3.0.0",
        "info": {
            "title": if title.is_empty() { "eventwire API".to_owned() } else { title },
            // The contracts have no version number of their own; their fingerprints change
            // exactly when the wire does.
            "version": if fingerprints.is_empty() { "empty".to_owned() } else { fingerprints.join(" ") },
            "description": "Generated by eventwire from the Rust contracts. Do not edit: regenerate instead. \
                Served over Socket.IO: each channel is a namespace, each message an event.",
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": { "schemas": schemas },
    }))
}

/// The handshake: the CONNECT packet's `auth` object (with the contract's auth type, and
/// the fingerprint a generated client adds).
fn handshake(
    contract: &ContractDescription,
    entry: &Value,
    channel: &str,
    messages: &mut Map<String, Value>,
    operations: &mut Map<String, Value>,
) {
    let fingerprint = json!({
        "type": "string",
        "description": "The fingerprint of the contract the client was generated from; a server whose contract is not compatible with it refuses the connection with `contract_mismatch`. Plain clients leave it out."
    });
    // With a contract auth type, the payload is that type: the server removes the
    // fingerprint before reading it, so an auth type that denies unknown fields stays
    // exact. The key is documented beside it.
    let payload = match entry.get("auth") {
        Some(auth) => to_components(auth),
        None => json!({
            "type": "object",
            "properties": { eventwire::FINGERPRINT_KEY: fingerprint }
        }),
    };
    let required = if contract.auth.is_some() {
        "required"
    } else {
        "optional"
    };
    messages.insert(
        "handshake".into(),
        json!({
            "name": "handshake",
            "title": "Handshake auth",
            "summary": format!("The `auth` object of the Socket.IO CONNECT packet ({required}). A refusal answers with `connect_error`."),
            "description": format!(
                "A generated client adds `{}` (a string): {}",
                eventwire::FINGERPRINT_KEY,
                fingerprint["description"].as_str().unwrap_or_default()
            ),
            "payload": payload,
            "x-eventwire-fingerprint-key": eventwire::FINGERPRINT_KEY,
        }),
    );
    operations.insert(
        format!("{channel}.handshake"),
        json!({
            "action": "receive",
            "title": "Connect",
            "channel": { "$ref": format!("#/channels/{channel}") },
            "messages": [{ "$ref": format!("#/channels/{channel}/messages/handshake") }],
        }),
    );
}

/// One message per event, one per answer, and one operation per event.
fn event_messages(
    contract: &ContractDescription,
    entry: &Value,
    channel: &str,
    messages: &mut Map<String, Value>,
    operations: &mut Map<String, Value>,
) {
    let events = entry["events"].as_array().cloned().unwrap_or_default();
    for (event, described) in contract.events.iter().zip(&events) {
        // One name may be used both ways, so the sender is part of the id.
        let id = match event.direction {
            Direction::ClientToServer => format!("client.{}", identifier(event.name)),
            Direction::ServerToClient => format!("server.{}", identifier(event.name)),
        };
        messages.insert(id.clone(), event_message(event, described));
        let mut operation = Map::new();
        let action = match event.direction {
            Direction::ClientToServer => "receive",
            Direction::ServerToClient => "send",
        };
        operation.insert("action".into(), json!(action));
        operation.insert(
            "channel".into(),
            json!({ "$ref": format!("#/channels/{channel}") }),
        );
        if !event.docs.is_empty() {
            operation.insert("description".into(), json!(event.docs));
        }
        operation.insert("messages".into(), json!([message_ref(channel, &id)]));
        if let Some(ack) = described.get("ack") {
            let ack_id = format!("{id}.ack");
            let payload = match event.direction {
                // The server answers with the three-way `AckResponse`.
                Direction::ClientToServer => ack_response(ack, described.get("ackError")),
                // The client answers with the value itself.
                Direction::ServerToClient => to_components(ack),
            };
            messages.insert(
                ack_id.clone(),
                json!({
                    "name": format!("{} (answer)", event.name),
                    "summary": format!("The acknowledgement of `{}`.", event.name),
                    "payload": payload,
                }),
            );
            operation.insert(
                "reply".into(),
                json!({
                    "channel": { "$ref": format!("#/channels/{channel}") },
                    "messages": [message_ref(channel, &ack_id)],
                }),
            );
        }
        operations.insert(format!("{channel}.{id}"), Value::Object(operation));
    }
}

fn event_message(event: &EventDescription, described: &Value) -> Value {
    let mut message = Map::new();
    message.insert("name".into(), json!(event.name));
    message.insert(
        "title".into(),
        json!(format!(
            "{} ({})",
            event.variant,
            match event.direction {
                Direction::ClientToServer => "client to server",
                Direction::ServerToClient => "server to client",
            }
        )),
    );
    if !event.docs.is_empty() {
        message.insert("description".into(), json!(event.docs));
    }
    // An event without payload has no argument: described as `null`.
    let payload = described
        .get("payload")
        .map(to_components)
        .unwrap_or_else(|| json!({ "type": "null" }));
    message.insert("payload".into(), payload);
    Value::Object(message)
}

/// A reference to message `id` of `channel`.
pub(super) fn message_ref(channel: &str, id: &str) -> Value {
    json!({ "$ref": format!("#/channels/{channel}/messages/{id}") })
}

/// An operation of `channel` on `messages`, answered by `reply` when given.
pub(super) fn operation(
    channel: &str,
    action: &str,
    messages: &[&str],
    reply: Option<&str>,
) -> Value {
    let channel_ref = json!({ "$ref": format!("#/channels/{channel}") });
    let mut operation = json!({
        "action": action,
        "channel": channel_ref,
        "messages": messages.iter().map(|id| message_ref(channel, id)).collect::<Vec<_>>(),
    });
    if let Some(reply) = reply {
        operation["reply"] =
            json!({ "channel": channel_ref, "messages": [message_ref(channel, reply)] });
    }
    operation
}

/// Adds operation `<channel>.<message>`: the server receives `message`, answered with
/// `reply`.
pub(super) fn receive_answered(
    operations: &mut Map<String, Value>,
    channel: &str,
    message: &str,
    reply: &str,
) {
    operations.insert(
        format!("{channel}.{message}"),
        operation(channel, "receive", &[message], Some(reply)),
    );
}

/// The fault event for events sent without acknowledgement.
fn fault_message(
    channel: &str,
    messages: &mut Map<String, Value>,
    operations: &mut Map<String, Value>,
) {
    messages.insert(
        "eventwire_fault".into(),
        json!({
            "name": eventwire::FAULT_EVENT,
            "summary": "A fault for an event sent without acknowledgement.",
            "payload": { "$ref": format!("#/components/schemas/{FAULT}") },
        }),
    );
    operations.insert(
        format!("{channel}.eventwire_fault"),
        operation(channel, "send", &["eventwire_fault"], None),
    );
}

/// `AckResponse<T, E>`: `{ok: true, data}`, `{ok: false, error}` or `{ok: false, fault}`.
pub(super) fn ack_response(data: &Value, error: Option<&Value>) -> Value {
    let mut forms = vec![json!({
        "type": "object",
        "properties": { "ok": { "const": true }, "data": to_components(data) },
        "required": ["ok", "data"]
    })];
    if let Some(error) = error {
        forms.push(json!({
            "type": "object",
            "properties": { "ok": { "const": false }, "error": to_components(error) },
            "required": ["ok", "error"]
        }));
    }
    forms.push(json!({
        "type": "object",
        "properties": { "ok": { "const": false }, "fault": { "$ref": format!("#/components/schemas/{FAULT}") } },
        "required": ["ok", "fault"]
    }));
    json!({ "oneOf": forms })
}

/// A closed object of `properties`, `required` ones listed.
pub(super) fn object(properties: Map<String, Value>, required: &[&str]) -> Value {
    json!({ "type": "object", "properties": properties, "required": required, "additionalProperties": false })
}

/// A number of bytes: JSON numbers, below 2^53.
pub(super) fn bytes_count(description: &str) -> Value {
    json!({ "type": "integer", "minimum": 0, "maximum": eventwire::wire::MAX_SAFE_INTEGER, "description": description })
}

/// Points `#/$defs/X` references at `#/components/schemas/X`.
pub(super) fn to_components(schema: &Value) -> Value {
    crate::schema::map_definition_refs(schema, &|name| format!("#/components/schemas/{name}"))
}

/// `{tenant}` in a dynamic namespace's address is a channel parameter.
fn address_parameters(address: &str) -> Map<String, Value> {
    let mut parameters = Map::new();
    let mut rest = address;
    while let Some(start) = rest.find('{') {
        let Some(end) = rest[start..].find('}') else {
            break;
        };
        let name = &rest[start + 1..start + end];
        parameters.insert(
            name.to_owned(),
            json!({ "description": "A segment of the namespace path." }),
        );
        rest = &rest[start + end + 1..];
    }
    parameters
}

/// An id AsyncAPI accepts for channels, messages and operations (`[\w.-]+`).
pub(super) fn identifier(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect()
}
