//! JSON Schema (as schemars writes it) to TypeScript types (the [`ts_model`] printed
//! once) and JSDoc lines.
//!
//! [`ts_model`]: crate::ts_model

use serde_json::{Map, Value};

use crate::error::GenerateError;
use crate::ts_model::{Keyword, Member, MemberKind, Type};

/// Largest integer a JavaScript number holds exactly (2^53 − 1 is exact as an `f64`).
const MAX_SAFE: f64 = eventwire::wire::MAX_SAFE_INTEGER as f64;

/// Resolves `#/$defs/Name` references to TypeScript type names.
pub(crate) trait Resolve {
    fn resolve(&self, def: &str) -> String;
}

/// Translates one schema; `location` names it in errors (`Type.field`).
pub(crate) fn type_of(
    schema: &Value,
    location: &str,
    names: &dyn Resolve,
) -> Result<Type, GenerateError> {
    let object = match schema {
        Value::Bool(true) => return Ok(Type::Keyword(Keyword::Unknown)),
        Value::Bool(false) => return Ok(Type::Keyword(Keyword::Never)),
        Value::Object(object) => object,
        _ => {
            return Err(unsupported(
                location,
                "a schema must be an object or a boolean",
            ));
        }
    };
    // `{"not": {}}` matches nothing: how schemars writes the schema `false` once it
    // carries a description.
    if object.get("not").is_some_and(|not| {
        not == &Value::Bool(true) || not.as_object().is_some_and(|o| o.is_empty())
    }) {
        return Ok(Type::Keyword(Keyword::Never));
    }
    let mut parts = Vec::new();
    if let Some(Value::String(reference)) = object.get("$ref") {
        let name = reference
            .strip_prefix("#/$defs/")
            .ok_or_else(|| unsupported(location, &format!("reference `{reference}`")))?;
        parts.push(Type::named(names.resolve(&percent_decode(name))));
    }
    if let Some(value) = object.get("const") {
        return Ok(Type::Literal(value.clone()));
    }
    if let Some(Value::Array(values)) = object.get("enum") {
        return Ok(Type::union(
            values.iter().cloned().map(Type::Literal).collect(),
        ));
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(Value::Array(options)) = object.get(key) {
            let options = options
                .iter()
                .map(|o| type_of(o, location, names))
                .collect::<Result<Vec<_>, _>>()?;
            parts.push(Type::union(options));
        }
    }
    if let Some(Value::Array(all)) = object.get("allOf") {
        for schema in all {
            parts.push(type_of(schema, location, names)?);
        }
    }
    match object.get("type") {
        Some(Value::String(ty)) => parts.push(primitive(ty, object, location, names)?),
        Some(Value::Array(types)) => {
            let options = types
                .iter()
                .map(|t| match t {
                    Value::String(ty) => primitive(ty, object, location, names),
                    _ => Err(unsupported(location, "a non-string in `type`")),
                })
                .collect::<Result<Vec<_>, _>>()?;
            parts.push(Type::union(options));
        }
        // Properties beside a reference: an internally tagged newtype variant.
        None if object.contains_key("properties") => {
            parts.push(object_type(object, location, names)?)
        }
        _ => {}
    }
    Ok(match parts.len() {
        0 => Type::Keyword(Keyword::Unknown),
        1 => parts.pop().expect("one part"),
        _ => Type::Intersection(parts),
    })
}

fn primitive(
    ty: &str,
    object: &Map<String, Value>,
    location: &str,
    names: &dyn Resolve,
) -> Result<Type, GenerateError> {
    Ok(match ty {
        "string" if is_binary(object) => binary_type(object),
        "string" => Type::Keyword(Keyword::String),
        "boolean" => Type::Keyword(Keyword::Boolean),
        "null" => Type::Keyword(Keyword::Null),
        "number" => Type::Keyword(Keyword::Number),
        "integer" => {
            check_integer(object, location)?;
            Type::Keyword(Keyword::Number)
        }
        "array" => array_type(object, location, names)?,
        "object" => object_type(object, location, names)?,
        other => return Err(unsupported(location, &format!("type `{other}`"))),
    })
}

/// Binary data (`eventwire::wire::Binary`): raw octets in a Socket.IO attachment.
fn is_binary(object: &Map<String, Value>) -> bool {
    object.get("contentEncoding").and_then(Value::as_str) == Some("binary")
}

/// The client receives a `Uint8Array` (the typed client converts `ArrayBuffer` and
/// `Buffer`); it may send any binary socket.io-client sends (a Node `Buffer` is a
/// `Uint8Array`).
fn binary_type(object: &Map<String, Value>) -> Type {
    if object.contains_key("x-eventwire-binary") {
        Type::union(vec![Type::named("Uint8Array"), Type::named("ArrayBuffer")])
    } else {
        Type::named("Uint8Array")
    }
}

