//! The changes between two versions of a contract that break an old client.

use serde_json::Value;

use crate::contract::compat::Shape;
use crate::contract::compat::fits::{NEW_SERVER_SENDS, OLD_CLIENT_SENDS, Roles, fits};
use crate::contract::describe::Direction;

/// The part of a contract a breaking change is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Part {
    /// The namespace the contract is served on.
    Namespace,
    /// The handshake auth payload.
    Auth,
    /// An event as a whole: removed, or its payload or answer added or removed.
    Event,
    /// An event's payload.
    Payload,
    /// The answer to an event (the acknowledgement's data).
    Ack,
    /// The app's typed error in the answer to a client event.
    AckError,
    /// A feed as a whole: removed, or its mode changed.
    Feed,
    /// A feed's filter (sent by the client with a subscribe).
    FeedFilter,
    /// A feed's items (in its snapshots and changes).
    FeedItem,
    /// A feed's key (in its snapshots and changes).
    FeedKey,
    /// The app's typed error a subscribe may be refused with.
    FeedError,
    /// An upload as a whole: removed.
    Upload,
    /// An upload's metadata (sent by the client when it starts the upload).
    UploadMeta,
    /// The largest file an upload takes (`max_size`).
    UploadSize,
    /// The answer to an upload's finish (its `ack`).
    UploadAck,
    /// The app's typed error an upload's finish may be answered with.
    UploadError,
    /// A download as a whole: removed.
    Download,
    /// A download's request (sent by the client when it starts the download).
    DownloadRequest,
    /// The app's typed error a download's start may be answered with instead of the file.
    DownloadError,
}

impl std::fmt::Display for Part {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Part::Namespace => "namespace",
            Part::Auth => "handshake auth",
            Part::Event => "event",
            Part::Payload => "payload",
            Part::Ack => "answer",
            Part::AckError => "app error",
            Part::Feed => "feed",
            Part::FeedFilter => "feed filter",
            Part::FeedItem => "feed item",
            Part::FeedKey => "feed key",
            Part::FeedError => "feed app error",
            Part::Upload => "upload",
            Part::UploadMeta => "upload metadata",
            Part::UploadSize => "upload size limit",
            Part::UploadAck => "upload answer",
            Part::UploadError => "upload app error",
            Part::Download => "download",
            Part::DownloadRequest => "download request",
            Part::DownloadError => "download app error",
        })
    }
}

/// One way an old client and the new server would no longer agree.
///
/// ```
/// use eventwire::{payload, Contract, compat::{breaking_changes, Shape}};
/// use eventwire::describe::Direction;
///
/// mod old {
///     # use eventwire::{payload, Contract};
///     #[payload] pub struct Join { pub room: String }
///     #[derive(Contract)] #[contract(namespace = "/chat")]
///     pub enum Chat { #[client] Join(Join) }
/// }
/// mod new {
///     # use eventwire::{payload, Contract};
///     #[payload] pub struct Join { pub room: String, pub nick: String }
///     #[derive(Contract)] #[contract(namespace = "/chat")]
///     pub enum Chat { #[client] Join(Join) }
/// }
///
/// let changes = breaking_changes(&Shape::of::<old::Chat>(), &Shape::of::<new::Chat>());
/// assert_eq!(changes.len(), 1);
/// assert_eq!(changes[0].sent_by, Direction::ClientToServer);
/// assert_eq!(
///     changes[0].to_string(),
///     "/chat `join` payload: an old client may leave out `nick`, which the new server requires"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BreakingChange {
    /// The namespace of the contract (the old one).
    pub namespace: String,
    /// The event (or the feed or upload, for their parts), unless the change is in the
    /// namespace or the auth.
    pub event: Option<String>,
    /// Where in the contract.
    pub part: Part,
    /// Who sends the data that no longer fits: `ClientToServer` for what an old client
    /// sends and the new server must accept, `ServerToClient` for what the new server
    /// sends and an old client's types must allow.
    pub sent_by: Direction,
    /// What no longer fits, as a sentence.
    pub problem: String,
}

impl std::fmt::Display for BreakingChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.event {
            Some(event) => write!(
                f,
                "{} `{event}` {}: {}",
                self.namespace, self.part, self.problem
            ),
            None => write!(f, "{} {}: {}", self.namespace, self.part, self.problem),
        }
    }
}

