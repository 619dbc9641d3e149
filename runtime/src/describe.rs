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

/// Who sends an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Direction {
    /// Declared `#[client]`: the client emits, a handler answers.
    ClientToServer,
    /// Declared `#[server]`: the server emits, the client may answer.
    ServerToClient,
}

/// One event of a contract.
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
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AckDescription {
    /// The answer's schema.
    pub data: Schema,
    /// The app error's schema, when the ack is declared `Result<T, E>`.
    pub error: Option<Schema>,
}

/// One contract (namespace).
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
    /// The events, in declaration order.
    pub events: Vec<EventDescription>,
}

/// Collects schemas while contracts describe themselves.
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
    /// The schema of a type the server reads, as a reference into the incoming definitions.
    pub fn incoming<T: JsonSchema>(&mut self) -> Schema {
        self.incoming.subschema_for::<T>()
    }

    /// The schema of a type the server writes, as a reference into the outgoing definitions.
    pub fn outgoing<T: JsonSchema>(&mut self) -> Schema {
        self.outgoing.subschema_for::<T>()
    }
}

/// Several contracts and the definitions of every type they reach.
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
#[derive(Default)]
pub struct DescriptionBuilder {
    describer: Describer,
    contracts: Vec<ContractDescription>,
}

impl DescriptionBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds contract `C`.
    pub fn contract<C: Contract>(mut self) -> Self {
        self.contracts.push(C::describe(&mut self.describer));
        self
    }

    /// The description.
    pub fn build(mut self) -> Description {
        Description {
            contracts: self.contracts,
            incoming_definitions: self.describer.incoming.take_definitions(true),
            outgoing_definitions: self.describer.outgoing.take_definitions(true),
        }
    }
}

/// The description of one contract.
pub fn describe<C: Contract>() -> Description {
    DescriptionBuilder::new().contract::<C>().build()
}
