//! The feeds of a channel: per feed, its subscribe (with the filter), the snapshot that
//! answers it and its changes; once per channel with feeds, the end and unsubscribe
//! messages, which name a subscription, not a feed.

use serde_json::{Map, Value, json};

use super::{ack_response, identifier, operation, to_components};

/// A 64-bit offset, sent as a decimal string.
fn offset_schema(description: &str) -> Value {
    json!({ "type": "string", "pattern": "^[0-9]+$", "description": description })
}

/// Per feed: the subscribe operation (with the filter) and its snapshot reply, and the
/// change message (with the key and the item); once per channel with feeds, the end and
/// unsubscribe messages. Frames as `docs/protocol.md` documents them.
pub(super) fn feed_messages(
    entry: &Value,
    channel: &str,
    messages: &mut Map<String, Value>,
    operations: &mut Map<String, Value>,
) {
    let feeds = entry["feeds"].as_array().cloned().unwrap_or_default();
    for feed in &feeds {
        let name = feed["name"].as_str().unwrap_or_default();
        let id = format!("feed.{}", identifier(name));
        let data = feed["mode"] == "data";
        let item = to_components(&feed["item"]);
        let key = to_components(&feed["key"]);
        let docs = feed["description"].as_str().unwrap_or_default();
        let mut subscribe = json!({
            "name": eventwire::feed::SUBSCRIBE_EVENT,
            "title": format!("Subscribe to `{name}`"),
            "summary": format!("Subscribes to the `{name}` feed ({} mode) with a filter; answered with the snapshot.", if data { "data" } else { "notify" }),
            "payload": {
                "type": "object",
                "properties": {
                    "feed": { "const": name },
                    "filter": to_components(&feed["filter"]),
                    "resume": {
                        "type": "object",
                        "description": "Where a reconnecting client left off: its snapshot's epoch and the offset of the last change it applied.",
                        "properties": {
                            "epoch": { "type": "string" },
                            "offset": offset_schema("The offset of the last change applied."),
                        },
                        "required": ["epoch", "offset"],
                        "additionalProperties": false
                    }
                },
                "required": ["feed"],
                "additionalProperties": false
            },
        });
        if !docs.is_empty() {
            subscribe["description"] = json!(docs);
        }
        messages.insert(format!("{id}.subscribe"), subscribe);
        messages.insert(
            format!("{id}.snapshot"),
            json!({
                "name": format!("{} (answer)", eventwire::feed::SUBSCRIBE_EVENT),
                "summary": format!("The acknowledgement of a subscribe to `{name}`: the snapshot, the resumed answer or a resync snapshot, or a refusal."),
                "payload": ack_response(&snapshot(data, &key, &item), feed.get("error")),
            }),
        );
        let mut change = json!({
            "type": "object",
            "properties": {
                "id": { "type": "string", "description": "The subscription." },
                "offset": offset_schema("The change's offset in the feed."),
                "action": { "enum": ["added", "updated", "removed"] },
                "key": key,
            },
            "required": ["id", "offset", "action", "key"],
            "additionalProperties": false
        });
        if data {
            change["properties"]["item"] = item;
            change["description"] =
                json!("`item` is sent for `added` and `updated`, never for `removed`.");
        }
        messages.insert(
            format!("{id}.change"),
            json!({
                "name": eventwire::feed::CHANGE_EVENT,
                "title": format!("A change of `{name}`"),
                "summary": format!("One change of the `{name}` feed for one subscription, in order."),
                "payload": change,
            }),
        );
        operations.insert(
            format!("{channel}.{id}.subscribe"),
            operation(
                channel,
                "receive",
                &[&format!("{id}.subscribe")],
                Some(&format!("{id}.snapshot")),
            ),
        );
        operations.insert(
            format!("{channel}.{id}.change"),
            operation(channel, "send", &[&format!("{id}.change")], None),
        );
    }
    if feeds.is_empty() {
        return;
    }
    messages.insert(
        "eventwire_end".into(),
        json!({
            "name": eventwire::feed::END_EVENT,
            "summary": "The server ended a subscription; no change of it follows.",
            "payload": {
                "type": "object",
                "properties": {
                    "id": { "type": "string", "description": "The subscription." },
                    "reason": { "enum": ["revoked", "overflow"] },
                    "message": { "type": "string" }
                },
                "required": ["id", "reason", "message"]
            },
        }),
    );
    messages.insert(
        "eventwire_unsubscribe".into(),
        json!({
            "name": eventwire::feed::UNSUBSCRIBE_EVENT,
            "summary": "Ends a subscription of this connection (an id it does not hold is not an error).",
            "payload": {
                "type": "object",
                "properties": { "id": { "type": "string" } },
                "required": ["id"],
                "additionalProperties": false
            },
        }),
    );
    messages.insert(
        "eventwire_unsubscribe.ack".into(),
        json!({
            "name": format!("{} (answer)", eventwire::feed::UNSUBSCRIBE_EVENT),
            "summary": "The acknowledgement of an unsubscribe.",
            "payload": ack_response(&json!({ "type": "null" }), None),
        }),
    );
    operations.insert(
        format!("{channel}.eventwire_end"),
        operation(channel, "send", &["eventwire_end"], None),
    );
    operations.insert(
        format!("{channel}.eventwire_unsubscribe"),
        operation(
            channel,
            "receive",
            &["eventwire_unsubscribe"],
            Some("eventwire_unsubscribe.ack"),
        ),
    );
}

/// A subscribe's answer: the snapshot (`resumed` absent), the resumed answer (`resumed:
/// true`, no snapshot: the missed changes follow) or a resync snapshot (`resumed: false`).
/// A notify feed's snapshot has keys only.
fn snapshot(data: bool, key: &Value, item: &Value) -> Value {
    let head = json!({
        "id": { "type": "string", "description": "The subscription, named by its changes, its end and unsubscribe." },
        "epoch": { "type": "string", "description": "The feed's epoch: offsets count within it." },
        "offset": offset_schema("The offset of the last change the snapshot reflects at least."),
    });
    let mut fresh = head.clone();
    fresh["keys"] = json!({ "type": "array", "items": key, "description": "The key of each item, in the order of `items`." });
    let mut required = vec!["id", "epoch", "offset", "keys"];
    if data {
        fresh["items"] = json!({ "type": "array", "items": item });
        required.push("items");
    }
    let mut resync = fresh.clone();
    resync["resumed"] = json!({ "const": false });
    let mut resumed = head;
    resumed["resumed"] = json!({ "const": true });
    let form = |properties: Value, required: &[&str], title: &str| json!({ "title": title, "type": "object", "properties": properties, "required": required });
    let mut resync_required = required.clone();
    resync_required.push("resumed");
    let mut snapshot = form(fresh, &required, "snapshot");
    // A first subscribe's snapshot has no `resumed`: it is not a resync.
    snapshot["not"] = json!({ "required": ["resumed"] });
    json!({ "oneOf": [
        snapshot,
        form(resumed, &["id", "epoch", "offset", "resumed"], "resumed"),
        form(resync, &resync_required, "resync"),
    ] })
}
