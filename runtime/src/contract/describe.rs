//! Machine-readable descriptions of contracts: every event with its payload and ack types
//! as JSON Schema (2020-12), produced by schemars from the same serde declarations the
//! server uses. The code generator turns this into TypeScript and schema files.
//!
//! Types the server *reads* are described as serde deserializes them (a `#[serde(default)]`
//! field is optional); types it *writes* as serde serializes them (a field skipped when
//! `None` may be absent). The two sides get separate definition maps.

use schemars::generate::{SchemaGenerator, SchemaSettings};
use schemars::{JsonSchema, Schema};
use serde::Serialize;

use crate::contract::Contract;
use crate::wire::payload::IncomingPayload;

/// Who sends an event.
///
/// ```
/// # use eventwire::{payload, Contract};
/// # #[payload] pub struct Join { room: String }
/// # #[payload] pub struct Joined { members: u32 }
/// # #[derive(Contract)] #[contract(namespace = "/chat")]
/// # enum Chat { /// Joins a room.
/// #   #[client(ack = Joined)] Join(Join), #[server] Joined(Joined) }
/// use eventwire::describe::{describe, Direction};
/// let chat = &describe::<Chat>().contracts[0];
/// assert_eq!(chat.events[0].direction, Direction::ClientToServer);
/// assert_eq!(chat.events[1].direction, Direction::ServerToClient);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Direction {
    /// Declared `#[client]`: the client emits, a handler answers.
    ClientToServer,
    /// Declared `#[server]`: the server emits, the client may answer.
    ServerToClient,
}

/// One event of a contract.
///
/// ```
/// # use eventwire::{payload, Contract};
/// # #[payload] pub struct Join { room: String }
/// # #[payload] pub struct Joined { members: u32 }
/// # #[derive(Contract)] #[contract(namespace = "/chat")]
/// # enum Chat { /// Joins a room.
/// #   #[client(ack = Joined)] Join(Join), #[server] Joined(Joined) }
/// let join = &eventwire::describe::describe::<Chat>().contracts[0].events[0];
/// assert_eq!((join.name, join.variant, join.docs), ("join", "Join", "Joins a room."));
/// assert_eq!(serde_json::to_value(&join.payload).unwrap(), serde_json::json!({ "$ref": "#/$defs/Join" }));
/// ```
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EventDescription {
    /// The name on the wire.
    pub name: &'static str,
    /// The enum variant it was declared as.
    pub variant: &'static str,
    /// Its doc comment.
    pub docs: &'static str,
    /// Who sends it.
    pub direction: Direction,
    /// The payload's schema; `None` for an event without payload.
    pub payload: Option<Schema>,
    /// The answer, when the event has one.
    pub ack: Option<AckDescription>,
}

/// The answer to an event.
///
/// ```
/// # use eventwire::{payload, Contract};
/// # #[payload] pub struct Join { room: String }
/// # #[payload] pub struct Joined { members: u32 }
/// # #[derive(Contract)] #[contract(namespace = "/chat")]
/// # enum Chat { /// Joins a room.
/// #   #[client(ack = Joined)] Join(Join), #[server] Joined(Joined) }
/// let join = &eventwire::describe::describe::<Chat>().contracts[0].events[0];
/// let ack = join.ack.as_ref().expect("join is answered");
/// assert_eq!(serde_json::to_value(&ack.data).unwrap(), serde_json::json!({ "$ref": "#/$defs/Joined" }));
/// assert!(ack.error.is_none()); // declared `ack = Joined`, not `Result<Joined, E>`
/// ```
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AckDescription {
    /// The answer's schema.
    pub data: Schema,
    /// The app error's schema, when the ack is declared `Result<T, E>`.
    pub error: Option<Schema>,
}

