//! A contract using every serde shape eventwire describes, in both directions, for the
//! wire-fidelity tests: values the server serializes are type-checked against the
//! generated TypeScript.

use std::collections::{BTreeMap, HashMap};

use eventwire::wire::{I64, U64};
use eventwire::{Contract, Cx, payload};

/// Externally tagged (serde's default): unit, newtype, tuple and struct variants.
#[payload]
#[derive(Clone, Debug)]
pub enum External {
    /// A unit variant.
    Unit,
    /// A newtype variant.
    Newtype(u32),
    /// A tuple variant.
    Tuple(u8, String),
    /// A struct variant.
    Struct {
        /// A field.
        x: i32,
    },
}

/// Internally tagged.
#[payload]
#[derive(Clone, Debug)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Internal {
    /// Unit.
    Empty,
    /// Newtype of a struct.
    Wrapped(Point),
    /// Struct variant.
    Named {
        /// A field.
        label: String,
    },
}

/// Adjacently tagged.
#[payload]
#[derive(Clone, Debug)]
#[serde(tag = "t", content = "c")]
pub enum Adjacent {
    /// Unit.
    Nothing,
    /// Newtype.
    Number(f64),
    /// Struct variant.
    Pair {
        /// A field.
        a: bool,
        /// A field.
        b: bool,
    },
}

/// Untagged.
#[payload]
#[derive(Clone, Debug)]
#[serde(untagged)]
pub enum Untagged {
    /// A number.
    Count(u16),
    /// A text.
    Text(String),
    /// A point.
    At(Point),
}

/// A point.
#[payload]
#[derive(Clone, Debug)]
pub struct Point {
    /// x.
    pub x: i32,
    /// y.
    pub y: i32,
}

/// Flattened fields, renames, options with and without skipping, defaults.
#[payload]
#[derive(Clone, Debug)]
#[serde(rename_all = "camelCase")]
pub struct Record {
    /// Renamed by `rename_all`.
    pub display_name: String,
    /// Renamed explicitly.
    #[serde(rename = "ID")]
    pub id: U64,
    /// Always present, may be null.
    pub maybe: Option<i32>,
    /// Absent when `None`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
    /// May be omitted by the client.
    #[serde(default)]
    pub defaulted: bool,
    /// Never on the wire.
    #[serde(skip)]
    pub internal: u8,
    /// Its fields sit in this object.
    #[serde(flatten)]
    pub position: Point,
    /// A map with string keys.
    pub scores: HashMap<String, u32>,
    /// A map with integer keys (JSON writes them as strings).
    pub by_number: BTreeMap<u32, String>,
    /// A tuple.
    pub pair: (u8, String),
    /// A signed 64-bit integer as a string.
    pub balance: I64,
    /// Nothing.
    pub nothing: (),
}

/// A generic payload.
#[payload]
#[derive(Clone, Debug)]
pub struct Page<T> {
    /// The items.
    pub items: Vec<T>,
    /// The next page's cursor.
    pub next: Option<String>,
}

/// A recursive payload.
#[payload]
#[derive(Clone, Debug)]
pub struct Tree {
    /// The value.
    pub value: u8,
    /// The children.
    pub children: Vec<Tree>,
}

/// One event per shape, both ways.
#[derive(Contract)]
#[contract(namespace = "/shapes")]
pub enum Shapes {
    /// Echoes a record.
    #[client(ack = Record)]
    Record(Record),
    /// Echoes an externally tagged enum.
    #[client(ack = External)]
    External(External),
    /// Echoes an internally tagged enum.
    #[client(ack = Internal)]
    Internal(Internal),
    /// Echoes an adjacently tagged enum.
    #[client(ack = Adjacent)]
    Adjacent(Adjacent),
    /// Echoes an untagged enum.
    #[client(ack = Untagged)]
    Untagged(Untagged),
    /// Echoes a tree.
    #[client(ack = Tree)]
    Tree(Tree),
    /// Pages of two types.
    #[client(ack = Page<Point>)]
    Points(Page<String>),
    /// A server event carrying a page.
    #[server]
    Pushed(Page<Point>),
}

/// Echo handlers: the server path serializes exactly what it received.
pub struct ShapesApp;

impl ShapesHandlers for ShapesApp {
    async fn record(&self, _: &Cx<Shapes>, value: Record) -> Record {
        value
    }
    async fn external(&self, _: &Cx<Shapes>, value: External) -> External {
        value
    }
    async fn internal(&self, _: &Cx<Shapes>, value: Internal) -> Internal {
        value
    }
    async fn adjacent(&self, _: &Cx<Shapes>, value: Adjacent) -> Adjacent {
        value
    }
    async fn untagged(&self, _: &Cx<Shapes>, value: Untagged) -> Untagged {
        value
    }
    async fn tree(&self, _: &Cx<Shapes>, value: Tree) -> Tree {
        value
    }
    async fn points(&self, _: &Cx<Shapes>, page: Page<String>) -> Page<Point> {
        let items = page
            .items
            .iter()
            .enumerate()
            .map(|(i, _)| Point { x: i as i32, y: 0 })
            .collect();
        Page {
            items,
            next: page.next,
        }
    }
}
