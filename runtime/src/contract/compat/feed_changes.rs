//! The changes of a contract's feeds that break an old client: its subscribe (the filter
//! it sends) must still be accepted, and the snapshots and changes the new server sends
//! (mode, key, items, app error) must still fit what the old client's types expect.

use crate::contract::compat::Shape;
use crate::contract::compat::changes::Part;
use crate::contract::compat::entry_changes::entry_changes;
use crate::contract::describe::Direction::{self, ServerToClient};

/// Reports, through `push` (`feed`, part, who sends, problem), every feed change from `old`
/// to `new` that breaks an old client. A feed added breaks nothing: old clients never
/// subscribe to it.
pub(super) fn feed_changes(
    old: &Shape,
    new: &Shape,
    push: &mut impl FnMut(Option<&str>, Part, Direction, String),
) {
    let gone = (
        Part::Feed,
        "the new server no longer serves it; an old client may still subscribe and gets an `unknown_feed` fault",
    );
    entry_changes(old, new, "feeds", gone, push, |feed| {
        feed.client_sends("filter", Part::FeedFilter);
        feed.server_sends("key", Part::FeedKey);
        // A notify client reads keys and actions only, which a data feed sends too.
        match (feed.old.get("item"), feed.new.get("item")) {
            (Some(_), Some(_)) => feed.server_sends("item", Part::FeedItem),
            (Some(_), None) => feed.push(
                Part::Feed,
                ServerToClient,
                "the new server sends keys only (notify mode), and an old client expects the items"
                    .into(),
            ),
            _ => {}
        }
        feed.app_error(
            Part::FeedError,
            "the new server may refuse a subscribe with an app error, which an old client does not expect",
        );
    });
}