/// One contract (namespace).
///
/// ```
/// # use eventwire::{payload, Contract};
/// # #[payload] pub struct Join { room: String }
/// # #[payload] pub struct Joined { members: u32 }
/// # #[derive(Contract)] #[contract(namespace = "/chat")]
/// # enum Chat { /// Joins a room.
/// #   #[client(ack = Joined)] Join(Join), #[server] Joined(Joined) }
/// let chat = &eventwire::describe::describe::<Chat>().contracts[0];
/// assert_eq!((chat.name, chat.namespace, chat.ordered), ("Chat", "/chat", false));
/// assert_eq!(chat.events.len(), 2);
/// ```
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContractDescription {
    /// The enum's name.
    pub name: &'static str,
    /// The namespace path.
    pub namespace: &'static str,
    /// The enum's doc comment.
    pub docs: &'static str,
    /// Whether events are handled in arrival order.
    pub ordered: bool,
    /// The handshake auth payload's schema, for a contract declared with `auth = T`.
    pub auth: Option<Schema>,
    /// The events, in declaration order.
    pub events: Vec<EventDescription>,
    /// The feeds (live subscriptions), in declaration order.
    pub feeds: Vec<FeedDescription>,
    /// The uploads (files sent as streams of chunks), in declaration order.
    pub uploads: Vec<UploadDescription>,
    /// The downloads (files the server sends as streams of chunks), in declaration order.
    pub downloads: Vec<DownloadDescription>,
}

/// One `#[download]` of a contract: a file the server sends as a stream of chunks, asked
/// for with a request under the download's name.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DownloadDescription {
    /// The event name that starts it.
    pub name: &'static str,
    /// The Rust variant name.
    pub variant: &'static str,
    /// The variant's doc comment.
    pub docs: &'static str,
    /// The request the client sends (what the server reads).
    pub request: Schema,
    /// The app's error the handler may answer with instead of the file (`error = E`).
    pub error: Option<Schema>,
}

/// One `#[upload]` of a contract: a file sent as a stream of chunks, started with its
/// metadata under the upload's name.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UploadDescription {
    /// The event name that starts it.
    pub name: &'static str,
    /// The Rust variant name.
    pub variant: &'static str,
    /// The variant's doc comment.
    pub docs: &'static str,
    /// The metadata the client sends (what the server reads).
    pub meta: Schema,
    /// The answer the client gets when it finishes.
    pub ack: Option<AckDescription>,
    /// The upload's own largest file, in bytes (`max_size = N`).
    pub max_size: Option<u64>,
}

/// One feed of a contract: a live subscription to a collection.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FeedDescription {
    /// The feed's name on the wire.
    pub name: &'static str,
    /// The enum variant it was declared as.
    pub variant: &'static str,
    /// Its doc comment.
    pub docs: &'static str,
    /// `true` for `mode = notify`: changes carry only keys and actions.
    pub notify: bool,
    /// The item's schema (written by the server).
    pub item: Schema,
    /// The key field's schema.
    pub key: Schema,
    /// The filter's schema (read by the server).
    pub filter: Schema,
    /// The app error a subscribe may answer with (`error = E`).
    pub error: Option<Schema>,
}

/// Collects schemas while contracts describe themselves.
///
/// ```
/// use eventwire::describe::Describer;
/// let mut describer = Describer::default();
/// let schema = describer.incoming::<Vec<u8>>();
/// assert_eq!(schema.get("type").unwrap(), "array");
/// ```
#[derive(Clone)]
pub struct Describer {
    incoming: SchemaGenerator,
    outgoing: SchemaGenerator,
}

impl Default for Describer {
    fn default() -> Self {
        Self {
            incoming: SchemaSettings::draft2020_12()
                .for_deserialize()
                .into_generator(),
            outgoing: SchemaSettings::draft2020_12()
                .for_serialize()
                .into_generator(),
        }
    }
}

impl Describer {
    /// The schema of a type the server reads (an [`IncomingPayload`]), as a reference into
    /// the incoming definitions.
    ///
    /// ```
    /// # use eventwire::payload;
    /// #[payload]
    /// struct Settings { #[serde(default)] volume: u8 }
    ///
    /// let mut describer = eventwire::describe::Describer::default();
    /// describer.incoming::<Settings>();
    /// // Read by the server: a field with a default may be omitted.
    /// # let d = eventwire::describe::DescriptionBuilder::new();
    /// ```
    pub fn incoming<T: IncomingPayload>(&mut self) -> Schema {
        self.incoming.subschema_for::<T>()
    }

    /// The schema of a type the server writes, as a reference into the outgoing definitions.
    ///
    /// ```
    /// let mut describer = eventwire::describe::Describer::default();
    /// let schema = describer.outgoing::<u8>();
    /// assert_eq!(schema.get("maximum").unwrap(), 255);
    /// ```
    pub fn outgoing<T: JsonSchema>(&mut self) -> Schema {
        self.outgoing.subschema_for::<T>()
    }
}

