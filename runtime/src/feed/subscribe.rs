//! The subscribe exchange, as generated dispatch runs it: decode the request, take a slot,
//! register (buffering), run the handler, answer with the snapshot, then go live.

use std::sync::Arc;

use erased_serde::Serialize as ErasedSerialize;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::contract::Contract;
use crate::feed::filter::Filter;
use crate::feed::hub::{Refused as SlotRefused, SocketFeeds, notify_ended};
use crate::feed::state::{Change, Check, FeedState, raw};
use crate::feed::{FeedRef, Mode, SUBSCRIBE_EVENT};
use crate::socket::cx::Cx;
use crate::validate::{PathSegment, Report, Validate, ValidationError};
use crate::wire::fault::{Fault, FaultCode, Forbidden};
use crate::wire::incoming::{Incoming, type_issue};

/// Why a subscribe handler refused: `forbidden` (a fault, as for a guard) or the app's
/// typed error `E` (declared with `#[feed(..., error = E)]`), which the client receives as
/// `{ "ok": false, "error": E }`.
///
/// ```
/// use eventwire::{Forbidden, feed::Refused};
///
/// let refused: Refused = Forbidden::new("not your workspace").into();
/// assert!(matches!(refused, Refused::Forbidden(_)));
/// ```
#[derive(Debug)]
pub enum Refused<E = NoError> {
    /// eventwire answers with a `forbidden` fault carrying this message.
    Forbidden(Forbidden),
    /// The app's typed error.
    App(E),
}

impl<E> From<Forbidden> for Refused<E> {
    fn from(denied: Forbidden) -> Self {
        Self::Forbidden(denied)
    }
}

/// The error type of a feed that declares none: it has no values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoError {}

impl Serialize for NoError {
    fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
        match *self {}
    }
}

/// No value matches it: the schema `false` (`never` in TypeScript), for a prop's write that
/// declares no error.
impl schemars::JsonSchema for NoError {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        "NoError".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::Schema::from(false)
    }
}

/// `{"feed": "tasks", "filter": {...}, "resume": {"epoch": "..", "offset": "12"}}`.
#[doc(hidden)]
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubscribeRequest {
    feed: String,
    #[serde(default)]
    filter: Option<serde_json::Value>,
    /// Where a subscriber that lost its connection left off.
    #[serde(default)]
    resume: Option<ResumeFrom>,
}

/// `{"epoch": "..", "offset": "12"}`: the epoch and offset of the last change applied.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ResumeFrom {
    epoch: String,
    offset: String,
}

impl Validate for SubscribeRequest {
    fn validate_into(&self, report: &mut Report) {
        if let Some(resume) = &self.resume
            && resume.offset.parse::<u64>().is_err()
        {
            report.at("resume", |report| {
                report.at("offset", |report| {
                    report.push(ValidationError::new(
                        "type",
                        "an offset is a decimal string of a 64-bit unsigned integer",
                    ))
                })
            });
        }
    }
}

impl SubscribeRequest {
    /// Decodes `["eventwire:subscribe", {feed, filter}]`.
    pub fn decode(incoming: &mut Incoming) -> Result<Self, Fault> {
        incoming.decode_request()
    }

    /// The feed's name.
    pub fn feed(&self) -> &str {
        &self.feed
    }
}

/// `{"id": "7"}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UnsubscribeRequest {
    id: String,
}

impl Validate for UnsubscribeRequest {
    fn validate_into(&self, _: &mut Report) {}
}

/// The subscribe answer: `{id, epoch, offset, keys, items?, resumed?}`; `resumed` is
/// `false` when the request asked to resume and could not (a resync).
#[derive(Serialize)]
struct Snapshot<I> {
    id: String,
    epoch: String,
    offset: String,
    keys: Vec<Box<RawValue>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    items: Option<Vec<I>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    resumed: Option<bool>,
}

/// The answer to a resume that succeeded: `{id, epoch, offset, resumed: true}`; the
/// missed changes follow, then live ones.
#[derive(Serialize)]
struct Resumed {
    id: String,
    epoch: String,
    offset: String,
    resumed: bool,
}

/// What a subscribe asked of the feed's history.
enum Resume<I> {
    /// A fresh subscription.
    No,
    /// A resume the history cannot serve: answer with a snapshot, as a resync.
    Resync,
    /// A resume from `offset`, missing these changes.
    From(u64, Vec<Arc<Change<I>>>),
    /// A resume from `offset` that this node's history cannot serve: the feed's shared
    /// stream may.
    Shared(u64),
}

/// How a subscribe call ended, for dispatch to answer.
#[doc(hidden)]
pub enum Finished {
    /// Answer with the snapshot, then run the closure (which sends what was buffered and
    /// makes the subscription live), so the snapshot reaches the client first.
    Snapshot(Box<dyn ErasedSerialize + Send>, Box<dyn FnOnce() + Send>),
    /// The app's typed error.
    Error(Box<dyn ErasedSerialize + Send>),
    /// A fault.
    Fault(Fault),
}

