//! One test per compatibility rule of `runtime/docs/compatibility.md`: what an old client sends
//! must still be accepted by the new server (client → server), and what the new server
//! sends must still fit the old client's types (server → client).

// Each version of a contract is a module; its items are `pub` so that versions can share
// types, though nothing outside this test reaches them.
#![allow(unreachable_pub)]

use eventwire::compat::Shape;
use eventwire::describe::Direction;
use eventwire_tests::compat::changes;
use eventwire_tests::version;

use Direction::{ClientToServer, ServerToClient};

version!(base {
    #[payload] pub struct Item { pub name: String, pub size: u8 }
    #[payload] #[serde(rename_all = "camelCase")] pub enum Color { Red, Green }
    #[payload] pub struct Painted { pub color: Color, pub count: u8 }
    #[derive(Contract)] #[contract(namespace = "/api")]
    pub enum Api {
        #[client(ack = Painted)] Paint(Item),
        #[client] Ping,
        #[server] Changed(Painted),
        #[server(ack = Color)] Ask(Item),
    }
});

// Client → server: what an old client sends.

version!(event_added {
    pub use super::base::{Item, Painted, Color};
    #[derive(Contract)] #[contract(namespace = "/api")]
    pub enum Api {
        #[client(ack = Painted)] Paint(Item),
        #[client] Ping,
        #[client] Pong,
        #[server] Changed(Painted),
        #[server] Extra(Painted),
        #[server(ack = Color)] Ask(Item),
    }
});

#[test]
fn adding_events_either_way_is_compatible() {
    assert_eq!(changes::<base::Api, event_added::Api>(), []);
}

version!(client_event_removed {
    pub use super::base::{Item, Painted, Color};
    #[derive(Contract)] #[contract(namespace = "/api")]
    pub enum Api {
        #[client(ack = Painted)] Paint(Item),
        #[server] Changed(Painted),
        #[server(ack = Color)] Ask(Item),
    }
});

#[test]
fn removing_a_client_event_breaks_old_clients() {
    assert_eq!(
        changes::<base::Api, client_event_removed::Api>(),
        [(ClientToServer, "/api `ping` event: the new server no longer handles it; an old client may still send it and gets an `unknown_event` fault".to_owned())]
    );
}

version!(optional_field {
    pub use super::base::{Painted, Color};
    #[payload] pub struct Item { pub name: String, pub size: u8, #[serde(default)] pub note: Option<String> }
    #[derive(Contract)] #[contract(namespace = "/api")]
    pub enum Api {
        #[client(ack = Painted)] Paint(Item),
        #[client] Ping,
        #[server] Changed(Painted),
        #[server(ack = Color)] Ask(super::base::Item),
    }
});

#[test]
fn an_optional_field_in_what_clients_send_is_compatible() {
    assert_eq!(changes::<base::Api, optional_field::Api>(), []);
}

version!(required_field {
    pub use super::base::{Painted, Color};
    #[payload] pub struct Item { pub name: String, pub size: u8, pub note: String }
    #[derive(Contract)] #[contract(namespace = "/api")]
    pub enum Api {
        #[client(ack = Painted)] Paint(Item),
        #[client] Ping,
        #[server] Changed(Painted),
        #[server(ack = Color)] Ask(super::base::Item),
    }
});

#[test]
fn a_required_field_in_what_clients_send_breaks_old_clients() {
    assert_eq!(
        changes::<base::Api, required_field::Api>(),
        [(ClientToServer, "/api `paint` payload: an old client may leave out `note`, which the new server requires".to_owned())]
    );
}

version!(strict {
    pub use super::base::{Painted, Color};
    #[payload] #[serde(deny_unknown_fields)] pub struct Item { pub name: String }
    #[derive(Contract)] #[contract(namespace = "/api")]
    pub enum Api {
        #[client(ack = Painted)] Paint(Item),
        #[client] Ping,
        #[server] Changed(Painted),
        #[server(ack = Color)] Ask(super::base::Item),
    }
});

version!(lenient {
    pub use super::base::{Painted, Color};
    #[payload] pub struct Item { pub name: String }
    #[derive(Contract)] #[contract(namespace = "/api")]
    pub enum Api {
        #[client(ack = Painted)] Paint(Item),
        #[client] Ping,
        #[server] Changed(Painted),
        #[server(ack = Color)] Ask(super::base::Item),
    }
});

