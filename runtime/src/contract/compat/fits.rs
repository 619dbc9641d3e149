//! Whether every value one schema allows is allowed by another, for the JSON Schema that
//! schemars writes. Conservative: a difference it cannot reason about is reported.

use serde_json::{Map, Value};

/// Who sends the values and who must accept them, for the sentences of a report.
#[derive(Clone, Copy)]
pub(crate) struct Roles {
    pub(crate) sender: &'static str,
    pub(crate) receiver: &'static str,
    /// Whether the old version is the sending side.
    pub(crate) old_sends: bool,
}

/// What an old client sends, which the new server must accept.
pub(crate) const OLD_CLIENT_SENDS: Roles = Roles {
    sender: "an old client",
    receiver: "the new server",
    old_sends: true,
};

/// What the new server sends, which an old client's types must allow.
pub(crate) const NEW_SERVER_SENDS: Roles = Roles {
    sender: "the new server",
    receiver: "an old client",
    old_sends: false,
};

/// Keywords this module reasons about; any other one that differs is reported as is.
const UNDERSTOOD: &[&str] = &[
    "type",
    "const",
    "enum",
    "oneOf",
    "anyOf",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "prefixItems",
    "format",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "minProperties",
    "maxProperties",
];

/// Appends to `problems` one sentence per way a value allowed by `narrow` can fall outside
/// `wide`. `at` is the place in the value (`""` for the whole of it).
pub(crate) fn fits(
    narrow: &Value,
    wide: &Value,
    at: &str,
    roles: Roles,
    problems: &mut Vec<String>,
) {
    if narrow == wide {
        return;
    }
    let where_ = || {
        if at.is_empty() {
            String::new()
        } else {
            format!(" at `{at}`")
        }
    };
    let wide = match wide {
        Value::Bool(true) => return,
        Value::Bool(false) => {
            problems.push(format!(
                "{}{} may send a value, which {} no longer allows at all",
                roles.sender,
                where_(),
                roles.receiver
            ));
            return;
        }
        Value::Object(wide) if wide.is_empty() => return,
        Value::Object(wide) => wide,
        _ => return generic(narrow, &Value::Null, at, roles, problems),
    };
    let narrow = match narrow {
        Value::Object(narrow) => narrow,
        _ => {
            problems.push(format!(
                "{}{} may send any value, which {} restricts",
                roles.sender,
                where_(),
                roles.receiver
            ));
            return;
        }
    };

    // A union on the sending side: each of its forms must fit.
    if let Some(forms) = union(narrow) {
        for form in forms {
            fits(&form, &Value::Object(wide.clone()), at, roles, problems);
        }
        return;
    }
    // A union on the receiving side: one of its forms must take the value. An `enum` on the
    // sending side is a union of its values (schemars writes `enum` for unit variants
    // without docs, and `oneOf` of `const`s when they have docs).
    if let Some(forms) = union(wide) {
        if let Some(Value::Array(choices)) = narrow.get("enum")
            && choices.len() > 1
        {
            for choice in choices {
                let mut single = narrow.clone();
                single.remove("enum");
                single.insert("const".into(), choice.clone());
                fits(
                    &Value::Object(single),
                    &Value::Object(wide.clone()),
                    at,
                    roles,
                    problems,
                );
            }
            return;
        }
        let narrow = Value::Object(narrow.clone());
        let mut closest: Option<Vec<String>> = None;
        for form in &forms {
            let mut found = Vec::new();
            fits(&narrow, form, at, roles, &mut found);
            if found.is_empty() {
                return;
            }
            if closest.as_ref().is_none_or(|c| found.len() < c.len()) {
                closest = Some(found);
            }
        }
        problems.extend(closest.unwrap_or_else(|| {
            vec![format!(
                "{}{} may send a value that {} accepts in none of its forms",
                roles.sender,
                where_(),
                roles.receiver
            )]
        }));
        return;
    }
    if narrow.contains_key("$ref")
        || wide.contains_key("$ref")
        || narrow.contains_key("allOf")
        || wide.contains_key("allOf")
    {
        return generic(
            &Value::Object(narrow.clone()),
            &Value::Object(wide.clone()),
            at,
            roles,
            problems,
        );
    }

    // Types.
    let narrow_types = types(narrow);
    if let Some(wide_types) = types(wide) {
        match &narrow_types {
            None => problems.push(format!(
                "{}{} may send any type, where {} expects {}",
                roles.sender,
                where_(),
                roles.receiver,
                wide_types.join(" or ")
            )),
            Some(narrow_types) => {
                for t in narrow_types {
                    let taken = wide_types.contains(t)
                        || (t == "integer" && wide_types.iter().any(|w| w == "number"));
                    if !taken {
                        problems.push(format!(
                            "{}{} may send {}, where {} expects {}",
                            roles.sender,
                            where_(),
                            article(t),
                            roles.receiver,
                            wide_types.join(" or ")
                        ));
                    }
                }
            }
        }
    }

    // Fixed values.
    let narrow_values = values(narrow);
    if let Some(wide_values) = values(wide) {
        match &narrow_values {
            None => problems.push(format!(
                "{}{} may send any value, where {} accepts only {}",
                roles.sender,
                where_(),
                roles.receiver,
                list(&wide_values)
            )),
            Some(narrow_values) => {
                for value in narrow_values {
                    if !wide_values.contains(value) {
                        problems.push(format!(
                            "{}{} may send {value}, which {} does not know",
                            roles.sender,
                            where_(),
                            roles.receiver
                        ));
                    }
                }
            }
        }
    }

    // Bounds (not checked for fixed values, which either fit or were reported).
    if narrow_values.is_none() {
        for key in [
            "minimum",
            "exclusiveMinimum",
            "minLength",
            "minItems",
            "minProperties",
        ] {
            bound(narrow, wide, key, true, at, roles, problems);
        }
        for key in [
            "maximum",
            "exclusiveMaximum",
            "maxLength",
            "maxItems",
            "maxProperties",
        ] {
            bound(narrow, wide, key, false, at, roles, problems);
        }
    }
    // An integer's `format` (`uint8`, `int32`) repeats its bounds; a string's (`email`) does not.
    let numeric = narrow_types
        .as_ref()
        .is_some_and(|t| t.iter().all(|t| t == "integer" || t == "number"));
    if let Some(format) = wide.get("format")
        && !numeric
        && narrow.get("format") != Some(format)
    {
        problems.push(format!(
            "{}{} may send text that is not `{}`, which {} requires",
            roles.sender,
            where_(),
            format.as_str().unwrap_or_default(),
            roles.receiver
        ));
    }

    object(narrow, wide, at, roles, problems);
    array(narrow, wide, at, roles, problems);

    for (key, value) in wide {
        if !UNDERSTOOD.contains(&key.as_str()) && narrow.get(key) != Some(value) {
            problems.push(format!(
                "{}{}: `{key}` changed from {} to {value}, which cannot be shown to be compatible",
                roles.receiver,
                where_(),
                narrow
                    .get(key)
                    .map_or("nothing".to_owned(), Value::to_string)
            ));
        }
    }
}

