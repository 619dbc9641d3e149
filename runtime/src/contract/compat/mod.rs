//! A contract's wire shape, its fingerprint, and whether one version still fits another.
//!
//! A [`Shape`] is the normalized description of one contract: what crosses the wire and
//! nothing else. Its [`fingerprint`](Shape::fingerprint) is what a generated client sends
//! when it connects; [`breaking_changes`] says, in words, what an old client and a new
//! server would no longer agree on. The rules follow the normalization below.
//!
//! **Normalization**, so that the fingerprint changes exactly when the wire does:
//!
//! - every `$ref` is replaced by the definition it points to (a recursive type refers to
//!   the enclosing one by depth, `{"$ref": "#0"}`), so renaming a Rust type, or the
//!   generator giving it another TypeScript name, changes nothing;
//! - documentation is left out: `description`, `title`, `examples`, `$comment`,
//!   `deprecated`, and `default` (a default is what the server fills in, not what it reads);
//! - the contract's Rust name, its docs and `ordered` are left out; the namespace, the
//!   handshake auth, every event (name, direction, payload, answer, app error) and every
//!   feed (name, mode, filter, key, app error, and on a data feed the item) and every
//!   upload (name, metadata, answer, app error, largest size) and every download (name,
//!   request, app error) are in; a contract without feeds, uploads or downloads has no
//!   `feeds`, `uploads` or `downloads` entry, so its fingerprint is as before they existed;
//! - the result is JSON with object keys sorted and no whitespace, hashed with SHA-256;
//!   the fingerprint is the first 16 hexadecimal digits (64 bits), the same on every
//!   platform and every run.

#![doc = include_str!("../../../docs/compatibility.md")]

mod changes;
mod download_changes;
mod entry_changes;
mod feed_changes;
mod fits;
mod upload_changes;

pub use changes::{BreakingChange, Part, breaking_changes};

use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::contract::Contract;
use crate::contract::describe::{ContractDescription, Description, DescriptionBuilder, Direction};

/// Why a shape could not be read from a document.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ShapeError {
    /// The text is not JSON.
    #[error("not a JSON document: {0}")]
    Json(#[from] serde_json::Error),
    /// The document is not an eventwire `<stem>.schema.json`.
    #[error("not an eventwire schema document: {0}")]
    NotADescription(String),
    /// No contract of that name in the document.
    #[error("the document has no contract named `{0}`")]
    NoSuchContract(String),
    /// A `$ref` points at nothing.
    #[error("`{0}` points at no definition")]
    DanglingRef(String),
    /// The schemas expand past a million nodes once references are inlined.
    #[error("the schemas are too large to compare once their references are inlined")]
    TooLarge,
}

/// The normalized description of one contract, and its fingerprint.
///
/// ```
/// use eventwire::{payload, Contract, compat::Shape};
///
/// #[payload] pub struct Join { room: String }
/// #[derive(Contract)] #[contract(namespace = "/chat")]
/// pub enum Chat { #[client(ack = u32)] Join(Join) }
///
/// let shape = Shape::of::<Chat>();
/// assert_eq!(shape.namespace(), "/chat");
/// assert_eq!(shape.fingerprint().len(), 16);
/// assert_eq!(shape.fingerprint(), Shape::of::<Chat>().fingerprint()); // stable
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shape {
    name: String,
    namespace: String,
    value: Value,
    fingerprint: String,
}

/// Which definitions a reference resolves in: the server's reading side or writing side.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Read,
    Written,
}

impl Shape {
    /// The shape of contract `C`, as this build of the server serves it.
    pub fn of<C: Contract>() -> Self {
        let description = DescriptionBuilder::new().contract::<C>().build();
        Self::from_description(&description, &description.contracts[0])
            .expect("schemars' own references resolve and stay small")
    }

