//! The changes of a contract's feeds that break an old client: its subscribe (the filter
//! it sends) must still be accepted, and the snapshots and changes the new server sends
//! (mode, key, items, app error) must still fit what the old client's types expect.

use crate::contract::compat::Shape;
use crate::contract::compat::changes::{Part, directed};
use crate::contract::compat::fits::{NEW_SERVER_SENDS, OLD_CLIENT_SENDS};
use crate::contract::describe::Direction::{self, ClientToServer, ServerToClient};

/// Reports, through `push` (`feed`, part, who sends, problem), every feed change from `old`
/// to `new` that breaks an old client. A feed added breaks nothing: old clients never
/// subscribe to it.
pub(super) fn feed_changes(
    old: &Shape,
    new: &Shape,
    push: &mut impl FnMut(Option<&str>, Part, Direction, String),
) {
    for (name, old_feed) in old.entries("feeds") {
        let feed = Some(name.as_str());
        let Some(new_feed) = new.entry("feeds", name) else {
            push(
                feed,
                Part::Feed,
                ClientToServer,
                "the new server no longer serves it; an old client may still subscribe and gets an `unknown_feed` fault".into(),
            );
            continue;
        };
        for problem in directed(&old_feed["filter"], &new_feed["filter"], OLD_CLIENT_SENDS) {
            push(feed, Part::FeedFilter, ClientToServer, problem);
        }
        for problem in directed(&old_feed["key"], &new_feed["key"], NEW_SERVER_SENDS) {
            push(feed, Part::FeedKey, ServerToClient, problem);
        }
        // A notify client reads keys and actions only, which a data feed sends too.
        match (old_feed.get("item"), new_feed.get("item")) {
            (Some(old_item), Some(new_item)) => {
                for problem in directed(old_item, new_item, NEW_SERVER_SENDS) {
                    push(feed, Part::FeedItem, ServerToClient, problem);
                }
            }
            (Some(_), None) => push(
                feed,
                Part::Feed,
                ServerToClient,
                "the new server sends keys only (notify mode), and an old client expects the items"
                    .into(),
            ),
            _ => {}
        }
        match (old_feed.get("error"), new_feed.get("error")) {
            (Some(old_error), Some(new_error)) => {
                for problem in directed(old_error, new_error, NEW_SERVER_SENDS) {
                    push(feed, Part::FeedError, ServerToClient, problem);
                }
            }
            (None, Some(_)) => push(
                feed,
                Part::FeedError,
                ServerToClient,
                "the new server may refuse a subscribe with an app error, which an old client does not expect".into(),
            ),
            _ => {}
        }
    }
}