fn generic(narrow: &Value, wide: &Value, at: &str, roles: Roles, problems: &mut Vec<String>) {
    let at = if at.is_empty() {
        String::new()
    } else {
        format!(" at `{at}`")
    };
    problems.push(format!(
        "the schema{at} changed from {narrow} to {wide}, which cannot be shown to accept everything {} may send",
        roles.sender
    ));
}

fn object(
    narrow: &Map<String, Value>,
    wide: &Map<String, Value>,
    at: &str,
    roles: Roles,
    problems: &mut Vec<String>,
) {
    let empty = Map::new();
    let narrow_properties = narrow
        .get("properties")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let wide_properties = wide
        .get("properties")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let required = |schema: &Map<String, Value>| -> Vec<String> {
        schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| {
                r.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };
    let narrow_required = required(narrow);
    for field in required(wide) {
        if !narrow_required.contains(&field) {
            problems.push(format!(
                "{} may leave out `{}`, which {} requires",
                roles.sender,
                join(at, &field),
                roles.receiver
            ));
        }
    }
    // Fields the sender's schema does not declare are taken as absent: a generated client
    // and a serde server only send declared ones.
    for (field, schema) in narrow_properties {
        let place = join(at, field);
        match (wide_properties.get(field), wide.get("additionalProperties")) {
            (Some(wide_schema), _) => fits(schema, wide_schema, &place, roles, problems),
            (None, Some(Value::Bool(false))) => problems.push(format!(
                "{} may send `{place}`, which {} refuses (it denies unknown fields)",
                roles.sender, roles.receiver
            )),
            (None, Some(extra @ Value::Object(_))) => fits(schema, extra, &place, roles, problems),
            (None, _) => {}
        }
    }
    // A map: its values.
    if let Some(extra @ Value::Object(_)) = narrow.get("additionalProperties") {
        let place = join(at, "*");
        match wide.get("additionalProperties") {
            Some(Value::Bool(false)) => problems.push(format!(
                "{} may send any key{}, which {} refuses",
                roles.sender,
                if at.is_empty() {
                    String::new()
                } else {
                    format!(" in `{at}`")
                },
                roles.receiver
            )),
            Some(wide_extra) => fits(extra, wide_extra, &place, roles, problems),
            None => {}
        }
    }
}

fn array(
    narrow: &Map<String, Value>,
    wide: &Map<String, Value>,
    at: &str,
    roles: Roles,
    problems: &mut Vec<String>,
) {
    let place = format!("{at}[]");
    match (narrow.get("items"), wide.get("items")) {
        (Some(n), Some(w)) => fits(n, w, &place, roles, problems),
        (None, Some(w)) if narrow.get("prefixItems").is_none() => {
            fits(&Value::Bool(true), w, &place, roles, problems)
        }
        _ => {}
    }
    match (narrow.get("prefixItems"), wide.get("prefixItems")) {
        (Some(Value::Array(n)), Some(Value::Array(w))) if n.len() == w.len() => {
            for (i, (n, w)) in n.iter().zip(w).enumerate() {
                fits(n, w, &format!("{at}[{i}]"), roles, problems);
            }
        }
        (None, None) => {}
        (n, w) if n != w => problems.push(format!(
            "the tuple{} changed its elements, so {} may send one that {} reads differently",
            if at.is_empty() {
                String::new()
            } else {
                format!(" at `{at}`")
            },
            roles.sender,
            roles.receiver
        )),
        _ => {}
    }
}

#[allow(clippy::too_many_arguments)]
fn bound(
    narrow: &Map<String, Value>,
    wide: &Map<String, Value>,
    key: &str,
    lower: bool,
    at: &str,
    roles: Roles,
    problems: &mut Vec<String>,
) {
    let Some(limit) = wide.get(key).and_then(Value::as_f64) else {
        return;
    };
    let within = narrow
        .get(key)
        .and_then(Value::as_f64)
        .is_some_and(|own| if lower { own >= limit } else { own <= limit });
    if !within {
        let at = if at.is_empty() {
            String::new()
        } else {
            format!(" at `{at}`")
        };
        let sent = narrow
            .get(key)
            .map_or("no such limit".to_owned(), |v| format!("{key} {v}"));
        problems.push(format!(
            "{}{at} may send values beyond {key} {}, which {} requires ({} has {sent})",
            roles.sender, wide[key], roles.receiver, roles.sender
        ));
    }
}

/// The forms of a `oneOf` / `anyOf`, each with the keywords beside it.
fn union(schema: &Map<String, Value>) -> Option<Vec<Value>> {
    let key = ["oneOf", "anyOf"]
        .into_iter()
        .find(|k| schema.contains_key(*k))?;
    let forms = schema[key].as_array()?;
    let mut base = schema.clone();
    base.remove(key);
    Some(
        forms
            .iter()
            .map(|form| match form {
                Value::Object(form) => {
                    let mut merged = base.clone();
                    merged.extend(form.clone());
                    Value::Object(merged)
                }
                other if base.is_empty() => other.clone(),
                _ => Value::Object(base.clone()),
            })
            .collect(),
    )
}

fn types(schema: &Map<String, Value>) -> Option<Vec<String>> {
    match schema.get("type") {
        Some(Value::String(t)) => Some(vec![t.clone()]),
        Some(Value::Array(ts)) => Some(
            ts.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
        ),
        _ => None,
    }
}

fn values(schema: &Map<String, Value>) -> Option<Vec<Value>> {
    if let Some(value) = schema.get("const") {
        return Some(vec![value.clone()]);
    }
    schema.get("enum").and_then(Value::as_array).cloned()
}

fn list(values: &[Value]) -> String {
    values
        .iter()
        .map(Value::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn article(t: &str) -> String {
    match t {
        "integer" | "array" | "object" => format!("an {t}"),
        "null" => "null".to_owned(),
        _ => format!("a {t}"),
    }
}

fn join(at: &str, field: &str) -> String {
    if at.is_empty() {
        field.to_owned()
    } else {
        format!("{at}.{field}")
    }
}
