//! Feeds: live subscriptions to a collection. A client subscribes to a feed with a typed,
//! validated [`Filter`]; the handler authorizes it (and may force filter values) and
//! returns the snapshot; from then on every published change that concerns the
//! subscriber reaches it, in order, each with its feed's offset.
//!
//! Declared in the contract with `#[feed(item = T, key = field, filter = F)]` (see
//! [`Contract`](crate::Contract)); published through a [`Feed`] handle, from a handler
//! ([`Cx::feed`]) or from anywhere ([`Feeds`], from [`Server::feeds`](crate::Server::feeds)).
//! The frames on the wire are in `docs/protocol.md`.
//!
//! **No race between snapshot and changes.** A subscription is registered before the
//! handler loads its snapshot and buffers every change published meanwhile. The snapshot
//! carries the offset of the last change before registration; after it is sent, the
//! buffered changes the subscriber's final filter selects follow, then live ones. A change
//! may thus arrive that the snapshot already reflects: changes carry whole items and
//! apply as "set" or "delete" by key, so applying them in order converges on the
//! snapshot query run now.
//!
//! **Resume.** Each feed keeps its recent changes (at most
//! [`Server::feed_history`](crate::Server::feed_history), none older than
//! [`Server::feed_history_age`](crate::Server::feed_history_age)). A client that lost its
//! connection subscribes again with the epoch and offset it holds: the changes it missed
//! are taken from the history under the same lock that registers the subscription, and
//! replayed through its final filter and check before the buffered ones, so nothing is
//! missed or sent twice. When the epoch is another or the history no longer reaches back,
//! the answer is a fresh snapshot marked as a resync instead. The replay is queued for the
//! socket at once, so the resumes of one connection replay at most half its queue
//! ([`Server::max_buffer_size`](crate::Server::max_buffer_size)) between them; past that a
//! resume is a resync too.
//!
//! **Across nodes.** With [`Server::redis`](crate::Server), each feed's changes go through
//! a Redis stream: a change published on any node reaches the matching subscribers of every
//! node, in offset order, and the resume history is the stream, so a client that fails over
//! to another node resumes there. [`Feed::send`] returns the offset once Redis holds the
//! change; the outbox's [`FeedSink`](crate::outbox::FeedSink) publishes after commit through
//! the same path. When Redis loses the stream the feed takes a new epoch: every subscriber
//! gets [`EndReason::Resync`], and the generated client resumes into a resync.
//!
//! **Slow subscribers.** While a snapshot loads, a subscription buffers at most
//! [`Server::subscription_buffer`](crate::Server::subscription_buffer) changes (default
//! 1,000); after that, changes go to the socket's outgoing queue, which holds at most
//! [`Server::max_buffer_size`](crate::Server::max_buffer_size) packets (default 128). When
//! either is full, the subscription ends with [`EndReason::Overflow`]: the client gets
//! `eventwire:end` and may subscribe again (for a fresh snapshot). The server never
//! buffers without bound for a client that does not read.
//!
//! **Matching.** Each feed keeps an [`Index`] of its subscriptions by their first `eq`
//! constraint, so a change is tested against the subscriptions it may concern, not all.
//!
//! **Shared frames.** Subscriptions with equal filters on different connections form a
//! group: a change goes to all of them as one frame, encoded once and sent by one room
//! broadcast (rooms named `eventwire:feed:<id>`), so they share the frame's subscription id
//! too (an id is unique on each connection, not across them). A subscription with a
//! per-item check, a filter with a custom predicate, or a second subscription with the same
//! filter on one connection is delivered alone. When a broadcast reports a full queue,
//! which socketioxide does without naming the socket, each member is sent that change again
//! on its own: the full ones end with `overflow`, the others get a copy they skip by its
//! offset.
//!
//! Tracing: subscriptions ended by the server are logged at `debug` level (target
//! `eventwire::feed`); this is where feed metrics belong.

mod change;
mod filter;
pub(crate) mod group;
mod history;
pub(crate) mod hub;
mod ids;
mod index;
pub(crate) mod state;
pub(crate) mod subscribe;

use std::marker::PhantomData;
use std::sync::Arc;

use serde::Serialize;
use serde_json::value::RawValue;

