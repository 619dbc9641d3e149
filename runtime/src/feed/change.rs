//! [`FeedChange`]: one change to publish to a feed, as the app states it.

use serde::{Deserialize, Serialize};

/// One change to a feed's collection, as the app publishes it: what
/// [`Feed::send`](crate::feed::Feed::send) takes, and what an outbox message for a feed holds
/// ([`NewMessage::feed`](crate::outbox::NewMessage::feed)). Its JSON is externally tagged:
/// `{"created": item}`, `{"updated": {"item": .., "previous": ..}}`, `{"deleted": item}`.
///
/// ```
/// use eventwire::feed::FeedChange;
///
/// let change = FeedChange::Updated { item: 2, previous: Some(1) };
/// assert_eq!(
///     serde_json::to_value(&change).unwrap(),
///     serde_json::json!({ "updated": { "item": 2, "previous": 1 } }),
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FeedChange<I> {
    /// A new item.
    Created(I),
    /// A changed item, with the item as it was when the app has it (then only the
    /// subscriptions the old or new item concerns are visited).
    Updated {
        /// The item now.
        item: I,
        /// The item before, if known.
        previous: Option<I>,
    },
    /// A deleted item, as it was.
    Deleted(I),
}

impl<I> FeedChange<I> {
    /// The item the change is about (as it is now, or as it was when deleted).
    pub fn item(&self) -> &I {
        match self {
            Self::Created(item) | Self::Updated { item, .. } | Self::Deleted(item) => item,
        }
    }
}
