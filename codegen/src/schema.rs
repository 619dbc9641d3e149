//! The JSON Schema (2020-12) document: every type under its TypeScript name, and each
//! contract's events pointing into it.

use serde_json::{Map, Value, json};

use eventwire::describe::{Description, Direction};

use crate::names::{Names, Side};

pub(crate) fn document(description: &Description) -> Value {
    let names = Names::new(
        &description.incoming_definitions,
        &description.outgoing_definitions,
    );
    let mut defs = Map::new();
    for declaration in names.declarations() {
        defs.insert(
            declaration.name.clone(),
            rename_refs(declaration.schema, &names, declaration.side),
        );
    }
    let contracts: Vec<Value> = description
        .contracts
        .iter()
        .map(|contract| {
            let events: Vec<Value> = contract
                .events
                .iter()
                .map(|event| {
                    let (payload_side, ack_side, direction) = match event.direction {
                        Direction::ClientToServer => (Side::Input, Side::Output, "clientToServer"),
                        Direction::ServerToClient => (Side::Output, Side::Input, "serverToClient"),
                    };
                    let mut entry = Map::new();
                    entry.insert("name".into(), json!(event.name));
                    entry.insert("direction".into(), json!(direction));
                    if !event.docs.is_empty() {
                        entry.insert("description".into(), json!(event.docs));
                    }
                    if let Some(payload) = &event.payload {
                        entry.insert(
                            "payload".into(),
                            rename_refs(payload.as_value(), &names, payload_side),
                        );
                    }
                    if let Some(ack) = &event.ack {
                        entry.insert(
                            "ack".into(),
                            rename_refs(ack.data.as_value(), &names, ack_side),
                        );
                        if let Some(error) = &ack.error {
                            entry.insert(
                                "ackError".into(),
                                rename_refs(error.as_value(), &names, ack_side),
                            );
                        }
                    }
                    Value::Object(entry)
                })
                .collect();
            let mut entry =
                json!({ "name": contract.name, "namespace": contract.namespace, "events": events });
            if let Some(auth) = &contract.auth {
                entry["auth"] = rename_refs(auth.as_value(), &names, Side::Input);
            }
            if !contract.feeds.is_empty() {
                let feeds: Vec<Value> = contract
                    .feeds
                    .iter()
                    .map(|feed| {
                        let mut entry = json!({
                            "name": feed.name,
                            "mode": if feed.notify { "notify" } else { "data" },
                            "item": rename_refs(feed.item.as_value(), &names, Side::Output),
                            "key": rename_refs(feed.key.as_value(), &names, Side::Output),
                            "filter": rename_refs(feed.filter.as_value(), &names, Side::Input),
                        });
                        if !feed.docs.is_empty() {
                            entry["description"] = json!(feed.docs);
                        }
                        if let Some(error) = &feed.error {
                            entry["error"] = rename_refs(error.as_value(), &names, Side::Output);
                        }
                        entry
                    })
                    .collect();
                entry["feeds"] = json!(feeds);
            }
            if !contract.uploads.is_empty() {
                let uploads: Vec<Value> = contract
                    .uploads
                    .iter()
                    .map(|upload| {
                        let mut entry = json!({
                            "name": upload.name,
                            "meta": rename_refs(upload.meta.as_value(), &names, Side::Input),
                        });
                        if !upload.docs.is_empty() {
                            entry["description"] = json!(upload.docs);
                        }
                        if let Some(max) = upload.max_size {
                            entry["maxSize"] = json!(max);
                        }
                        if let Some(ack) = &upload.ack {
                            entry["ack"] = rename_refs(ack.data.as_value(), &names, Side::Output);
                            if let Some(error) = &ack.error {
                                entry["error"] =
                                    rename_refs(error.as_value(), &names, Side::Output);
                            }
                        }
                        entry
                    })
                    .collect();
                entry["uploads"] = json!(uploads);
            }
            if !contract.downloads.is_empty() {
                let downloads: Vec<Value> = contract
                    .downloads
                    .iter()
                    .map(|download| {
                        let mut entry = json!({
                            "name": download.name,
                            "request": rename_refs(download.request.as_value(), &names, Side::Input),
                        });
                        if !download.docs.is_empty() {
                            entry["description"] = json!(download.docs);
                        }
                        if let Some(error) = &download.error {
                            entry["error"] = rename_refs(error.as_value(), &names, Side::Output);
                        }
                        entry
                    })
                    .collect();
                entry["downloads"] = json!(downloads);
            }
            entry
        })
        .collect();
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$comment": "Generated by eventwire from the Rust contracts. Do not edit: regenerate instead.",
        "$defs": defs,
        "x-eventwire-contracts": contracts,
    })
}

/// Points `$ref`s at the TypeScript-named definitions of `side`.
fn rename_refs(schema: &Value, names: &Names<'_>, side: Side) -> Value {
    map_definition_refs(schema, &|def| format!("#/$defs/{}", names.name(def, side)))
}

/// The schema with every `$ref` to a definition (`#/$defs/X`) replaced by `target(X)`;
/// other references are kept.
pub(crate) fn map_definition_refs(schema: &Value, target: &dyn Fn(&str) -> String) -> Value {
    match schema {
        Value::Object(object) => Value::Object(
            object
                .iter()
                .map(|(key, value)| {
                    let value = match (key.as_str(), value) {
                        ("$ref", Value::String(r)) => match r.strip_prefix("#/$defs/") {
                            Some(def) => Value::String(target(def)),
                            None => value.clone(),
                        },
                        _ => map_definition_refs(value, target),
                    };
                    (key.clone(), value)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|item| map_definition_refs(item, target))
                .collect(),
        ),
        other => other.clone(),
    }
}