pub use change::FeedChange;
pub use filter::{
    Equality, Filter, Ordered, Placeholders, SqlValue, Text, Where, contains_ignore_case,
    index_text, sql_share_key,
};
pub use history::{DEFAULT_HISTORY_AGE, DEFAULT_HISTORY_LENGTH};
pub use index::Index;
pub use state::{DEFAULT_MAX_SUBSCRIPTIONS, DEFAULT_SUBSCRIPTION_BUFFER};
pub use subscribe::{NoError, Refused};

use crate::contract::Contract;
use crate::feed::hub::{FeedHub, SocketFeeds, notify_ended};
use crate::feed::state::{FeedState, Kind};

#[cfg(feature = "redis")]
pub(crate) mod streams;
use crate::socket::cx::Cx;

/// The event a client sends to subscribe: `["eventwire:subscribe", {feed, filter}]`.
pub const SUBSCRIBE_EVENT: &str = concat!(eventwire_macros::__own_event_prefix!(), "subscribe");
/// The event a client sends to end a subscription: `["eventwire:unsubscribe", {id}]`.
pub const UNSUBSCRIBE_EVENT: &str = concat!(eventwire_macros::__own_event_prefix!(), "unsubscribe");
/// The event that carries one change to a subscriber.
pub const CHANGE_EVENT: &str = concat!(eventwire_macros::__own_event_prefix!(), "change");
/// The event that tells a subscriber the server ended its subscription.
pub const END_EVENT: &str = concat!(eventwire_macros::__own_event_prefix!(), "end");

/// What a feed's changes carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Mode {
    /// Changes and the snapshot carry the items (`mode = data`, the default).
    Data,
    /// Changes carry the key and the action only, the snapshot only keys (`mode =
    /// notify`): the client fetches what it needs through its own authorized calls.
    Notify,
}

/// Why the server ended a subscription, as the client receives it in `eventwire:end`:
/// `{"id": "7", "reason": "revoked", "message": "..."}`.
///
/// ```
/// use eventwire::feed::EndReason;
///
/// let reason = EndReason::revoked("you left the project");
/// assert_eq!(
///     serde_json::to_value(&reason).unwrap(),
///     serde_json::json!({ "reason": "revoked", "message": "you left the project" }),
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "lowercase")]
#[non_exhaustive]
pub enum EndReason {
    /// The app ended it (e.g. the subscriber's permission changed).
    Revoked {
        /// A sentence for the client.
        message: String,
    },
    /// The subscriber did not keep up; it may subscribe again.
    Overflow {
        /// A sentence for the client.
        message: String,
    },
    /// The feed's changes may have been lost before this node delivered them (its Redis
    /// stream was lost, or trimmed past them): the generated client subscribes again from
    /// its offset at once, which answers with a resync (a fresh snapshot).
    Resync {
        /// A sentence for the client.
        message: String,
    },
}

impl EndReason {
    /// The app ended the subscription, saying why.
    pub fn revoked(message: impl Into<String>) -> Self {
        Self::Revoked {
            message: message.into(),
        }
    }

    /// The subscriber did not keep up.
    pub(crate) fn overflow() -> Self {
        Self::Overflow {
            message: "the subscriber did not keep up with the changes; subscribe again".to_owned(),
        }
    }

    /// The feed's shared stream moved on without this node.
    pub(crate) fn resync() -> Self {
        Self::Resync {
            message: "the feed's changes may have been lost on the server; subscribe again from your offset for a resync".to_owned(),
        }
    }
}

/// Names one feed of contract `C`: its items `I`, filter `F`, mode and key. Built by the
/// constructor `#[derive(Contract)]` generates per `#[feed]` (`Board::tasks()`), used to
/// publish ([`Cx::feed`], [`Feeds::feed`]).
pub struct FeedRef<C, I, F> {
    name: &'static str,
    mode: Mode,
    key: fn(&I) -> Box<RawValue>,
    _types: PhantomData<fn() -> (C, F)>,
}

impl<C, I, F> Clone for FeedRef<C, I, F> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<C, I, F> Copy for FeedRef<C, I, F> {}

impl<C, I, F> FeedRef<C, I, F> {
    /// Used by generated code, not public API.
    #[doc(hidden)]
    pub const fn new(name: &'static str, mode: Mode, key: fn(&I) -> Box<RawValue>) -> Self {
        Self {
            name,
            mode,
            key,
            _types: PhantomData,
        }
    }

    /// The feed's name on the wire.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// What its changes carry.
    pub fn mode(&self) -> Mode {
        self.mode
    }
}