/// A fault answering the subscribe event.
fn fault(code: FaultCode, message: impl Into<String>) -> Fault {
    Fault::new(code, SUBSCRIBE_EVENT, message)
}

/// The fault for a feed name the contract does not declare.
#[doc(hidden)]
pub fn unknown_feed(feed: &str) -> Fault {
    fault(FaultCode::UnknownFeed, format!("no feed is named `{feed}`"))
}

/// A subscription between its request and its snapshot: registered, buffering, counted
/// against the socket's limit. Dropped unfinished (the handler failed or panicked), it
/// frees everything.
#[doc(hidden)]
pub struct Pending<C, I, F> {
    cx: Cx<C>,
    socket: Arc<SocketFeeds>,
    state: Arc<FeedState<I, F>>,
    id: u64,
    epoch: String,
    offset: u64,
    resume: Resume<I>,
    /// `None` once finished.
    filter: Option<F>,
}

impl<C, I, F> Pending<C, I, F>
where
    C: Contract,
    I: Serialize + serde::de::DeserializeOwned + Send + Sync + 'static,
    F: Filter<Item = I>,
{
    /// Validates the filter, takes a slot and registers the subscription.
    pub fn start(
        cx: &Cx<C>,
        request: SubscribeRequest,
        feed: FeedRef<C, I, F>,
    ) -> Result<Self, Fault> {
        let filter = decode_filter::<F>(request.filter)?;
        let socket = cx.socket_feeds();
        let state = socket.hub.feed(&feed);
        let id = socket.hub.next_id();
        // Registered before the slot is taken: a disconnect that frees the slots between
        // the two would otherwise leave the registration behind.
        let (epoch, offset, resume) = match request.resume {
            None => {
                let (epoch, offset) = state.register(id);
                (epoch, offset, Resume::No)
            }
            Some(from) => {
                // Validated as a number by `decode`.
                let from_offset = from.offset.parse::<u64>().unwrap_or(u64::MAX);
                let (epoch, offset, missed) = state.register_resuming(id, &from.epoch, from_offset);
                let resume = match missed {
                    Some(missed) => Resume::From(from_offset, missed),
                    None if state.shared.get().is_some() && from.epoch == epoch => {
                        Resume::Shared(from_offset)
                    }
                    None => Resume::Resync,
                };
                (epoch, offset, resume)
            }
        };
        let remover = {
            let state = state.clone();
            Box::new(move || {
                state.remove(id);
            })
        };
        match socket.reserve(id, remover) {
            Ok(()) => {}
            Err(SlotRefused::Full(undo, max)) => {
                undo();
                return Err(fault(
                    FaultCode::SubscriptionLimit,
                    format!(
                        "this connection already holds {max} subscriptions, the most it may; unsubscribe from one first"
                    ),
                ));
            }
            Err(SlotRefused::Closed(undo)) => {
                undo();
                return Err(fault(FaultCode::Internal, "the connection is closing"));
            }
        }
        Ok(Self {
            cx: cx.clone(),
            socket,
            state,
            id,
            epoch,
            offset,
            resume,
            filter: Some(filter),
        })
    }

    /// The filter, for the handler to check and complete.
    pub fn filter(&mut self) -> &mut F {
        self.filter.as_mut().unwrap_or_else(|| {
            unreachable!("a pending subscription has its filter until it finishes")
        })
    }

    /// Answers with the snapshot (or the refusal). A resume this node's history cannot
    /// serve is served from the feed's shared stream, when it spans nodes.
    pub async fn finish<E: Serialize + Send + 'static>(
        mut self,
        result: Result<Vec<I>, Refused<E>>,
        check: Option<Check<I>>,
    ) -> Finished {
        let items = match result {
            Ok(items) => items,
            // Dropping `self` frees the registration.
            Err(Refused::Forbidden(denied)) => {
                return Finished::Fault(Fault::forbidden(SUBSCRIBE_EVENT, denied));
            }
            Err(Refused::App(error)) => return Finished::Error(Box::new(error)),
        };
        let Some(filter) = self.filter.take() else {
            unreachable!("finish consumes the pending subscription")
        };
        let group = self.group(&filter, check.is_some());
        let wire_id = group
            .as_ref()
            .map_or(self.id, |(group_id, _)| *group_id)
            .to_string();
        let resume = std::mem::replace(&mut self.resume, Resume::No);
        // More missed changes than the socket's queue takes would overflow it on replay:
        // a fresh snapshot is one packet. The connection's other resumes share the queue.
        let limit = self.state.replay_limit().min(self.socket.replay_left());
        let resume = match (resume, self.state.shared.get()) {
            (Resume::Shared(from), Some(shared)) => {
                // Still pending: what is published meanwhile is buffered, after `offset`.
                let missed = shared.missed(self.epoch.clone(), from, self.offset, limit);
                match missed.await {
                    Some(missed) => Resume::From(
                        from,
                        missed
                            .into_iter()
                            .map(|(offset, kind)| self.state.replayed(offset, kind))
                            .collect(),
                    ),
                    None => Resume::Resync,
                }
            }
            (Resume::Shared(_), None) => Resume::Resync,
            (resume, _) => resume,
        };
        let after = match &resume {
            Resume::From(from, _) => *from,
            _ => 0,
        };
        let (answer, missed): (Box<dyn ErasedSerialize + Send>, _) = match resume {
            // The budget is taken only by a resume that replays.
            Resume::From(from, missed)
                if missed.len() <= limit && self.socket.take_replay(missed.len()) =>
            {
                (
                    // The handler ran all the same: it authorizes the subscriber and completes
                    // its filter; its snapshot is not needed.
                    Box::new(Resumed {
                        id: wire_id.clone(),
                        epoch: self.epoch.clone(),
                        offset: from.to_string(),
                        resumed: true,
                    }),
                    missed,
                )
            }
            resume => {
                let keys = items.iter().map(|item| (self.state.key)(item)).collect();
                let snapshot = Snapshot {
                    id: wire_id.clone(),
                    epoch: self.epoch.clone(),
                    offset: self.offset.to_string(),
                    keys,
                    items: match self.state.mode {
                        Mode::Data => Some(items),
                        Mode::Notify => None,
                    },
                    resumed: (!matches!(resume, Resume::No)).then_some(false),
                };
                (Box::new(snapshot), Vec::new())
            }
        };
        let state = self.state.clone();
        let socket = self.cx.ops().clone();
        let id = self.id;
        let go_live = move || {
            if let Some(ended) = state.activate(id, group, filter, check, socket, missed, after) {
                notify_ended(vec![ended]);
            }
        };
        Finished::Snapshot(answer, Box::new(go_live))
    }

    /// The group this subscription is delivered with (its id and the filter's share key),
    /// if its filter can share frames and its connection holds no other subscription of
    /// that group: then its slot is filed under the group's id, the id its client will
    /// know it by.
    fn group(&self, filter: &F, checked: bool) -> Option<(u64, String)> {
        if checked {
            return None;
        }
        // Rooms are per namespace: a contract mounted on several paths (or a dynamic
        // namespace) shares its feeds, but a group's broadcast reaches one namespace.
        let key = format!("{}\u{0}{}", self.cx.ops().ns(), filter.share_key()?);
        let group_id = self
            .state
            .group_for(&key)
            .unwrap_or_else(|| self.socket.hub.next_id());
        self.socket
            .rekey(self.id, group_id)
            .then_some((group_id, key))
    }
}