#[test]
fn removing_a_field_clients_send_breaks_only_a_server_denying_unknown_fields() {
    assert_eq!(changes::<base::Api, lenient::Api>(), []);
    assert_eq!(
        changes::<base::Api, strict::Api>(),
        [(ClientToServer, "/api `paint` payload: an old client may send `size`, which the new server refuses (it denies unknown fields)".to_owned())]
    );
}

version!(wider_input {
    pub use super::base::{Painted, Color};
    #[payload] pub struct Item { #[validate(length(max = 10))] pub name: String, pub size: u32 }
    #[derive(Contract)] #[contract(namespace = "/api")]
    pub enum Api {
        #[client(ack = Painted)] Paint(super::base::Item),
        #[client] Ping,
        #[server] Changed(Painted),
        #[server(ack = Color)] Ask(super::base::Item),
    }
});

version!(narrower_input {
    pub use super::base::{Painted, Color};
    #[payload] pub struct Item { #[validate(length(max = 10))] pub name: String, pub size: bool }
    #[derive(Contract)] #[contract(namespace = "/api")]
    pub enum Api {
        #[client(ack = Painted)] Paint(Item),
        #[client] Ping,
        #[server] Changed(Painted),
        #[server(ack = Color)] Ask(super::base::Item),
    }
});

#[test]
fn what_clients_send_may_be_accepted_more_widely_but_not_more_narrowly() {
    assert_eq!(changes::<base::Api, wider_input::Api>(), []);
    assert_eq!(
        changes::<base::Api, narrower_input::Api>(),
        [
            (ClientToServer, "/api `paint` payload: an old client at `name` may send values beyond maxLength 10, which the new server requires (an old client has no such limit)".to_owned()),
            (ClientToServer, "/api `paint` payload: an old client at `size` may send an integer, where the new server expects boolean".to_owned()),
        ]
    );
}

version!(client_answer_narrower {
    pub use super::base::{Item, Painted};
    #[payload] #[serde(rename_all = "camelCase")] pub enum Color { Red }
    #[derive(Contract)] #[contract(namespace = "/api")]
    pub enum Api {
        #[client(ack = Painted)] Paint(Item),
        #[client] Ping,
        #[server] Changed(Painted),
        #[server(ack = Color)] Ask(Item),
    }
});

#[test]
fn the_answer_a_client_gives_follows_the_client_to_server_rules() {
    assert_eq!(
        changes::<base::Api, client_answer_narrower::Api>(),
        [(ClientToServer, "/api `ask` answer: an old client may send \"green\", which the new server does not know".to_owned())]
    );
}

version!(auth_added {
    pub use super::base::{Item, Painted, Color};
    #[payload] #[derive(Clone)] pub struct Login { pub user: String }
    #[derive(Contract)] #[contract(namespace = "/api", auth = Login)]
    pub enum Api {
        #[client(ack = Painted)] Paint(Item),
        #[client] Ping,
        #[server] Changed(Painted),
        #[server(ack = Color)] Ask(Item),
    }
});

version!(auth_stricter {
    pub use super::base::{Item, Painted, Color};
    #[payload] #[derive(Clone)] pub struct Login { pub user: String, pub password: String }
    #[derive(Contract)] #[contract(namespace = "/api", auth = Login)]
    pub enum Api {
        #[client(ack = Painted)] Paint(Item),
        #[client] Ping,
        #[server] Changed(Painted),
        #[server(ack = Color)] Ask(Item),
    }
});

#[test]
fn the_handshake_auth_follows_the_client_to_server_rules() {
    assert_eq!(
        changes::<base::Api, auth_added::Api>(),
        [(
            ClientToServer,
            "/api handshake auth: the new server requires auth, which an old client does not send"
                .to_owned()
        )]
    );
    assert_eq!(
        changes::<auth_added::Api, auth_stricter::Api>(),
        [(ClientToServer, "/api handshake auth: an old client may leave out `password`, which the new server requires".to_owned())]
    );
}

// Server → client: what the new server sends.