/// Publishes to one feed and ends its subscriptions. Cheap to clone; usable from any
/// thread, in a handler or outside one.
///
/// Each publish gets the feed's next offset (1, 2, ...; 0 is "nothing published yet")
/// and reaches, in order, every subscription it concerns: a subscriber's view stays
/// equal to its snapshot query run now, so an update moving an item into a filter is an
/// `added` for that subscriber and one moving it out a `removed`.
///
/// ```
/// # use eventwire::{payload, Contract, Cx, Filter, Server, feed::Refused};
/// # #[payload] #[derive(Clone)] pub struct Task { pub id: u32, pub status: String }
/// # #[payload] #[derive(Filter)] #[serde(deny_unknown_fields)] #[filter(item = Task)]
/// # pub struct TaskFilter { #[filter(eq)] pub status: Option<String> }
/// # #[derive(Contract)] pub enum Board { #[feed(item = Task, key = id, filter = TaskFilter)] Tasks }
/// # struct App;
/// # impl BoardHandlers for App {
/// #     async fn subscribe_tasks(&self, _: &Cx<Board>, _: &mut TaskFilter) -> Result<Vec<Task>, Refused> { Ok(vec![]) }
/// # }
/// let server = Server::new().contract::<Board>(App);
/// let tasks = server.feeds::<Board>().feed(Board::tasks());
/// let task = Task { id: 1, status: "todo".into() };
/// assert_eq!(tasks.created(task.clone()), 1);
/// let moved = Task { status: "doing".into(), ..task.clone() };
/// assert_eq!(tasks.updated(moved.clone(), Some(task)), 2);
/// assert_eq!(tasks.deleted(moved), 3);
/// assert_eq!(tasks.offset(), 3);
/// ```
pub struct Feed<I, F> {
    state: Arc<FeedState<I, F>>,
}

impl<I, F> Clone for Feed<I, F> {
    fn clone(&self) -> Self {
        Self {
            state: self.state.clone(),
        }
    }
}

/// Why [`Feed::send`] could not publish a change.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SendError {
    /// The feed's shared stream (Redis) did not take it; nothing was published.
    #[error("the feed's stream did not take the change: {0}")]
    Stream(String),
    /// The item could not be serialized for the stream.
    #[error("the change could not be serialized: {0}")]
    Serialize(String),
}

impl<I, F> Feed<I, F>
where
    I: Serialize + Send + Sync + 'static,
    F: Filter<Item = I>,
{
    fn publish(&self, kind: Kind<I>) -> u64 {
        if let Some(shared) = self.state.shared.get() {
            shared.enqueue(kind);
            return 0;
        }
        let (offset, ended) = self.state.publish(kind);
        notify_ended(ended);
        offset
    }

    /// Publishes a change and returns its offset once it is recorded. On one node that is
    /// at once, as with [`created`](Self::created). On a server whose feeds span nodes
    /// ([`Server::redis`](crate::Server)), it is once the change is in the feed's Redis
    /// stream, from which every node (this one included) delivers it to its subscribers;
    /// when Redis does not take it, nothing is published and the error says why.
    ///
    /// ```
    /// # use eventwire::{payload, Contract, Cx, Filter, Server, feed::{FeedChange, Refused}};
    /// # #[payload] #[derive(Clone)] pub struct Task { pub id: u32 }
    /// # #[payload] #[derive(Filter)] #[serde(deny_unknown_fields)] #[filter(item = Task)]
    /// # pub struct TaskFilter { #[filter(eq)] pub id: Option<u32> }
    /// # #[derive(Contract)] pub enum Board { #[feed(item = Task, key = id, filter = TaskFilter)] Tasks }
    /// # struct App;
    /// # impl BoardHandlers for App {
    /// #     async fn subscribe_tasks(&self, _: &Cx<Board>, _: &mut TaskFilter) -> Result<Vec<Task>, Refused> { Ok(vec![]) }
    /// # }
    /// # async fn run() -> Result<(), eventwire::feed::SendError> {
    /// let server = Server::new().contract::<Board>(App);
    /// let tasks = server.feeds::<Board>().feed(Board::tasks());
    /// assert_eq!(tasks.send(FeedChange::Created(Task { id: 1 })).await?, 1);
    /// # Ok(()) }
    /// ```
    pub async fn send(&self, change: FeedChange<I>) -> Result<u64, SendError> {
        self.send_once(change, None).await
    }

    /// [`send`](Self::send), recorded once under `once` on a shared stream (the outbox
    /// relay's message id).
    pub(crate) async fn send_once(
        &self,
        change: FeedChange<I>,
        once: Option<String>,
    ) -> Result<u64, SendError> {
        match self.state.shared.get() {
            Some(shared) => shared.send(change, once).await,
            None => Ok(self.publish(change)),
        }
    }

    /// A new item; returns the change's offset. On a server whose feeds span nodes the
    /// change is queued for the feed's Redis stream and this returns 0 (a change Redis does
    /// not take is logged as an error): use [`send`](Self::send) to learn the offset or the
    /// failure, or the outbox to publish after commit.
    pub fn created(&self, item: I) -> u64 {
        self.publish(Kind::Created(item))
    }

    /// A changed item, with the item as it was when the app has it: then only the
    /// subscriptions the old or new item concerns are visited. Without it, every
    /// subscription of the feed is, and those the new item does not match get a
    /// `removed` (a no-op for a client that did not hold it). Returns the offset.
    pub fn updated(&self, item: I, previous: Option<I>) -> u64 {
        self.publish(Kind::Updated { item, previous })
    }

    /// A deleted item (as it was, so its filters can be matched); returns the offset.
    pub fn deleted(&self, item: I) -> u64 {
        self.publish(Kind::Deleted(item))
    }

    /// Ends every subscription `select` picks (given its filter, as the handler left it,
    /// and its socket), telling each client `reason`; returns how many ended. Use it to
    /// revoke: e.g. when a user's role changes, end the subscriptions of their sockets.
    pub fn end_where(
        &self,
        select: impl FnMut(&F, crate::Sid) -> bool,
        reason: EndReason,
    ) -> usize {
        let ended = self.state.end_where(select, &reason);
        let count = ended.len();
        notify_ended(ended);
        count
    }

    /// The offset of the last change (0 before any).
    pub fn offset(&self) -> u64 {
        self.state.offset()
    }

    /// This feed's epoch: offsets count from it. A server restart starts a new epoch (with
    /// Redis, a lost stream does).
    pub fn epoch(&self) -> String {
        self.state.epoch()
    }

    /// How many subscriptions are live (receiving changes).
    pub fn subscriptions(&self) -> usize {
        self.state.counts().0
    }

    /// How many subscriptions are loading their snapshot.
    pub fn pending(&self) -> usize {
        self.state.counts().1
    }
}