    /// The shape of one contract of a description.
    ///
    /// ```
    /// # use eventwire::{payload, Contract};
    /// # #[payload] pub struct Join { room: String }
    /// # #[derive(Contract)] pub enum Chat { #[client] Join(Join) }
    /// let description = eventwire::describe::describe::<Chat>();
    /// let shape = eventwire::compat::Shape::from_description(&description, &description.contracts[0]).unwrap();
    /// assert_eq!(shape.name(), "Chat");
    /// ```
    pub fn from_description(
        description: &Description,
        contract: &ContractDescription,
    ) -> Result<Self, ShapeError> {
        let resolve = |side: Side, name: &str| match side {
            Side::Read => description.incoming_definitions.get(name),
            Side::Written => description.outgoing_definitions.get(name),
        };
        let mut inliner = Inliner {
            resolve: &resolve,
            stack: Vec::new(),
            budget: NODE_BUDGET,
        };
        let mut events = Events::default();
        for event in &contract.events {
            // The server reads a client event's payload and writes its answer; the other
            // way round for a server event.
            let (payload_side, ack_side) = match event.direction {
                Direction::ClientToServer => (Side::Read, Side::Written),
                Direction::ServerToClient => (Side::Written, Side::Read),
            };
            let mut entry = Map::new();
            if let Some(payload) = &event.payload {
                let payload = inliner.inline(payload.as_value(), payload_side)?;
                entry.insert("payload".into(), payload);
            }
            if let Some(ack) = &event.ack {
                entry.insert("ack".into(), inliner.inline(ack.data.as_value(), ack_side)?);
                if let Some(error) = &ack.error {
                    entry.insert(
                        "ackError".into(),
                        inliner.inline(error.as_value(), ack_side)?,
                    );
                }
            }
            events.insert(event.direction, event.name, entry);
        }
        let auth = match &contract.auth {
            Some(auth) => Some(inliner.inline(auth.as_value(), Side::Read)?),
            None => None,
        };
        let mut feeds = Map::new();
        for feed in &contract.feeds {
            let error = feed.error.as_ref().map(|error| error.as_value());
            let entry = feed_entry(
                &mut inliner,
                !feed.notify,
                feed.filter.as_value(),
                feed.item.as_value(),
                feed.key.as_value(),
                error,
            )?;
            feeds.insert(feed.name.to_owned(), entry);
        }
        let mut uploads = Map::new();
        for upload in &contract.uploads {
            let ack = upload.ack.as_ref();
            let entry = upload_entry(
                &mut inliner,
                upload.meta.as_value(),
                ack.map(|ack| ack.data.as_value()),
                ack.and_then(|ack| ack.error.as_ref()).map(|e| e.as_value()),
                upload.max_size,
            )?;
            uploads.insert(upload.name.to_owned(), entry);
        }
        let mut downloads = Map::new();
        for download in &contract.downloads {
            let error = download.error.as_ref().map(|error| error.as_value());
            let entry = download_entry(&mut inliner, download.request.as_value(), error)?;
            downloads.insert(download.name.to_owned(), entry);
        }
        Ok(Self::new(
            contract.name,
            contract.namespace,
            auth,
            events,
            [
                ("feeds", feeds),
                ("uploads", uploads),
                ("downloads", downloads),
            ],
        ))
    }