/// Several contracts and the definitions of every type they reach.
///
/// ```
/// # use eventwire::{payload, Contract};
/// # #[payload] pub struct Join { room: String }
/// # #[payload] pub struct Joined { members: u32 }
/// # #[derive(Contract)] #[contract(namespace = "/chat")]
/// # enum Chat { /// Joins a room.
/// #   #[client(ack = Joined)] Join(Join), #[server] Joined(Joined) }
/// let description = eventwire::describe::describe::<Chat>();
/// // The server reads `Join` and writes `Joined`.
/// assert!(description.incoming_definitions.contains_key("Join"));
/// assert!(description.outgoing_definitions.contains_key("Joined"));
/// assert!(!description.incoming_definitions.contains_key("Joined"));
/// ```
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Description {
    /// The contracts, in the order they were added.
    pub contracts: Vec<ContractDescription>,
    /// Definitions of the types the server reads (`$ref: "#/$defs/Name"` in incoming schemas).
    pub incoming_definitions: serde_json::Map<String, serde_json::Value>,
    /// Definitions of the types the server writes.
    pub outgoing_definitions: serde_json::Map<String, serde_json::Value>,
}

/// Builds a [`Description`] of several contracts.
///
/// ```
/// use eventwire::{payload, Contract, describe::DescriptionBuilder};
/// # #[payload] pub struct A { x: u8 }
/// # #[derive(Contract)] #[contract(namespace = "/a")] enum First { #[client] A(A) }
/// # #[derive(Contract)] #[contract(namespace = "/b")] enum Second { #[server] A(A) }
/// let description = DescriptionBuilder::new().contract::<First>().contract::<Second>().build();
/// assert_eq!(description.contracts.len(), 2);
/// assert!(description.incoming_definitions.contains_key("A"));
/// assert!(description.outgoing_definitions.contains_key("A"));
/// ```
#[derive(Default, Clone)]
pub struct DescriptionBuilder {
    describer: Describer,
    contracts: Vec<ContractDescription>,
}

impl DescriptionBuilder {
    /// An empty builder.
    ///
    /// ```
    /// let description = eventwire::describe::DescriptionBuilder::new().build();
    /// assert!(description.contracts.is_empty());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds contract `C`.
    ///
    /// ```
    /// # use eventwire::{payload, Contract};
    /// # #[payload] pub struct Join { room: String }
    /// # #[payload] pub struct Joined { members: u32 }
    /// # #[derive(Contract)] #[contract(namespace = "/chat")]
    /// # enum Chat { /// Joins a room.
    /// #   #[client(ack = Joined)] Join(Join), #[server] Joined(Joined) }
    /// let description = eventwire::describe::DescriptionBuilder::new().contract::<Chat>().build();
    /// assert_eq!(description.contracts[0].name, "Chat");
    /// ```
    pub fn contract<C: Contract>(mut self) -> Self {
        self.contracts.push(C::describe(&mut self.describer));
        self
    }

    /// The description.
    ///
    /// ```
    /// let description = eventwire::describe::DescriptionBuilder::new().build();
    /// assert!(description.outgoing_definitions.is_empty());
    /// ```
    pub fn build(mut self) -> Description {
        Description {
            contracts: self.contracts,
            incoming_definitions: self.describer.incoming.take_definitions(true),
            outgoing_definitions: self.describer.outgoing.take_definitions(true),
        }
    }
}

/// The description of one contract.
///
/// ```
/// # use eventwire::{payload, Contract};
/// # #[payload] pub struct Join { room: String }
/// # #[payload] pub struct Joined { members: u32 }
/// # #[derive(Contract)] #[contract(namespace = "/chat")]
/// # enum Chat { /// Joins a room.
/// #   #[client(ack = Joined)] Join(Join), #[server] Joined(Joined) }
/// let description = eventwire::describe::describe::<Chat>();
/// assert_eq!(description.contracts.len(), 1);
/// ```
pub fn describe<C: Contract>() -> Description {
    DescriptionBuilder::new().contract::<C>().build()
}