/// The feeds of contract `C` on one server, for publishing from anywhere (a background
/// task, an HTTP handler). Get it from [`Server::feeds`](crate::Server::feeds) (before or
/// after mounting the contract) or [`Cx::feeds`].
pub struct Feeds<C> {
    hub: Arc<FeedHub>,
    _contract: PhantomData<fn() -> C>,
}

impl<C> Clone for Feeds<C> {
    fn clone(&self) -> Self {
        Self {
            hub: self.hub.clone(),
            _contract: PhantomData,
        }
    }
}

impl<C: Contract> Feeds<C> {
    pub(crate) fn new(hub: Arc<FeedHub>) -> Self {
        Self {
            hub,
            _contract: PhantomData,
        }
    }

    pub(crate) fn hub(&self) -> &FeedHub {
        &self.hub
    }

    /// The publishing handle of one feed, e.g. `feeds.feed(Board::tasks())`.
    pub fn feed<I, F>(&self, feed: FeedRef<C, I, F>) -> Feed<I, F>
    where
        I: Serialize + serde::de::DeserializeOwned + Send + Sync + 'static,
        F: Filter<Item = I>,
    {
        Feed {
            state: self.hub.feed(&feed),
        }
    }
}

impl<C: Contract> Cx<C> {
    /// The publishing handle of one of the contract's feeds:
    /// `cx.feed(Board::tasks()).created(task)`.
    pub fn feed<I, F>(&self, feed: FeedRef<C, I, F>) -> Feed<I, F>
    where
        I: Serialize + serde::de::DeserializeOwned + Send + Sync + 'static,
        F: Filter<Item = I>,
    {
        self.feeds().feed(feed)
    }

    /// The contract's feeds on this server, to keep for later.
    pub fn feeds(&self) -> Feeds<C> {
        Feeds::new(self.socket_feeds().hub.clone())
    }

    /// How many subscriptions this socket holds.
    pub fn subscriptions(&self) -> usize {
        self.socket_feeds().len()
    }

    pub(crate) fn socket_feeds(&self) -> Arc<SocketFeeds> {
        self.extensions()
            .get::<Arc<SocketFeeds>>()
            .expect("every served socket gets its feeds when it connects")
    }
}