version!(server_event_removed {
    pub use super::base::{Item, Painted, Color};
    #[derive(Contract)] #[contract(namespace = "/api")]
    pub enum Api {
        #[client(ack = Painted)] Paint(Item),
        #[client] Ping,
        #[server(ack = Color)] Ask(Item),
    }
});

#[test]
fn removing_a_server_event_is_compatible() {
    assert_eq!(changes::<base::Api, server_event_removed::Api>(), []);
}

version!(output_field_added {
    pub use super::base::{Item, Color};
    #[payload] pub struct Painted { pub color: Color, pub count: u8, pub by: String }
    #[derive(Contract)] #[contract(namespace = "/api")]
    pub enum Api {
        #[client(ack = Painted)] Paint(Item),
        #[client] Ping,
        #[server] Changed(Painted),
        #[server(ack = Color)] Ask(Item),
    }
});

version!(output_field_optional {
    pub use super::base::{Item, Color};
    #[payload] pub struct Painted { pub color: Color, #[serde(skip_serializing_if = "Option::is_none")] pub count: Option<u8> }
    #[derive(Contract)] #[contract(namespace = "/api")]
    pub enum Api {
        #[client(ack = Painted)] Paint(Item),
        #[client] Ping,
        #[server] Changed(Painted),
        #[server(ack = Color)] Ask(Item),
    }
});

#[test]
fn a_field_added_to_what_the_server_sends_is_compatible_but_one_made_optional_breaks() {
    assert_eq!(changes::<base::Api, output_field_added::Api>(), []);
    assert_eq!(
        changes::<base::Api, output_field_optional::Api>(),
        [
            (ServerToClient, "/api `paint` answer: the new server may leave out `count`, which an old client requires".to_owned()),
            (ServerToClient, "/api `paint` answer: the new server at `count` may send null, where an old client expects integer".to_owned()),
            (ServerToClient, "/api `changed` payload: the new server may leave out `count`, which an old client requires".to_owned()),
            (ServerToClient, "/api `changed` payload: the new server at `count` may send null, where an old client expects integer".to_owned()),
        ]
    );
}

version!(output_variant_added {
    pub use super::base::Item;
    #[payload] #[serde(rename_all = "camelCase")] pub enum Color { Red, Green, Blue }
    #[payload] pub struct Painted { pub color: Color, pub count: u8 }
    #[derive(Contract)] #[contract(namespace = "/api")]
    pub enum Api {
        #[client(ack = Painted)] Paint(Item),
        #[client] Ping,
        #[server] Changed(Painted),
        #[server(ack = super::base::Color)] Ask(Item),
    }
});

version!(output_narrower {
    pub use super::base::{Item, Color};
    #[payload] pub struct Painted { pub color: Color, #[validate(range(max = 9))] pub count: u8 }
    #[derive(Contract)] #[contract(namespace = "/api")]
    pub enum Api {
        #[client(ack = Painted)] Paint(Item),
        #[client] Ping,
        #[server] Changed(Painted),
        #[server(ack = Color)] Ask(Item),
    }
});

#[test]
fn what_the_server_sends_may_narrow_but_not_widen() {
    assert_eq!(changes::<base::Api, output_narrower::Api>(), []);
    assert_eq!(
        changes::<base::Api, output_variant_added::Api>(),
        [
            (ServerToClient, "/api `paint` answer: the new server at `color` may send \"blue\", which an old client does not know".to_owned()),
            (ServerToClient, "/api `changed` payload: the new server at `color` may send \"blue\", which an old client does not know".to_owned()),
        ]
    );
}

version!(answers_changed {
    pub use super::base::{Item, Painted, Color};
    #[payload] pub struct Busy { pub retry: u32 }
    #[derive(Contract)] #[contract(namespace = "/api")]
    pub enum Api {
        #[client(ack = Result<Painted, Busy>)] Paint(Item),
        #[client] Ping,
        #[server(ack = bool)] Changed(Painted),
        #[server(ack = Color)] Ask(Item),
    }
});

version!(answer_removed {
    pub use super::base::{Item, Painted, Color};
    #[derive(Contract)] #[contract(namespace = "/api")]
    pub enum Api {
        #[client] Paint(Item),
        #[client(ack = u8)] Ping,
        #[server] Changed(Painted),
        #[server] Ask(Item),
    }
});