    /// The shape of contract `name` in a `<stem>.schema.json` document generated by
    /// eventwire-codegen (for example the checked-in copy of an earlier release).
    ///
    /// ```
    /// # use eventwire::{payload, Contract};
    /// # #[payload] pub struct Join { room: String }
    /// # #[derive(Contract)] pub enum Chat { #[client] Join(Join) }
    /// let document = serde_json::json!({
    ///     "$defs": { "Join": { "type": "object", "properties": { "room": { "type": "string" } }, "required": ["room"] } },
    ///     "x-eventwire-contracts": [{ "name": "Chat", "namespace": "/",
    ///         "events": [{ "name": "join", "direction": "clientToServer", "payload": { "$ref": "#/$defs/Join" } }] }],
    /// });
    /// let earlier = eventwire::compat::Shape::from_schema_document(&document.to_string(), "Chat").unwrap();
    /// assert_eq!(earlier.fingerprint(), eventwire::compat::Shape::of::<Chat>().fingerprint());
    /// ```
    pub fn from_schema_document(text: &str, name: &str) -> Result<Self, ShapeError> {
        let document: Value = serde_json::from_str(text)?;
        let not = |what: &str| ShapeError::NotADescription(what.to_owned());
        let empty = Map::new();
        let defs = match document.get("$defs") {
            Some(Value::Object(defs)) => defs,
            None => &empty,
            Some(_) => return Err(not("`$defs` is not an object")),
        };
        let contracts = document
            .get("x-eventwire-contracts")
            .and_then(Value::as_array)
            .ok_or_else(|| not("no `x-eventwire-contracts` list"))?;
        let contract = contracts
            .iter()
            .find(|c| c.get("name").and_then(Value::as_str) == Some(name))
            .ok_or_else(|| ShapeError::NoSuchContract(name.to_owned()))?;
        let namespace = contract
            .get("namespace")
            .and_then(Value::as_str)
            .ok_or_else(|| not("a contract without `namespace`"))?;
        // The generator names each side's definitions apart already (`Name`, `NameInput`).
        let resolve = |_: Side, def: &str| defs.get(def);
        let mut inliner = Inliner {
            resolve: &resolve,
            stack: Vec::new(),
            budget: NODE_BUDGET,
        };
        let mut events = Events::default();
        for event in contract
            .get("events")
            .and_then(Value::as_array)
            .ok_or_else(|| not("a contract without `events`"))?
        {
            let event_name = event
                .get("name")
                .and_then(Value::as_str)
                .ok_or_else(|| not("an event without `name`"))?;
            let direction = match event.get("direction").and_then(Value::as_str) {
                Some("clientToServer") => Direction::ClientToServer,
                Some("serverToClient") => Direction::ServerToClient,
                _ => return Err(not("an event without a known `direction`")),
            };
            let mut entry = Map::new();
            for key in ["payload", "ack", "ackError"] {
                if let Some(schema) = event.get(key) {
                    entry.insert(key.into(), inliner.inline(schema, Side::Read)?);
                }
            }
            events.insert(direction, event_name, entry);
        }
        let auth = match contract.get("auth") {
            Some(auth) => Some(inliner.inline(auth, Side::Read)?),
            None => None,
        };
        let list = |key: &str| match contract.get(key) {
            None => Ok(&[][..]),
            Some(Value::Array(items)) => Ok(items.as_slice()),
            Some(_) => Err(not(&format!("`{key}` is not a list"))),
        };
        let mut feeds = Map::new();
        for feed in list("feeds")? {
            let part = |key: &str| {
                feed.get(key)
                    .ok_or_else(|| not(&format!("a feed without `{key}`")))
            };
            let feed_name = part("name")?
                .as_str()
                .ok_or_else(|| not("a feed whose `name` is not a string"))?;
            let data = match part("mode")?.as_str() {
                Some("data") => true,
                Some("notify") => false,
                _ => return Err(not("a feed without a known `mode`")),
            };
            let entry = feed_entry(
                &mut inliner,
                data,
                part("filter")?,
                part("item")?,
                part("key")?,
                feed.get("error"),
            )?;
            feeds.insert(feed_name.to_owned(), entry);
        }
        let mut uploads = Map::new();
        for upload in list("uploads")? {
            let part = |key: &str| {
                upload
                    .get(key)
                    .ok_or_else(|| not(&format!("an upload without `{key}`")))
            };
            let upload_name = part("name")?
                .as_str()
                .ok_or_else(|| not("an upload whose `name` is not a string"))?;
            let max_size = match upload.get("maxSize") {
                None => None,
                Some(max) => Some(
                    max.as_u64()
                        .ok_or_else(|| not("an upload whose `maxSize` is not a number of bytes"))?,
                ),
            };
            let entry = upload_entry(
                &mut inliner,
                part("meta")?,
                upload.get("ack"),
                upload.get("error"),
                max_size,
            )?;
            uploads.insert(upload_name.to_owned(), entry);
        }
        let mut downloads = Map::new();
        for download in list("downloads")? {
            let part = |key: &str| {
                download
                    .get(key)
                    .ok_or_else(|| not(&format!("a download without `{key}`")))
            };
            let download_name = part("name")?
                .as_str()
                .ok_or_else(|| not("a download whose `name` is not a string"))?;
            let entry = download_entry(&mut inliner, part("request")?, download.get("error"))?;
            downloads.insert(download_name.to_owned(), entry);
        }
        Ok(Self::new(
            name,
            namespace,
            auth,
            events,
            [
                ("feeds", feeds),
                ("uploads", uploads),
                ("downloads", downloads),
            ],
        ))
    }

    /// `parts`: the contract's named parts beside its events (`feeds`, `uploads`,
    /// `downloads`), each
    /// left out of the shape when empty, so that a contract without them keeps the
    /// fingerprint it had before they existed.
    fn new(
        name: &str,
        namespace: &str,
        auth: Option<Value>,
        events: Events,
        parts: [(&str, Map<String, Value>); 3],
    ) -> Self {
        let mut value = Map::new();
        value.insert("namespace".into(), json!(namespace));
        if let Some(auth) = auth {
            value.insert("auth".into(), auth);
        }
        value.insert(
            "events".into(),
            json!({
                "clientToServer": events.client_to_server,
                "serverToClient": events.server_to_client,
            }),
        );
        for (key, entries) in parts {
            if !entries.is_empty() {
                value.insert(key.into(), Value::Object(entries));
            }
        }
        let value = Value::Object(value);
        // serde_json's map is sorted by key (the `preserve_order` feature is off), so this
        // text is canonical.
        let canonical = serde_json::to_string(&value).expect("JSON values serialize");
        let digest = Sha256::digest(canonical.as_bytes());
        let fingerprint = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        Self {
            name: name.to_owned(),
            namespace: namespace.to_owned(),
            value,
            fingerprint,
        }
    }