/// The changes from `old` to `new` that break a client built for `old` talking to a server
/// built with `new`; empty when `new` is compatible. The rules, per direction, are in
/// [the module docs](crate::compat): what an old client sends must still be accepted by the new
/// server, and what the new server sends must still fit the old client's types.
///
/// ```
/// use eventwire::{payload, Contract, compat::{breaking_changes, Shape}};
///
/// #[payload] pub struct Join { room: String, #[serde(default)] nick: Option<String> }
/// #[derive(Contract)] pub enum Chat { #[client] Join(Join) }
///
/// // A contract is compatible with itself.
/// assert!(breaking_changes(&Shape::of::<Chat>(), &Shape::of::<Chat>()).is_empty());
/// ```
pub fn breaking_changes(old: &Shape, new: &Shape) -> Vec<BreakingChange> {
    let mut changes = Vec::new();
    let mut push = |event: Option<&str>, part: Part, sent_by: Direction, problem: String| {
        changes.push(BreakingChange {
            namespace: old.namespace().to_owned(),
            event: event.map(str::to_owned),
            part,
            sent_by,
            problem,
        });
    };
    use Direction::{ClientToServer, ServerToClient};

    if old.namespace() != new.namespace() {
        push(
            None,
            Part::Namespace,
            ClientToServer,
            format!(
                "moved to {}; an old client connects to {}",
                new.namespace(),
                old.namespace()
            ),
        );
    }
    match (old.auth(), new.auth()) {
        (None, Some(_)) => push(
            None,
            Part::Auth,
            ClientToServer,
            "the new server requires auth, which an old client does not send".into(),
        ),
        (Some(old_auth), Some(new_auth)) => {
            for problem in problems(old_auth, new_auth, OLD_CLIENT_SENDS) {
                push(None, Part::Auth, ClientToServer, problem);
            }
        }
        _ => {}
    }

    for direction in [ClientToServer, ServerToClient] {
        for (name, old_event) in old.events(direction) {
            let event = Some(name.as_str());
            let Some(new_event) = new.events(direction).get(name) else {
                // A server event that is gone is simply never sent again.
                if direction == ClientToServer {
                    push(
                    event,
                    Part::Event,
                    ClientToServer,
                    "the new server no longer handles it; an old client may still send it and gets an `unknown_event` fault".into(),
                );
                }
                continue;
            };
            let (payload_roles, answer_roles) = match direction {
                ClientToServer => (OLD_CLIENT_SENDS, NEW_SERVER_SENDS),
                ServerToClient => (NEW_SERVER_SENDS, OLD_CLIENT_SENDS),
            };
            let answer_direction = match direction {
                ClientToServer => ServerToClient,
                ServerToClient => ClientToServer,
            };
            match (old_event.get("payload"), new_event.get("payload")) {
            (Some(old_payload), Some(new_payload)) => {
                for problem in directed(old_payload, new_payload, payload_roles) {
                    push(event, Part::Payload, direction, problem);
                }
            }
            (None, None) => {}
            (Some(_), None) => push(
                event,
                Part::Event,
                direction,
                match direction {
                    ClientToServer => "the new server takes no payload, and an old client sends one".into(),
                    _ => "the new server sends no payload, which an old client's listener expects".into(),
                },
            ),
            (None, Some(_)) => push(
                event,
                Part::Event,
                direction,
                match direction {
                    ClientToServer => "the new server requires a payload, which an old client does not send".into(),
                    _ => "the new server sends a payload, which an old client's listener does not take".into(),
                },
            ),
        }
            match (old_event.get("ack"), new_event.get("ack")) {
            (Some(old_ack), Some(new_ack)) => {
                for problem in directed(old_ack, new_ack, answer_roles) {
                    push(event, Part::Ack, answer_direction, problem);
                }
            }
            (Some(_), None) if direction == ClientToServer => push(
                event,
                Part::Event,
                ServerToClient,
                "the new server no longer answers it: an old client waiting for its answer gets `null` instead".into(),
            ),
            (None, Some(_)) if direction == ServerToClient => push(
                event,
                Part::Event,
                ClientToServer,
                "the new server waits for an answer, which an old client never sends".into(),
            ),
            // A client event answered now (the old client does not wait), or a server event
            // whose answer the new server no longer reads: nothing breaks.
            _ => {}
        }
            match (old_event.get("ackError"), new_event.get("ackError")) {
            (Some(old_error), Some(new_error)) => {
                for problem in directed(old_error, new_error, answer_roles) {
                    push(event, Part::AckError, answer_direction, problem);
                }
            }
            (None, Some(_)) if old_event.get("ack").is_some() => push(
                event,
                Part::AckError,
                ServerToClient,
                "the new server may answer with an app error, which an old client does not expect".into(),
            ),
            _ => {}
        }
        }
    }
    crate::contract::compat::feed_changes::feed_changes(old, new, &mut push);
    crate::contract::compat::upload_changes::upload_changes(old, new, &mut push);
    crate::contract::compat::download_changes::download_changes(old, new, &mut push);
    changes
}

/// The problems of values going from `old` to `new` (old client sends) or `new` to `old`
/// (new server sends).
pub(super) fn directed(old: &Value, new: &Value, roles: Roles) -> Vec<String> {
    if roles.old_sends {
        problems(old, new, roles)
    } else {
        problems(new, old, roles)
    }
}

fn problems(narrow: &Value, wide: &Value, roles: Roles) -> Vec<String> {
    let mut found = Vec::new();
    fits(narrow, wide, "", roles, &mut found);
    found.dedup();
    found
}
