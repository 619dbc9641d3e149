//! [`Group`]: subscriptions of one feed whose filters select the same items, on different
//! connections, delivered together by one room broadcast.
//!
//! A change goes to a group's members as one frame, encoded once: socketioxide has no
//! public way to send one encoded packet to chosen sockets other than a room broadcast
//! (`Socket::send_raw` is crate-private), and a frame framed per socket by `Socket::emit`
//! cost twice a broadcast's per-member work (BENCHMARKS.md, W6). So members share the frame
//! and with it its `id`: every member's subscription is known to its client by the group's
//! id, which is unique on each connection because a connection holds at most one
//! subscription of a group (a second one with the same filter gets an id of its own and is
//! delivered alone).
//!
//! A subscription with a per-item check, a filter with a custom predicate, or a filter
//! implemented by hand (its `share_key` is `None` unless it says otherwise) is never
//! grouped: what it is sent depends on more than its filter's constraints. Groups are per
//! namespace, since rooms are: a contract served on several paths shares its feeds, not its
//! rooms.

use serde_json::value::RawValue;

use crate::feed::ids::IdMap;
use crate::socket::ops::Room;

/// Subscriptions sharing one frame per change. The first member's filter (they are all
/// equal) decides what a change is for all of them.
pub(crate) struct Group {
    /// The frames' `id`, as JSON.
    pub(crate) id_json: Box<RawValue>,
    /// The socketioxide room of the members' sockets.
    pub(crate) room: Room,
    /// The filters' [`share_key`](crate::Filter::share_key).
    pub(crate) key: String,
    /// Where the group is filed in the feed's index.
    pub(crate) entry: Option<(usize, String)>,
    /// The members' subscription ids.
    pub(crate) members: IdMap<()>,
    /// The member whose filter and socket stand for all: the group's frames are broadcast
    /// through its socket.
    pub(crate) lead: u64,
}

impl Group {
    pub(crate) fn new(id: u64, key: String, entry: Option<(usize, String)>, lead: u64) -> Self {
        Self {
            id_json: crate::feed::state::raw(&id.to_string()),
            room: room(id),
            key,
            entry,
            members: IdMap::default(),
            lead,
        }
    }

    /// Takes member `id` out; whether the group is now empty. A new lead is picked when
    /// the lead leaves.
    pub(crate) fn leave(&mut self, id: u64) -> bool {
        self.members.remove(&id);
        if self.lead == id {
            match self.members.keys().next() {
                Some(next) => self.lead = *next,
                None => return true,
            }
        }
        self.members.is_empty()
    }
}

/// What the rooms of groups are named with.
const ROOM_PREFIX: &str = "eventwire:feed:";

/// The room of group `id`.
pub(crate) fn room(id: u64) -> Room {
    Room::Owned(format!("{ROOM_PREFIX}{id}"))
}

/// Whether `room` is a group's. eventwire alone puts sockets in these rooms and takes them
/// out: a handler's `Cx::join` and `Cx::leave` skip them, `Cx::rooms` does not list them, and
/// connection state recovery does not carry them over (a recovered connection holds no
/// subscription).
pub(crate) fn is_feed_room(room: &str) -> bool {
    room.starts_with(ROOM_PREFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lead_moves_to_another_member_and_the_last_one_empties_it() {
        let mut group = Group::new(7, "k".into(), None, 1);
        group.members.insert(1, ());
        group.members.insert(2, ());
        assert!(!group.leave(1));
        assert_eq!(group.lead, 2);
        assert!(group.leave(2));
        assert_eq!(group.room, "eventwire:feed:7");
        assert_eq!(group.id_json.get(), r#""7""#);
        assert!(is_feed_room(&group.room));
        assert!(!is_feed_room("eventwire"));
    }
}