impl<C, I, F> Drop for Pending<C, I, F> {
    fn drop(&mut self) {
        // Unfinished (refused, failed or panicked): free the slot and the registration.
        if self.filter.is_some() {
            self.socket.release(self.id);
        }
    }
}

/// Deserializes and validates the filter; issues' paths start with `filter`.
fn decode_filter<F: Filter>(filter: Option<serde_json::Value>) -> Result<F, Fault> {
    let value = filter.unwrap_or_else(|| serde_json::Value::Object(Default::default()));
    let filter: F = serde_path_to_error::deserialize(value).map_err(|error| {
        let mut issue = type_issue(error.inner(), error.path());
        issue.path.insert(0, PathSegment::Key("filter".into()));
        Fault::invalid_payload(SUBSCRIBE_EVENT, vec![issue])
    })?;
    filter.validate().map_err(|mut issues| {
        for issue in &mut issues {
            issue.path.insert(0, PathSegment::Key("filter".into()));
        }
        Fault::invalid_payload(SUBSCRIBE_EVENT, issues)
    })?;
    Ok(filter)
}

/// Handles `["eventwire:unsubscribe", {id}]`: ends the socket's subscription `id` (an id
/// it does not hold, e.g. one the server just ended, is not an error).
#[doc(hidden)]
pub fn unsubscribe<C: Contract>(cx: &Cx<C>, incoming: &mut Incoming) -> Result<(), Fault> {
    let request: UnsubscribeRequest = incoming.decode_request()?;
    if let Ok(id) = request.id.parse::<u64>() {
        cx.socket_feeds().release(id);
    }
    Ok(())
}

/// Frees every subscription of a disconnecting socket.
#[doc(hidden)]
pub fn release<C: Contract>(cx: &Cx<C>) {
    if let Some(feeds) = cx.extensions().get::<Arc<SocketFeeds>>() {
        feeds.release_all();
    }
}

/// The key of an item as JSON.
#[doc(hidden)]
pub fn key_json<K: Serialize + ?Sized>(key: &K) -> Box<RawValue> {
    raw(key)
}
