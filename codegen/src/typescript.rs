//! JSON Schema (as schemars writes it) to TypeScript type expressions and JSDoc.

use serde_json::{Map, Value};

use crate::error::GenerateError;

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
) -> Result<String, GenerateError> {
    let object = match schema {
        Value::Bool(true) => return Ok("unknown".into()),
        Value::Bool(false) => return Ok("never".into()),
        Value::Object(object) => object,
        _ => {
            return Err(unsupported(
                location,
                "a schema must be an object or a boolean",
            ));
        }
    };
    let mut parts = Vec::new();
    if let Some(Value::String(reference)) = object.get("$ref") {
        let name = reference
            .strip_prefix("#/$defs/")
            .ok_or_else(|| unsupported(location, &format!("reference `{reference}`")))?;
        parts.push(names.resolve(&percent_decode(name)));
    }
    if let Some(value) = object.get("const") {
        return Ok(literal(value));
    }
    if let Some(Value::Array(values)) = object.get("enum") {
        return Ok(union(values.iter().map(literal).collect()));
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(Value::Array(options)) = object.get(key) {
            let options = options
                .iter()
                .map(|o| type_of(o, location, names))
                .collect::<Result<Vec<_>, _>>()?;
            parts.push(union(options));
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
            parts.push(union(options));
        }
        // Properties beside a reference: an internally tagged newtype variant.
        None if object.contains_key("properties") => {
            parts.push(object_type(object, location, names)?)
        }
        _ => {}
    }
    Ok(match parts.len() {
        0 => "unknown".into(),
        1 => parts.pop().expect("one part"),
        _ => parts
            .iter()
            .map(|p| parenthesize(p))
            .collect::<Vec<_>>()
            .join(" & "),
    })
}

fn primitive(
    ty: &str,
    object: &Map<String, Value>,
    location: &str,
    names: &dyn Resolve,
) -> Result<String, GenerateError> {
    Ok(match ty {
        "string" if is_binary(object) => binary_type(object),
        "string" => "string".into(),
        "boolean" => "boolean".into(),
        "null" => "null".into(),
        "number" => "number".into(),
        "integer" => {
            check_integer(object, location)?;
            "number".into()
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
fn binary_type(object: &Map<String, Value>) -> String {
    if object.contains_key("x-eventwire-binary") {
        "Uint8Array | ArrayBuffer".into()
    } else {
        "Uint8Array".into()
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
) -> Result<String, GenerateError> {
    if let Some(Value::Array(prefix)) = object.get("prefixItems") {
        let items = prefix
            .iter()
            .enumerate()
            .map(|(i, item)| type_of(item, &format!("{location}[{i}]"), names))
            .collect::<Result<Vec<_>, _>>()?;
        return Ok(format!("[{}]", items.join(", ")));
    }
    let item = match object.get("items") {
        Some(items) => type_of(items, &format!("{location}[]"), names)?,
        None => "unknown".into(),
    };
    Ok(format!("{}[]", parenthesize(&item)))
}

fn object_type(
    object: &Map<String, Value>,
    location: &str,
    names: &dyn Resolve,
) -> Result<String, GenerateError> {
    let required: Vec<&str> = match object.get("required") {
        Some(Value::Array(keys)) => keys.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let mut members = Vec::new();
    if let Some(Value::Object(properties)) = object.get("properties") {
        for (key, schema) in properties {
            let ty = type_of(schema, &format!("{location}.{key}"), names)?;
            let optional = if required.contains(&key.as_str()) {
                ""
            } else {
                "?"
            };
            let docs = jsdoc(schema, "  ");
            // A nested object type is indented one level further.
            let ty = ty.replace('\n', "\n  ");
            members.push(format!("{docs}  {}{optional}: {ty};", property_key(key)));
        }
    }
    // Maps: `additionalProperties` (string keys) or `patternProperties` (numeric keys,
    // which JSON writes as strings too).
    let mut values = Vec::new();
    if let Some(extra @ Value::Object(_)) = object.get("additionalProperties") {
        values.push(type_of(extra, &format!("{location}[key]"), names)?.replace('\n', "\n  "));
    }
    if let Some(Value::Object(patterns)) = object.get("patternProperties") {
        for schema in patterns.values() {
            values.push(type_of(schema, &format!("{location}[key]"), names)?.replace('\n', "\n  "));
        }
    }
    if !values.is_empty() {
        let value = union(values);
        if members.is_empty() {
            return Ok(format!("{{ [key: string]: {value} }}"));
        }
        members.push(format!("  [key: string]: {value} | undefined;"));
    }
    if members.is_empty() {
        return Ok("{}".into());
    }
    Ok(format!("{{\n{}\n}}", members.join("\n")))
}

/// The JSDoc block of a schema: its description and its constraints as tags.
pub(crate) fn jsdoc(schema: &Value, indent: &str) -> String {
    let Value::Object(object) = schema else {
        return String::new();
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
    match lines.len() {
        0 => String::new(),
        1 => format!("{indent}/** {} */\n", escape_comment(&lines[0])),
        _ => {
            let body: String = lines
                .iter()
                .map(|l| format!("{indent} * {}\n", escape_comment(l)).replace(" * \n", " *\n"))
                .collect();
            format!("{indent}/**\n{body}{indent} */\n")
        }
    }
}

fn escape_comment(line: &str) -> String {
    line.replace("*/", "*\\/")
}

fn literal(value: &Value) -> String {
    value.to_string()
}

fn union(mut options: Vec<String>) -> String {
    options.dedup();
    if options.is_empty() {
        return "never".into();
    }
    options.join(" | ")
}

fn parenthesize(ty: &str) -> String {
    let top_level_operator = {
        let mut depth = 0i32;
        ty.chars().any(|c| {
            match c {
                '{' | '[' | '(' | '<' => depth += 1,
                '}' | ']' | ')' | '>' => depth -= 1,
                '|' | '&' if depth == 0 => return true,
                _ => {}
            }
            false
        })
    };
    if top_level_operator {
        format!("({ty})")
    } else {
        ty.to_owned()
    }
}

/// A property name as TypeScript accepts it: bare when an identifier, quoted otherwise.
pub(crate) fn property_key(key: &str) -> String {
    let identifier = key
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    if identifier {
        key.to_owned()
    } else {
        Value::String(key.to_owned()).to_string()
    }
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