    /// The contract's name (the enum's).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The namespace it is declared on.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The fingerprint: 16 hexadecimal digits of the SHA-256 of the normalized description.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The normalized description, as JSON: `namespace`, `auth` (when declared),
    /// `events`: `clientToServer` and `serverToClient`, each mapping event names to their
    /// `payload`, `ack` and `ackError` as present, and `feeds` (when declared), mapping
    /// feed names to their `mode` (`data` or `notify`), `filter`, `key`, `error` (when
    /// declared) and, on a data feed, `item`, and `uploads` (when declared), mapping upload
    /// names to their `meta`, `ack` (`{"type": "null"}` for an upload declared without
    /// one: its answer is `null`), `error` and `maxSize` (when declared), and `downloads`
    /// (when declared), mapping download names to their `request` and `error` (when
    /// declared).
    pub fn as_value(&self) -> &Value {
        &self.value
    }

    /// The events sent one way, by name.
    pub(crate) fn events(&self, direction: Direction) -> &Map<String, Value> {
        let key = match direction {
            Direction::ClientToServer => "clientToServer",
            Direction::ServerToClient => "serverToClient",
        };
        self.value["events"][key]
            .as_object()
            .expect("built with both directions")
    }

    pub(crate) fn auth(&self) -> Option<&Value> {
        self.value.get("auth")
    }

    /// The entries of a named part (`feeds`, `uploads`, `downloads`), by name; empty for a contract
    /// without that part.
    pub(crate) fn entries(&self, part: &str) -> impl Iterator<Item = (&String, &Value)> {
        self.value
            .get(part)
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
    }

    /// The entry of part `part` named `name`.
    pub(crate) fn entry(&self, part: &str, name: &str) -> Option<&Value> {
        self.value.get(part)?.get(name)
    }
}

/// One feed's normalized entry. The server reads the filter and writes the rest; the item
/// crosses the wire only on a data feed.
fn feed_entry(
    inliner: &mut Inliner<'_>,
    data: bool,
    filter: &Value,
    item: &Value,
    key: &Value,
    error: Option<&Value>,
) -> Result<Value, ShapeError> {
    let mut entry = Map::new();
    entry.insert("mode".into(), json!(if data { "data" } else { "notify" }));
    entry.insert("filter".into(), inliner.inline(filter, Side::Read)?);
    entry.insert("key".into(), inliner.inline(key, Side::Written)?);
    if data {
        entry.insert("item".into(), inliner.inline(item, Side::Written)?);
    }
    if let Some(error) = error {
        entry.insert("error".into(), inliner.inline(error, Side::Written)?);
    }
    Ok(Value::Object(entry))
}

/// One upload's normalized entry. The server reads the metadata and writes the answer to
/// the finish; an upload declared without ack answers `null`, so its answer is described as
/// `{"type": "null"}`, and adding or removing one follows the rules for answers.
fn upload_entry(
    inliner: &mut Inliner<'_>,
    meta: &Value,
    ack: Option<&Value>,
    error: Option<&Value>,
    max_size: Option<u64>,
) -> Result<Value, ShapeError> {
    let mut entry = Map::new();
    entry.insert("meta".into(), inliner.inline(meta, Side::Read)?);
    let ack = match ack {
        Some(ack) => inliner.inline(ack, Side::Written)?,
        None => json!({ "type": "null" }),
    };
    entry.insert("ack".into(), ack);
    if let Some(error) = error {
        entry.insert("error".into(), inliner.inline(error, Side::Written)?);
    }
    if let Some(max_size) = max_size {
        entry.insert("maxSize".into(), json!(max_size));
    }
    Ok(Value::Object(entry))
}

/// One download's normalized entry. The server reads the request and may write the app's
/// error instead of the file; the file's terms and bytes are the runtime's, the same for
/// every download.
fn download_entry(
    inliner: &mut Inliner<'_>,
    request: &Value,
    error: Option<&Value>,
) -> Result<Value, ShapeError> {
    let mut entry = Map::new();
    entry.insert("request".into(), inliner.inline(request, Side::Read)?);
    if let Some(error) = error {
        entry.insert("error".into(), inliner.inline(error, Side::Written)?);
    }
    Ok(Value::Object(entry))
}