#[test]
fn answers_added_or_removed() {
    assert_eq!(
        changes::<base::Api, answers_changed::Api>(),
        [
            (ServerToClient, "/api `paint` app error: the new server may answer with an app error, which an old client does not expect".to_owned()),
            (ClientToServer, "/api `changed` event: the new server waits for an answer, which an old client never sends".to_owned()),
        ]
    );
    // Answering a client event that was not answered, or no longer reading a client's
    // answer, is compatible; no longer answering one is not.
    assert_eq!(
        changes::<base::Api, answer_removed::Api>(),
        [(ServerToClient, "/api `paint` event: the new server no longer answers it: an old client waiting for its answer gets `null` instead".to_owned())]
    );
}

#[test]
fn fingerprints_ignore_docs_and_type_names_but_not_the_wire() {
    version!(documented {
        /// A thing to paint.
        #[payload] pub struct Thing { /// Its name.
            pub name: String, pub size: u8 }
        pub use crate::base::{Painted, Color};
        /// The same API, with docs and another type name.
        #[derive(Contract)] #[contract(namespace = "/api")]
        pub enum Api {
            /// Paints.
            #[client(ack = Painted)] Paint(Thing),
            #[client] Ping,
            #[server] Changed(Painted),
            #[server(ack = Color)] Ask(Thing),
        }
    });
    let base = Shape::of::<base::Api>();
    assert_eq!(
        base.fingerprint(),
        Shape::of::<documented::Api>().fingerprint()
    );
    assert_ne!(
        base.fingerprint(),
        Shape::of::<optional_field::Api>().fingerprint()
    );
    // Stable across runs and platforms: pinned. (It changes only if the wire shape of
    // `base` or the normalization changes; the latter would refuse every deployed client.)
    assert_eq!(base.fingerprint(), "6a17d7929a0ec81f");
}

#[test]
fn a_checked_in_description_reads_back_to_the_same_fingerprint() {
    // The server computes fingerprints from its contracts; earlier versions come from their
    // `<stem>.schema.json`. Both ways must agree, for every serde shape (recursion,
    // generics, flatten, tagged enums) and for both directions' definitions.
    let dir = eventwire_tests::node_dir().join("generated");
    let lab = std::fs::read_to_string(dir.join("lab.schema.json")).expect("checked in");
    let shapes = std::fs::read_to_string(dir.join("shapes.schema.json")).expect("checked in");
    // A contract with feeds (data and notify, an app error, a per-item check).
    let board = std::fs::read_to_string(dir.join("board.schema.json")).expect("checked in");
    // A contract with an upload (an app error, a guard, a size limit) and a download (an
    // app error).
    let files = std::fs::read_to_string(dir.join("files.schema.json")).expect("checked in");
    let pairs = [
        (Shape::of::<eventwire_tests::Lab>(), &lab),
        (Shape::of::<eventwire_tests::Ordered>(), &lab),
        (Shape::of::<eventwire_tests::Other>(), &lab),
        (Shape::of::<eventwire_tests::Secure>(), &lab),
        (Shape::of::<eventwire_tests::shapes::Shapes>(), &shapes),
        (Shape::of::<eventwire_tests::board::Board>(), &board),
        (Shape::of::<eventwire_tests::binary::Files>(), &files),
    ];
    for (shape, document) in pairs {
        let read = Shape::from_schema_document(document, shape.name()).expect("reads");
        assert_eq!(read.as_value(), shape.as_value(), "{}", shape.name());
        assert_eq!(read.fingerprint(), shape.fingerprint());
    }
}

// Feeds: the subscribe (its filter) is what an old client sends; the snapshot and the
// changes (mode, key, items, app error) are what the new server sends.

