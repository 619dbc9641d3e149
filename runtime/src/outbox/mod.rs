//! Publish after commit: a transactional outbox and its relay.
//!
//! An app that changes its database and tells clients about it has two ways to get it
//! wrong: publish before the commit (and tell clients about a change a rollback then undoes)
//! or publish after it from memory (and lose the message when the process dies in
//! between). The outbox closes both: the app records the message in the same transaction
//! as its change ([`sqlite::record`], [`postgres::record`]), so it exists if and only if
//! the change committed, and a [`Relay`] reads committed messages and hands them to a
//! [`Sink`], such as an [`EmitterSink`] that emits a contract's server event to a room.
//!
//! What "once" means, exactly: delivery to the sink is **at least once**, each read in id
//! order. The relay deletes a message right after its sink accepted it; a crash between the
//! two (one message wide) publishes that message again when a relay next starts, with the
//! same [`MessageId`]. Ids are never reused (SQLite `AUTOINCREMENT`, PostgreSQL `BIGSERIAL`),
//! and [`EmitterSink`] sends the id to clients as the event's argument after the payload, so
//! a client that must never act twice dedupes on it. Exactly once end to end would need the
//! receiver's cooperation either way; this keeps the window to one message and makes it
//! visible. Ids are given at insert, not at commit: with transactions committing
//! concurrently, a message can be relayed after one with a higher id (SQLite has one writer
//! at a time, so there they stay in order). Run one relay per outbox: two would publish the
//! same messages.
//!
//! ```
//! # #[cfg(feature = "outbox-sqlite")]
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use eventwire::outbox::{sqlite, EmitterSink, NewMessage, Relay};
//! use eventwire::{payload, Contract, Emitter, Server};
//!
//! #[payload] pub struct Posted { text: String }
//! #[derive(Contract)]
//! #[contract(namespace = "/chat")]
//! pub enum Chat { #[server] Posted(Posted) }
//! impl ChatHandlers for () {}
//!
//! let (_layer, io) = Server::new().contract::<Chat>(()).build()?;
//! let mut db = rusqlite::Connection::open_in_memory()?;
//! sqlite::create_table(&db)?;
//!
//! // The app's own transaction: its change and the message commit together.
//! let tx = db.transaction()?;
//! tx.execute_batch("CREATE TABLE posts (text TEXT)")?;
//! tx.execute("INSERT INTO posts VALUES (?1)", ["hi"])?;
//! sqlite::record(&tx, &NewMessage::to_room("lobby", Chat::posted(Posted { text: "hi".into() }))?)?;
//! tx.commit()?;
//!
//! // The relay publishes what committed (at start, then when woken or polled).
//! # let path = std::env::temp_dir().join(format!("outbox-doc-{}.db", std::process::id()));
//! # let _ = std::fs::remove_file(&path);
//! # let db = rusqlite::Connection::open(&path)?; sqlite::create_table(&db)?;
//! let relay = Relay::new(
//!     sqlite::SqliteOutbox::open(&path)?,
//!     EmitterSink::new(Emitter::<Chat>::new(&io).expect("mounted")),
//! );
//! relay.drain().await?;
//! # Ok(()) }
//! ```

mod feed;
#[cfg(feature = "outbox-postgres")]
#[cfg_attr(docsrs, doc(cfg(feature = "outbox-postgres")))]
pub mod postgres;
mod relay;
mod sink;
#[cfg(feature = "outbox-sqlite")]
#[cfg_attr(docsrs, doc(cfg(feature = "outbox-sqlite")))]
pub mod sqlite;

pub use feed::FeedSink;
pub use relay::{OutboxStore, Relay, RelayError, Waker};
pub use sink::{EmitterSink, PublishError, Sink};

use serde::Serialize;
use serde_json::Value;

use crate::contract::Contract;
use crate::socket::{NoReply, Outgoing};

/// The id of a recorded message: unique in its outbox, increasing, never reused. Clients
/// that must not act twice on a message dedupe on it.
///
/// ```
/// use eventwire::outbox::MessageId;
/// assert_eq!(MessageId(7).to_string(), "7");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MessageId(pub i64);

impl std::fmt::Display for MessageId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// A message to record in the outbox inside the app's transaction.
///
/// ```
/// use eventwire::outbox::NewMessage;
/// use eventwire::{payload, Contract};
///
/// #[payload] pub struct Posted { text: String }
/// #[derive(Contract)]
/// pub enum Chat { #[server] Posted(Posted) }
///
/// let message = NewMessage::to_room("lobby", Chat::posted(Posted { text: "hi".into() })).unwrap();
/// assert_eq!(message.event(), "posted");
/// ```
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub(crate) topic: String,
    pub(crate) event: String,
    pub(crate) room: Option<String>,
    pub(crate) payload: Option<Value>,
}

impl NewMessage {
    /// A message for any sink: a topic (for [`EmitterSink`], the contract's name), an event
    /// and an optional payload.
    pub fn new(topic: impl Into<String>, event: impl Into<String>, payload: Option<Value>) -> Self {
        Self {
            topic: topic.into(),
            event: event.into(),
            room: None,
            payload,
        }
    }

    /// A contract's server event, to be emitted to every socket of its namespace.
    pub fn to_all<C: Contract, P: Serialize>(
        event: Outgoing<C, P, NoReply>,
    ) -> Result<Self, serde_json::Error> {
        // The arguments as emitted: `[payload]`, or `[]` for an event without payload.
        let payload = match serde_json::to_value(event.args())? {
            Value::Array(mut args) => args.pop(),
            other => Some(other),
        };
        Ok(Self::new(C::NAME, event.event(), payload))
    }

    /// A contract's server event, to be emitted to the sockets in `room`.
    pub fn to_room<C: Contract, P: Serialize>(
        room: impl Into<String>,
        event: Outgoing<C, P, NoReply>,
    ) -> Result<Self, serde_json::Error> {
        Ok(Self {
            room: Some(room.into()),
            ..Self::to_all(event)?
        })
    }

    /// The topic.
    pub fn topic(&self) -> &str {
        &self.topic
    }

    /// The event name.
    pub fn event(&self) -> &str {
        &self.event
    }

    /// The room; every socket when `None`.
    pub fn room(&self) -> Option<&str> {
        self.room.as_deref()
    }

    /// The payload; `None` for an event without one.
    pub fn payload(&self) -> Option<&Value> {
        self.payload.as_ref()
    }
}

/// A committed message, as the relay hands it to a [`Sink`].
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// Its id, what clients dedupe on.
    pub id: MessageId,
    /// What it is about (for [`EmitterSink`], the contract's name).
    pub topic: String,
    /// The event name.
    pub event: String,
    /// The room it goes to; every socket when `None`.
    pub room: Option<String>,
    /// The payload; `None` for an event without one.
    pub payload: Option<Value>,
}

/// What both databases share: a message from a row's columns.
#[cfg(any(feature = "outbox-sqlite", feature = "outbox-postgres"))]
pub(crate) fn message_from_row(
    id: i64,
    topic: String,
    event: String,
    room: Option<String>,
    payload: Option<String>,
) -> Result<Message, serde_json::Error> {
    Ok(Message {
        id: MessageId(id),
        topic,
        event,
        room,
        payload: payload.as_deref().map(serde_json::from_str).transpose()?,
    })
}