/// The events of a contract by direction: one name may be used both ways.
#[derive(Default)]
struct Events {
    client_to_server: Map<String, Value>,
    server_to_client: Map<String, Value>,
}

impl Events {
    fn insert(&mut self, direction: Direction, name: &str, entry: Map<String, Value>) {
        let events = match direction {
            Direction::ClientToServer => &mut self.client_to_server,
            Direction::ServerToClient => &mut self.server_to_client,
        };
        events.insert(name.to_owned(), Value::Object(entry));
    }
}

/// Nodes an inlined description may have: real contracts have a few thousand.
const NODE_BUDGET: usize = 1_000_000;

/// Keywords that document a schema without constraining a value.
const DOC_KEYWORDS: &[&str] = &[
    "description",
    "title",
    "examples",
    "$comment",
    "deprecated",
    "default",
    "readOnly",
    "writeOnly",
];

/// Keywords whose value is one schema.
const SCHEMA_KEYWORDS: &[&str] = &[
    "items",
    "additionalProperties",
    "unevaluatedProperties",
    "unevaluatedItems",
    "additionalItems",
    "contains",
    "propertyNames",
    "not",
    "if",
    "then",
    "else",
];

/// Keywords whose value is a list of schemas.
const LIST_KEYWORDS: &[&str] = &["allOf", "anyOf", "oneOf", "prefixItems"];

/// Keywords whose value maps names to schemas.
const MAP_KEYWORDS: &[&str] = &["properties", "patternProperties", "dependentSchemas"];

struct Inliner<'a> {
    resolve: &'a dyn Fn(Side, &str) -> Option<&'a Value>,
    /// The definitions being expanded, outermost first.
    stack: Vec<String>,
    budget: usize,
}

impl Inliner<'_> {
    fn inline(&mut self, schema: &Value, side: Side) -> Result<Value, ShapeError> {
        self.budget = self.budget.checked_sub(1).ok_or(ShapeError::TooLarge)?;
        let Value::Object(object) = schema else {
            return Ok(schema.clone());
        };
        let mut out = Map::new();
        let mut target = None;
        for (key, value) in object {
            let key = key.as_str();
            if DOC_KEYWORDS.contains(&key) {
                continue;
            }
            let value = if key == "$ref" {
                target = Some(self.reference(value, side)?);
                continue;
            } else if SCHEMA_KEYWORDS.contains(&key) {
                self.inline(value, side)?
            } else if LIST_KEYWORDS.contains(&key) {
                match value {
                    Value::Array(items) => Value::Array(
                        items
                            .iter()
                            .map(|item| self.inline(item, side))
                            .collect::<Result<_, _>>()?,
                    ),
                    other => other.clone(),
                }
            } else if MAP_KEYWORDS.contains(&key) {
                match value {
                    Value::Object(map) => Value::Object(
                        map.iter()
                            .map(|(name, item)| Ok((name.clone(), self.inline(item, side)?)))
                            .collect::<Result<_, ShapeError>>()?,
                    ),
                    other => other.clone(),
                }
            } else {
                value.clone()
            };
            out.insert(key.to_owned(), value);
        }
        Ok(match target {
            None => Value::Object(out),
            Some(target) if out.is_empty() => target,
            // A `$ref` with constraints beside it (2020-12 allows that) means both hold.
            Some(target) => json!({ "allOf": [target, Value::Object(out)] }),
        })
    }

    fn reference(&mut self, reference: &Value, side: Side) -> Result<Value, ShapeError> {
        let Some(text) = reference.as_str() else {
            return Ok(json!({ "$ref": reference }));
        };
        let Some(name) = text.strip_prefix("#/$defs/") else {
            // Not a definition of this document (e.g. already a depth marker): kept as is.
            return Ok(json!({ "$ref": text }));
        };
        if let Some(depth) = self.stack.iter().position(|open| open == name) {
            return Ok(json!({ "$ref": format!("#{depth}") }));
        }
        let definition =
            (self.resolve)(side, name).ok_or_else(|| ShapeError::DanglingRef(text.to_owned()))?;
        self.stack.push(name.to_owned());
        let inlined = self.inline(definition, side);
        self.stack.pop();
        inlined
    }
}