version!(feeds_base {
    use eventwire::Filter;
    #[payload] #[derive(Clone)] pub struct Task { pub id: u32, pub title: String, pub done: bool }
    #[payload] #[derive(Filter)] #[serde(deny_unknown_fields)] #[filter(item = Task)]
    pub struct TaskFilter { #[filter(eq)] pub done: Option<bool> }
    #[derive(Contract)] #[contract(namespace = "/api")]
    pub enum Api {
        #[feed(item = Task, key = id, filter = TaskFilter)] Tasks,
        #[feed(item = Task, key = id, filter = TaskFilter, mode = notify)] Notices,
    }
});

version!(feed_added {
    pub use crate::feeds_base::{Task, TaskFilter};
    #[derive(Contract)] #[contract(namespace = "/api")]
    pub enum Api {
        #[feed(item = Task, key = id, filter = TaskFilter)] Tasks,
        #[feed(item = Task, key = id, filter = TaskFilter, mode = notify)] Notices,
        #[feed(item = Task, key = id, filter = TaskFilter)] Archive,
    }
});

version!(feed_removed {
    pub use crate::feeds_base::{Task, TaskFilter};
    #[derive(Contract)] #[contract(namespace = "/api")]
    pub enum Api {
        #[feed(item = Task, key = id, filter = TaskFilter)] Tasks,
    }
});

#[test]
fn adding_a_feed_is_compatible_but_removing_one_breaks_old_clients() {
    assert_eq!(changes::<feeds_base::Api, feed_added::Api>(), []);
    assert_eq!(
        changes::<feeds_base::Api, feed_removed::Api>(),
        [(ClientToServer, "/api `notices` feed: the new server no longer serves it; an old client may still subscribe and gets an `unknown_feed` fault".to_owned())]
    );
}

version!(filter_widened {
    use eventwire::Filter;
    pub use crate::feeds_base::Task;
    #[payload] #[derive(Filter)] #[serde(deny_unknown_fields)] #[filter(item = Task)]
    pub struct TaskFilter {
        #[filter(eq)] pub done: Option<bool>,
        #[filter(contains, field = title)] pub search: Option<String>,
    }
    #[derive(Contract)] #[contract(namespace = "/api")]
    pub enum Api {
        #[feed(item = Task, key = id, filter = TaskFilter)] Tasks,
        #[feed(item = Task, key = id, filter = TaskFilter, mode = notify)] Notices,
    }
});

version!(filter_narrowed {
    use eventwire::Filter;
    pub use crate::feeds_base::Task;
    #[payload] #[derive(Filter)] #[serde(deny_unknown_fields)] #[filter(item = Task)]
    pub struct TaskFilter { #[filter(eq, field = title)] pub title: Option<String> }
    #[derive(Contract)] #[contract(namespace = "/api")]
    pub enum Api {
        #[feed(item = Task, key = id, filter = TaskFilter)] Tasks,
        #[feed(item = Task, key = id, filter = TaskFilter, mode = notify)] Notices,
    }
});

#[test]
fn a_feed_filter_follows_the_client_to_server_rules() {
    // A filter field added (every filter field is optional) is compatible; one removed
    // from a filter that denies unknown fields is refused when an old client sends it.
    assert_eq!(changes::<feeds_base::Api, filter_widened::Api>(), []);
    let broken = changes::<feeds_base::Api, filter_narrowed::Api>();
    assert!(!broken.is_empty());
    for (sent_by, sentence) in &broken {
        assert_eq!(*sent_by, ClientToServer, "{sentence}");
        assert!(sentence.contains(" feed filter: "), "{sentence}");
        assert!(sentence.contains("`done`"), "{sentence}");
    }
    assert!(
        broken
            .iter()
            .any(|(_, s)| s.starts_with("/api `tasks` feed filter: "))
    );
    assert!(
        broken
            .iter()
            .any(|(_, s)| s.starts_with("/api `notices` feed filter: "))
    );
}

version!(item_widened {
    use eventwire::Filter;
    #[payload] #[derive(Clone)] pub struct Task { pub id: u32, pub title: String, pub done: bool, pub owner: String }
    #[payload] #[derive(Filter)] #[serde(deny_unknown_fields)] #[filter(item = Task)]
    pub struct TaskFilter { #[filter(eq)] pub done: Option<bool> }
    #[derive(Contract)] #[contract(namespace = "/api")]
    pub enum Api {
        #[feed(item = Task, key = id, filter = TaskFilter)] Tasks,
        #[feed(item = Task, key = id, filter = TaskFilter, mode = notify)] Notices,
    }
});

version!(item_narrowed {
    use eventwire::Filter;
    #[payload] #[derive(Clone)] pub struct Task { pub id: u32, pub done: bool }
    #[payload] #[derive(Filter)] #[serde(deny_unknown_fields)] #[filter(item = Task)]
    pub struct TaskFilter { #[filter(eq)] pub done: Option<bool> }
    #[derive(Contract)] #[contract(namespace = "/api")]
    pub enum Api {
        #[feed(item = Task, key = id, filter = TaskFilter)] Tasks,
        #[feed(item = Task, key = id, filter = TaskFilter, mode = notify)] Notices,
    }
});

#[test]
fn a_feed_item_follows_the_server_to_client_rules_on_data_feeds_only() {
    // A field added to the items is compatible; one removed breaks the data feed's old
    // clients, and not the notify feed's, whose changes carry no item.
    assert_eq!(changes::<feeds_base::Api, item_widened::Api>(), []);
    assert_eq!(
        changes::<feeds_base::Api, item_narrowed::Api>(),
        [(ServerToClient, "/api `tasks` feed item: the new server may leave out `title`, which an old client requires".to_owned())]
    );
}

version!(key_changed {
    pub use crate::feeds_base::{Task, TaskFilter};
    #[derive(Contract)] #[contract(namespace = "/api")]
    pub enum Api {
        #[feed(item = Task, key = title, filter = TaskFilter)] Tasks,
        #[feed(item = Task, key = id, filter = TaskFilter, mode = notify)] Notices,
    }
});

#[test]
fn a_feed_key_of_another_type_breaks_old_clients() {
    // `key = id` (a `u32`) became `key = title` (a `String`): only the key changed.
    let broken = changes::<feeds_base::Api, key_changed::Api>();
    assert_eq!(
        broken[0],
        (ServerToClient, "/api `tasks` feed key: the new server may send a string, where an old client expects integer".to_owned())
    );
    for (sent_by, sentence) in &broken {
        assert_eq!(*sent_by, ServerToClient, "{sentence}");
        assert!(
            sentence.starts_with("/api `tasks` feed key: "),
            "{sentence}"
        );
    }
}

version!(modes_swapped {
    pub use crate::feeds_base::{Task, TaskFilter};
    #[derive(Contract)] #[contract(namespace = "/api")]
    pub enum Api {
        #[feed(item = Task, key = id, filter = TaskFilter, mode = notify)] Tasks,
        #[feed(item = Task, key = id, filter = TaskFilter)] Notices,
    }
});

#[test]
fn a_data_feed_made_notify_breaks_old_clients_but_not_the_reverse() {
    // `notices` becomes a data feed: its old clients read the keys, which it still sends.
    assert_eq!(
        changes::<feeds_base::Api, modes_swapped::Api>(),
        [(ServerToClient, "/api `tasks` feed: the new server sends keys only (notify mode), and an old client expects the items".to_owned())]
    );
}

version!(feed_error_added {
    pub use crate::feeds_base::{Task, TaskFilter};
    #[payload] #[serde(tag = "code", rename_all = "snake_case")] pub enum Refusal { NotAMember }
    #[derive(Contract)] #[contract(namespace = "/api")]
    pub enum Api {
        #[feed(item = Task, key = id, filter = TaskFilter, error = Refusal)] Tasks,
        #[feed(item = Task, key = id, filter = TaskFilter, mode = notify)] Notices,
    }
});

#[test]
fn an_app_error_added_to_a_subscribe_breaks_old_clients() {
    assert_eq!(
        changes::<feeds_base::Api, feed_error_added::Api>(),
        [(ServerToClient, "/api `tasks` feed app error: the new server may refuse a subscribe with an app error, which an old client does not expect".to_owned())]
    );
    // And the fingerprint follows every feed change.
    let base = Shape::of::<feeds_base::Api>().fingerprint().to_owned();
    for other in [
        Shape::of::<feed_added::Api>(),
        Shape::of::<filter_widened::Api>(),
        Shape::of::<item_widened::Api>(),
        Shape::of::<key_changed::Api>(),
        Shape::of::<modes_swapped::Api>(),
        Shape::of::<feed_error_added::Api>(),
    ] {
        assert_ne!(other.fingerprint(), base);
    }
}