/// 64-bit (and pointer-sized) integers must be bounded to the safe range to be `number`s.
fn check_integer(object: &Map<String, Value>, location: &str) -> Result<(), GenerateError> {
    let Some(Value::String(format)) = object.get("format") else {
        return Ok(());
    };
    if !matches!(
        format.as_str(),
        "int64" | "uint64" | "int" | "uint" | "int128" | "uint128"
    ) {
        return Ok(());
    }
    let bound = |key: &str| object.get(key).and_then(Value::as_f64);
    let safe_max = bound("maximum").is_some_and(|max| max <= MAX_SAFE);
    let safe_min = bound("minimum").is_some_and(|min| min >= -MAX_SAFE);
    if safe_max && safe_min {
        Ok(())
    } else {
        Err(GenerateError::UnsafeInteger {
            location: location.to_owned(),
            format: format.clone(),
        })
    }
}

fn array_type(
    object: &Map<String, Value>,
    location: &str,
    names: &dyn Resolve,
) -> Result<Type, GenerateError> {
    if let Some(Value::Array(prefix)) = object.get("prefixItems") {
        let items = prefix
            .iter()
            .enumerate()
            .map(|(i, item)| type_of(item, &format!("{location}[{i}]"), names))
            .collect::<Result<Vec<_>, _>>()?;
        return Ok(Type::Tuple(items));
    }
    let item = match object.get("items") {
        Some(items) => type_of(items, &format!("{location}[]"), names)?,
        None => Type::Keyword(Keyword::Unknown),
    };
    Ok(Type::Array(Box::new(item)))
}

fn object_type(
    object: &Map<String, Value>,
    location: &str,
    names: &dyn Resolve,
) -> Result<Type, GenerateError> {
    let required: Vec<&str> = match object.get("required") {
        Some(Value::Array(keys)) => keys.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let mut members = Vec::new();
    if let Some(Value::Object(properties)) = object.get("properties") {
        for (key, schema) in properties {
            let ty = type_of(schema, &format!("{location}.{key}"), names)?;
            let member = if required.contains(&key.as_str()) {
                Member::property(key, ty)
            } else {
                Member::optional(key, ty)
            };
            members.push(member.documented(doc_lines(schema)));
        }
    }
    // Maps: `additionalProperties` (string keys) or `patternProperties` (numeric keys,
    // which JSON writes as strings too).
    let mut values = Vec::new();
    if let Some(extra @ Value::Object(_)) = object.get("additionalProperties") {
        values.push(type_of(extra, &format!("{location}[key]"), names)?);
    }
    if let Some(Value::Object(patterns)) = object.get("patternProperties") {
        for schema in patterns.values() {
            values.push(type_of(schema, &format!("{location}[key]"), names)?);
        }
    }
    if values.is_empty() {
        // `{}` in TypeScript takes any object; a closed object without properties (a
        // `deny_unknown_fields` struct whose fields the client never sends) takes only `{}`.
        if members.is_empty() && object.get("additionalProperties") == Some(&Value::Bool(false)) {
            return Ok(Type::inline_object(vec![Member {
                docs: Vec::new(),
                kind: MemberKind::Index(Type::Keyword(Keyword::Never)),
            }]));
        }
        return Ok(Type::object(members));
    }
    let value = Type::union(values);
    if members.is_empty() {
        return Ok(Type::inline_object(vec![Member {
            docs: Vec::new(),
            kind: MemberKind::Index(value),
        }]));
    }
    // Beside declared properties, a key may be absent: the index says so.
    let value = Type::union(vec![value, Type::Keyword(Keyword::Undefined)]);
    members.push(Member {
        docs: Vec::new(),
        kind: MemberKind::Index(value),
    });
    Ok(Type::object(members))
}

/// The JSDoc lines of a schema: its description and its constraints as tags.
pub(crate) fn doc_lines(schema: &Value) -> Vec<String> {
    let Value::Object(object) = schema else {
        return Vec::new();
    };
    let mut lines: Vec<String> = Vec::new();
    if let Some(Value::String(description)) = object.get("description") {
        lines.extend(description.lines().map(str::to_owned));
    }
    for (key, tag) in [
        ("minLength", "minLength"),
        ("maxLength", "maxLength"),
        ("minimum", "minimum"),
        ("maximum", "maximum"),
        ("minItems", "minItems"),
        ("maxItems", "maxItems"),
        ("pattern", "pattern"),
        ("format", "format"),
        ("default", "default"),
        // A filter field's operator and the item field it constrains (`#[filter(...)]`).
        ("x-eventwire-filter", "filter"),
    ] {
        if let Some(value) = object.get(key) {
            // Formats of numbers (`uint8`, `double`) say nothing a reader needs.
            if key == "format"
                && !matches!(object.get("type"), Some(Value::String(t)) if t == "string")
            {
                continue;
            }
            let value = match value {
                Value::String(s) if key != "default" => s.clone(),
                other => other.to_string(),
            };
            // A binary's length counts bytes, not characters.
            if is_binary(object) && key.ends_with("Length") {
                lines.push(format!("@{tag} {value} bytes"));
                continue;
            }
            lines.push(format!("@{tag} {value}"));
        }
    }
    lines
}

/// `$defs` names are percent-encoded in references (schemars encodes `~`, `/`, `%`).
fn percent_decode(name: &str) -> String {
    name.replace("~1", "/")
        .replace("~0", "~")
        .replace("%25", "%")
}

fn unsupported(location: &str, detail: &str) -> GenerateError {
    GenerateError::Unsupported {
        location: location.to_owned(),
        detail: detail.to_owned(),
    }
}
