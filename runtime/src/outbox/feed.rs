//! [`FeedSink`]: publishes the outbox messages recorded for a contract's feeds
//! ([`NewMessage::feed`]), through the same path as [`Feed::send`].

use std::collections::HashMap;

use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::contract::Contract;
use crate::feed::{Feed, FeedChange, FeedRef, Feeds, Filter, SendError};
use crate::outbox::sink::of_contract;
use crate::outbox::{Message, NewMessage, PublishError, Sink};

/// The event of a feed's outbox messages: `feed:<name>`.
fn event_of(feed: &str) -> String {
    format!("feed:{feed}")
}

impl NewMessage {
    /// A change to one of contract `C`'s feeds, to be published by a [`FeedSink`] after
    /// commit: topic `C`'s name, event `feed:<name>`, the change's JSON as payload.
    ///
    /// ```
    /// # use eventwire::{payload, Contract, Cx, Filter, feed::{FeedChange, Refused}};
    /// # #[payload] #[derive(Clone)] pub struct Task { pub id: u32 }
    /// # #[payload] #[derive(Filter)] #[serde(deny_unknown_fields)] #[filter(item = Task)]
    /// # pub struct TaskFilter { #[filter(eq)] pub id: Option<u32> }
    /// # #[derive(Contract)] pub enum Board { #[feed(item = Task, key = id, filter = TaskFilter)] Tasks }
    /// use eventwire::outbox::NewMessage;
    ///
    /// let message = NewMessage::feed(Board::tasks(), &FeedChange::Created(Task { id: 1 })).unwrap();
    /// assert_eq!((message.topic(), message.event()), ("Board", "feed:tasks"));
    /// ```
    pub fn feed<C: Contract, I: Serialize, F>(
        feed: FeedRef<C, I, F>,
        change: &FeedChange<I>,
    ) -> Result<Self, serde_json::Error> {
        Ok(Self::new(
            C::NAME,
            event_of(feed.name()),
            Some(serde_json::to_value(change)?),
        ))
    }
}

/// Publishes one feed's message; the id names the change, so it is recorded once.
type Route =
    Box<dyn Fn(Value, String) -> BoxFuture<'static, Result<(), PublishError>> + Send + Sync>;

/// Publishes outbox messages recorded with [`NewMessage::feed`] to contract `C`'s feeds, as
/// [`Feed::send`] does: on one node at once, and with Redis through the feed's stream, so
/// the change reaches the subscribers of every node.
///
/// With Redis, each change is recorded once: the message id names it in the stream (the
/// last history-length names are kept), so a relay that crashed after publishing a message
/// and before deleting it publishes it again without effect. Run one outbox per feed, as
/// the names are its message ids. On one node, delivery is at least once (see the
/// [`outbox`](crate::outbox) module). A message of another topic or an undeclared feed, or
/// one whose payload is not a change of the feed's items, is rejected; a change Redis does
/// not take is retried later.
///
/// ```
/// # use eventwire::{payload, Contract, Cx, Filter, Server, feed::Refused};
/// # #[payload] #[derive(Clone)] pub struct Task { pub id: u32 }
/// # #[payload] #[derive(Filter)] #[serde(deny_unknown_fields)] #[filter(item = Task)]
/// # pub struct TaskFilter { #[filter(eq)] pub id: Option<u32> }
/// # #[derive(Contract)] pub enum Board { #[feed(item = Task, key = id, filter = TaskFilter)] Tasks }
/// # struct App;
/// # impl BoardHandlers for App {
/// #     async fn subscribe_tasks(&self, _: &Cx<Board>, _: &mut TaskFilter) -> Result<Vec<Task>, Refused> { Ok(vec![]) }
/// # }
/// use eventwire::outbox::FeedSink;
///
/// let server = Server::new().contract::<Board>(App);
/// let sink = FeedSink::new(server.feeds::<Board>()).feed(Board::tasks());
/// # let _ = sink;
/// ```
pub struct FeedSink<C> {
    feeds: Feeds<C>,
    routes: HashMap<String, Route>,
}

impl<C: Contract> FeedSink<C> {
    /// A sink publishing to `feeds`; name each feed it serves with [`feed`](Self::feed).
    pub fn new(feeds: Feeds<C>) -> Self {
        Self {
            feeds,
            routes: HashMap::new(),
        }
    }

    /// Also publishes the messages of `feed`.
    pub fn feed<I, F>(mut self, feed: FeedRef<C, I, F>) -> Self
    where
        I: Serialize + DeserializeOwned + Send + Sync + 'static,
        F: Filter<Item = I>,
    {
        let handle: Feed<I, F> = self.feeds.feed(feed);
        let route: Route = Box::new(move |payload, name| {
            let handle = handle.clone();
            async move {
                let change: FeedChange<I> = serde_json::from_value(payload).map_err(|e| {
                    PublishError::Reject(format!("not a change of the feed's items: {e}"))
                })?;
                match handle.send_once(change, Some(name)).await {
                    Ok(_) => Ok(()),
                    Err(SendError::Serialize(e)) => Err(PublishError::Reject(e)),
                    Err(error) => Err(PublishError::Retry(error.to_string())),
                }
            }
            .boxed()
        });
        self.routes.insert(event_of(feed.name()), route);
        self
    }
}

impl<C: Contract> Sink for FeedSink<C> {
    async fn publish(&self, message: &Message) -> Result<(), PublishError> {
        of_contract::<C>(message)?;
        let Some(route) = self.routes.get(&message.event) else {
            return Err(PublishError::Reject(format!(
                "`{}` is not a feed this sink publishes to",
                message.event
            )));
        };
        let payload = message.payload.clone().unwrap_or(Value::Null);
        route(payload, format!("outbox:{}", message.id)).await
    }
}
