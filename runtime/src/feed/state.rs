//! One feed's live state on this node: its offset and epoch, the subscriptions (pending
//! ones buffering, live ones indexed), and publishing a change to the subscriptions it
//! concerns.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use serde::Serialize;
use serde_json::value::RawValue;

use crate::feed::filter::Filter;
use crate::feed::group::Group;
use crate::feed::history::{
    Bounds, DEFAULT_HISTORY_AGE, DEFAULT_HISTORY_LENGTH, History, MemoryHistory,
};
use crate::feed::ids::IdMap;
use crate::feed::index::Index;
use crate::feed::{CHANGE_EVENT, EndReason, Mode};
use crate::socket::ops::SocketOps;
use crate::wire::spliced::Spliced;

/// The per-item check a subscription runs before every push.
pub(crate) type Check<I> = Arc<dyn Fn(&I) -> bool + Send + Sync>;

/// Default number of changes a subscription buffers while its snapshot loads.
pub const DEFAULT_SUBSCRIPTION_BUFFER: usize = 1_000;

/// Default number of subscriptions one socket may hold at once.
pub const DEFAULT_MAX_SUBSCRIPTIONS: usize = 100;

/// A published change, shared by every subscription that sees it. Its frame is encoded
/// once, when it is published: everything but the subscription id, per action (see
/// [`Encoded`]); each subscriber only adds its id.
pub(crate) struct Change<I> {
    offset: u64,
    kind: Kind<I>,
    encoded: Encoded,
}

pub(crate) use crate::feed::change::FeedChange as Kind;

/// What a change is for one subscriber: its view is "its snapshot query, run now".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Action {
    /// The item entered the view (created, or updated into the filter).
    Added,
    /// The item is in the view and changed.
    Updated,
    /// The item left the view (deleted, updated out of the filter, or no longer allowed).
    Removed,
}

#[derive(Serialize)]
pub(crate) struct EndFrame<'a> {
    pub(crate) id: &'a str,
    #[serde(flatten)]
    pub(crate) reason: &'a EndReason,
}

struct Live<I, F> {
    /// The id its client knows it by, the key of its slot on its socket: its own id, or
    /// its group's.
    slot: u64,
    wire_id: String,
    /// `wire_id` as JSON, encoded once for every frame this subscription gets.
    id_json: Box<RawValue>,
    filter: F,
    entry: Option<(usize, String)>,
    check: Option<Check<I>>,
    socket: Arc<dyn SocketOps>,
    /// The group it is delivered with; then the group, not the subscription, is filed in
    /// the index.
    group: Option<u64>,
}

impl<I, F> Live<I, F> {
    fn ended(self, reason: EndReason) -> Ended {
        Ended {
            id: self.slot,
            wire_id: self.wire_id,
            socket: self.socket,
            reason,
        }
    }
}

struct Buffer<I> {
    changes: Vec<Arc<Change<I>>>,
    overflowed: bool,
    /// The feed's epoch changed (its shared stream was lost) while the snapshot loaded.
    reset: bool,
}

impl<I> Buffer<I> {
    fn new() -> Self {
        Self {
            changes: Vec::new(),
            overflowed: false,
            reset: false,
        }
    }
}

struct Inner<I, F> {
    /// Offsets count from it: a fresh one per feed state on one node; with a shared
    /// stream, the stream's (it changes when the stream is lost).
    epoch: String,
    offset: u64,
    /// Recent changes, for subscribers resuming after a reconnect.
    history: Box<dyn History<Arc<Change<I>>>>,
    live: IdMap<Live<I, F>>,
    pending: IdMap<Buffer<I>>,
    /// Index entries are ungrouped subscriptions' ids and groups' ids (both numbered by
    /// the hub, so they never collide).
    index: Index,
    groups: IdMap<Group>,
    /// The group new subscribers with a filter's share key join.
    group_by_key: std::collections::HashMap<String, u64>,
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    index_fields: usize,
    /// The gauge of `live`'s size.
    subscriptions: metrics::Gauge,
}

impl<I, F> Inner<I, F> {
    /// Takes a live subscription out of the feed and out of the index (or its group).
    fn remove_live(&mut self, id: u64) -> Option<Live<I, F>> {
        let live = self.live.remove(&id)?;
        self.subscriptions.decrement(1);
        match live.group {
            None => self.index.remove(id, live.entry.as_ref()),
            Some(group_id) => {
                if let Some(group) = self.groups.get_mut(&group_id) {
                    live.socket.leave(vec![group.room.clone()]);
                    if group.leave(id) {
                        let group = self.groups.remove(&group_id).expect("found above");
                        self.index.remove(group_id, group.entry.as_ref());
                        if self.group_by_key.get(&group.key) == Some(&group_id) {
                            self.group_by_key.remove(&group.key);
                        }
                    }
                }
            }
        }
        Some(live)
    }

    /// Files `live` (already in no index or group) where changes find it: in `group`,
    /// made if it is not there, or in the index itself.
    fn file(&mut self, id: u64, live: &Live<I, F>, group: Option<(u64, String)>) {
        let Some((group_id, key)) = group else {
            self.index.insert(id, live.entry.clone());
            return;
        };
        let group = self.groups.entry(group_id).or_insert_with(|| {
            self.index.insert(group_id, live.entry.clone());
            self.group_by_key.entry(key.clone()).or_insert(group_id);
            Group::new(group_id, key, live.entry.clone(), id)
        });
        group.members.insert(id, ());
        live.socket.join(vec![group.room.clone()]);
    }

    /// Everything a change without its previous item concerns: every ungrouped
    /// subscription and every group.
    fn all_targets(&self) -> Vec<u64> {
        self.live
            .iter()
            .filter(|(_, live)| live.group.is_none())
            .map(|(id, _)| *id)
            .chain(self.groups.keys().copied())
            .collect()
    }

    /// Ends every subscription, as a resync: the feed's epoch changed, or changes were
    /// lost before this node delivered them. Pending ones end when they would go live.
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    fn reset(&mut self) -> Vec<Ended> {
        for buffer in self.pending.values_mut() {
            buffer.reset = true;
            buffer.changes = Vec::new();
        }
        self.index = Index::new(self.index_fields);
        self.group_by_key.clear();
        let groups = std::mem::take(&mut self.groups);
        self.subscriptions.decrement(self.live.len() as f64);
        self.live
            .drain()
            .map(|(_, live)| {
                if let Some(group) = live.group.and_then(|id| groups.get(&id)) {
                    live.socket.leave(vec![group.room.clone()]);
                }
                live.ended(EndReason::resync())
            })
            .collect()
    }
}

/// Limits shared by every feed of a server, set through `Server`'s setters.
#[derive(Debug)]
pub(crate) struct Limits {
    pub(crate) max_per_socket: AtomicUsize,
    pub(crate) buffer: AtomicUsize,
    /// Packets a socket's outgoing queue holds (`Server::max_buffer_size`).
    pub(crate) queue: AtomicUsize,
    pub(crate) history_length: AtomicUsize,
    pub(crate) history_age_ms: AtomicU64,
}

impl Limits {
    pub(crate) fn history(&self) -> Bounds {
        Bounds {
            length: self.history_length.load(Ordering::Relaxed),
            age: std::time::Duration::from_millis(self.history_age_ms.load(Ordering::Relaxed)),
        }
    }
}

/// socketioxide's default `max_buffer_size`: packets one socket's outgoing queue holds.
pub(crate) const DEFAULT_SOCKET_QUEUE: usize = 128;

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_per_socket: AtomicUsize::new(DEFAULT_MAX_SUBSCRIPTIONS),
            buffer: AtomicUsize::new(DEFAULT_SUBSCRIPTION_BUFFER),
            queue: AtomicUsize::new(DEFAULT_SOCKET_QUEUE),
            history_length: AtomicUsize::new(DEFAULT_HISTORY_LENGTH),
            history_age_ms: AtomicU64::new(DEFAULT_HISTORY_AGE.as_millis() as u64),
        }
    }
}

pub(crate) struct FeedState<I, F> {
    pub(crate) name: &'static str,
    pub(crate) mode: Mode,
    pub(crate) key: fn(&I) -> Box<RawValue>,
    limits: Arc<Limits>,
    /// Changes sent to subscribers.
    deliveries: metrics::Counter,
    inner: Mutex<Inner<I, F>>,
    /// The feed's stream when it spans nodes (set once, right after creation).
    pub(crate) shared: std::sync::OnceLock<Box<dyn Shared<I>>>,
}

/// Changes a resuming subscriber missed, with their offsets, from a shared stream.
pub(crate) type Missed<I> = Vec<(u64, Kind<I>)>;

/// A feed's changes shared by several nodes (Redis Streams): publishing goes there, and this
/// node delivers what its reader gets back ([`FeedState::receive`]).
pub(crate) trait Shared<I>: Send + Sync {
    /// Queues a change for publishing, in order, without waiting.
    fn enqueue(&self, change: Kind<I>);

    /// Publishes a change; its offset once recorded. `once` names it: a change published
    /// again under the same name is recorded once (the outbox's message id).
    fn send(
        &self,
        change: Kind<I>,
        once: Option<String>,
    ) -> futures_util::future::BoxFuture<'static, Result<u64, crate::feed::SendError>>;

    /// The changes after `from` up to `to`, at most `limit`, when the stream of `epoch`
    /// still holds all of them and none is older than the history's age.
    fn missed(
        &self,
        epoch: String,
        from: u64,
        to: u64,
        limit: usize,
    ) -> futures_util::future::BoxFuture<'static, Option<Missed<I>>>;
}

/// A subscription the feed ended itself, to be told to its client and freed on its socket.
pub(crate) struct Ended {
    /// Its slot on its socket (the id its client knows it by).
    pub(crate) id: u64,
    pub(crate) wire_id: String,
    pub(crate) socket: Arc<dyn SocketOps>,
    pub(crate) reason: EndReason,
}

/// A fresh epoch: offsets restart from 0 with every feed state, and a client holding an
/// offset of another epoch must not resume from it.
pub(crate) fn new_epoch() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{:016x}", nanos.rotate_left(16) ^ n)
}

impl<I, F> FeedState<I, F>
where
    I: Serialize + Send + Sync + 'static,
    F: Filter<Item = I>,
{
    pub(crate) fn new(
        name: &'static str,
        mode: Mode,
        key: fn(&I) -> Box<RawValue>,
        limits: Arc<Limits>,
        metrics: crate::observe::FeedMetrics,
    ) -> Self {
        Self {
            name,
            mode,
            key,
            deliveries: metrics.deliveries,
            inner: Mutex::new(Inner {
                epoch: new_epoch(),
                offset: 0,
                history: memory_history(&limits),
                live: IdMap::default(),
                pending: IdMap::default(),
                index: Index::new(F::EQ_FIELDS),
                groups: IdMap::default(),
                group_by_key: std::collections::HashMap::new(),
                index_fields: F::EQ_FIELDS,
                subscriptions: metrics.subscriptions,
            }),
            limits,
            shared: std::sync::OnceLock::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner<I, F>> {
        // A panic while locked leaves no half-done state worth refusing: every update
        // below completes before it can panic.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Registers a subscription that buffers every change from now on; returns the epoch
    /// and the offset its snapshot reflects at least.
    pub(crate) fn register(&self, id: u64) -> (String, u64) {
        let mut inner = self.lock();
        inner.pending.insert(id, Buffer::new());
        (inner.epoch.clone(), inner.offset)
    }

    /// Registers a subscription like [`register`](Self::register) for a subscriber that
    /// held `epoch` and `offset`: also returns every change it missed since, when this
    /// feed's history still holds them (`None` when the epoch is another or the history no
    /// longer reaches back). Taken under the same lock as the registration, so the missed
    /// changes and the buffered ones join without a gap or an overlap.
    pub(crate) fn register_resuming(
        &self,
        id: u64,
        epoch: &str,
        offset: u64,
    ) -> (String, u64, Option<Vec<Arc<Change<I>>>>) {
        let mut inner = self.lock();
        // A feed that spans nodes keeps its history in its stream only.
        let missed = if epoch == inner.epoch && self.shared.get().is_none() {
            inner.history.since(offset, std::time::Instant::now())
        } else {
            None
        };
        inner.pending.insert(id, Buffer::new());
        (inner.epoch.clone(), inner.offset, missed)
    }

    /// The group a subscription whose filter has share key `key` joins, if there is one.
    pub(crate) fn group_for(&self, key: &str) -> Option<u64> {
        self.lock().group_by_key.get(key).copied()
    }

    /// Makes a pending subscription live: replays what it missed before registering
    /// (`missed`, when it resumes), then what it buffered (as its final filter sees them),
    /// then files it in the index, or in `group` (its id and the filter's share key) when
    /// its client knows it by the group's id; buffered changes at or before `after` (where
    /// a resuming subscriber already is) are skipped. Returns it if it overflowed
    /// meanwhile, or if the feed's epoch changed (then as a resync).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn activate(
        &self,
        id: u64,
        group: Option<(u64, String)>,
        filter: F,
        check: Option<Check<I>>,
        socket: Arc<dyn SocketOps>,
        missed: Vec<Arc<Change<I>>>,
        after: u64,
    ) -> Option<Ended> {
        let mut inner = self.lock();
        // Gone: the socket disconnected or unsubscribed while the snapshot loaded.
        let buffer = inner.pending.remove(&id)?;
        let slot = group.as_ref().map_or(id, |(group_id, _)| *group_id);
        let wire_id = slot.to_string();
        let live = Live {
            slot,
            id_json: raw(&wire_id),
            wire_id,
            entry: filter.index_entry(),
            filter,
            check,
            socket,
            group: group.as_ref().map(|(group_id, _)| *group_id),
        };
        if buffer.reset {
            return Some(live.ended(EndReason::resync()));
        }
        let mut overflow = buffer.overflowed;
        if !overflow {
            let buffered = buffer.changes.iter().filter(|c| c.offset > after);
            let mut sent = 0;
            for change in missed.iter().chain(buffered) {
                match self.deliver(&live, change) {
                    Push::Sent => sent += 1,
                    Push::Skipped => {}
                    Push::Full => {
                        overflow = true;
                        break;
                    }
                }
            }
            self.deliveries.increment(sent);
        }
        if overflow {
            return Some(live.ended(EndReason::overflow()));
        }
        inner.file(id, &live, group);
        inner.live.insert(id, live);
        inner.subscriptions.increment(1);
        None
    }

    /// Removes a subscription, pending or live; whether it was there.
    pub(crate) fn remove(&self, id: u64) -> bool {
        let mut inner = self.lock();
        if inner.pending.remove(&id).is_some() {
            return true;
        }
        inner.remove_live(id).is_some()
    }

    /// Publishes a change; returns its offset and the subscriptions it overflowed.
    pub(crate) fn publish(&self, kind: Kind<I>) -> (u64, Vec<Ended>) {
        let mut inner = self.lock();
        inner.offset += 1;
        let offset = inner.offset;
        (offset, self.fan_out(&mut inner, self.change(offset, kind)))
    }

    /// Delivers a change of the feed's shared stream, as this node's reader got it:
    /// change `offset` of `epoch`. One already delivered is ignored; when the epoch is
    /// another, or changes between the last one delivered and this one are missing (the
    /// stream was trimmed past them, or lost), every subscription ends as a resync first.
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    pub(crate) fn receive(&self, epoch: &str, offset: u64, kind: Kind<I>) -> Vec<Ended> {
        let mut inner = self.lock();
        if epoch == inner.epoch && offset <= inner.offset {
            return Vec::new();
        }
        let mut ended = Vec::new();
        if epoch != inner.epoch || offset != inner.offset + 1 {
            ended = self.restart(&mut inner, epoch, offset - 1);
        }
        inner.offset = offset;
        let change = self.change(offset, kind);
        ended.extend(self.fan_out(&mut inner, change));
        ended
    }

    /// Adopts the shared stream's epoch and last offset, as this node's reader found them
    /// (when it starts, and after losing Redis): nothing changes when the epoch is the one
    /// it holds (the reader goes on from its last offset); otherwise every subscription
    /// ends as a resync and delivery starts again at `offset`.
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    pub(crate) fn sync(&self, epoch: &str, offset: u64) -> Vec<Ended> {
        let mut inner = self.lock();
        if epoch == inner.epoch {
            return Vec::new();
        }
        self.restart(&mut inner, epoch, offset)
    }

    /// Starts over at `offset` of `epoch`: resyncs every subscription, empties the history.
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    fn restart(&self, inner: &mut Inner<I, F>, epoch: &str, offset: u64) -> Vec<Ended> {
        tracing::debug!(
            feed = self.name,
            epoch,
            offset,
            "the feed's stream moved on: subscribers resync"
        );
        inner.epoch = epoch.to_owned();
        inner.offset = offset;
        inner.history = memory_history(&self.limits);
        inner.reset()
    }

    /// The change published at `offset`, its JSON serialized once for every subscriber.
    fn change(&self, offset: u64, kind: Kind<I>) -> Arc<Change<I>> {
        let item = kind.item();
        let key = (self.key)(item);
        let item_json = match (&kind, self.mode) {
            (Kind::Deleted(_), _) | (_, Mode::Notify) => None,
            (_, Mode::Data) => Some(raw(item)),
        };
        let encoded = Encoded::new(offset, &key, item_json.as_deref());
        Arc::new(Change {
            offset,
            kind,
            encoded,
        })
    }

    /// Records `change` and sends it to the subscriptions it concerns; returns the ones it
    /// overflowed.
    fn fan_out(&self, inner: &mut Inner<I, F>, change: Arc<Change<I>>) -> Vec<Ended> {
        let offset = change.offset;
        if self.shared.get().is_none() {
            inner
                .history
                .record(offset, change.clone(), std::time::Instant::now());
        }
        let buffer_limit = self.limits.buffer.load(Ordering::Relaxed);
        for buffer in inner.pending.values_mut() {
            if buffer.overflowed || buffer.reset {
                continue;
            }
            if buffer.changes.len() >= buffer_limit {
                buffer.overflowed = true;
                buffer.changes = Vec::new();
            } else {
                buffer.changes.push(change.clone());
            }
        }
        let candidates = match &change.kind {
            Kind::Created(item) | Kind::Deleted(item) => {
                inner.index.candidates(&F::index_values(item))
            }
            Kind::Updated {
                item,
                previous: Some(previous),
            } => {
                let mut ids = inner.index.candidates(&F::index_values(item));
                ids.extend(inner.index.candidates(&F::index_values(previous)));
                ids.sort_unstable();
                ids.dedup();
                ids
            }
            // Without the previous item, any subscriber may hold it: each one learns
            // whether it stays (updated) or leaves (removed).
            Kind::Updated { previous: None, .. } => inner.all_targets(),
        };
        let mut overflowed = Vec::new();
        let mut sent = 0;
        for id in candidates {
            if let Some(live) = inner.live.get(&id) {
                match self.deliver(live, &change) {
                    Push::Sent => sent += 1,
                    Push::Skipped => {}
                    Push::Full => overflowed.push(id),
                }
            } else if let Some(group) = inner.groups.get(&id) {
                sent += self.deliver_group(&inner.live, group, &change, &mut overflowed);
            }
        }
        // One increment per change rather than per delivery: the counter may be a
        // recorder's atomic shared by every feed.
        self.deliveries.increment(sent);
        overflowed
            .into_iter()
            .filter_map(|id| Some(inner.remove_live(id)?.ended(EndReason::overflow())))
            .collect()
    }

    /// Sends `change` to `group`'s members if it concerns them, by one room broadcast;
    /// returns how many were sent it. Members whose queue was full are added to
    /// `overflowed`: socketioxide counts them without naming them, so then every member is
    /// sent the change again on its own, which finds them. The others get it twice, and a
    /// client ignores a change at or before the offset it holds (docs/protocol.md).
    fn deliver_group(
        &self,
        live: &IdMap<Live<I, F>>,
        group: &Group,
        change: &Change<I>,
        overflowed: &mut Vec<u64>,
    ) -> u64 {
        let Some(lead) = live.get(&group.lead) else {
            return 0;
        };
        let Some(action) = action(lead, &change.kind) else {
            return 0;
        };
        let frame = Spliced {
            first: ("id", &group.id_json),
            rest: change.encoded.for_action(action),
        };
        if lead
            .socket
            .emit_spliced_within(&group.room, CHANGE_EVENT, &frame)
        {
            return group.members.len() as u64;
        }
        let mut sent = 0;
        for id in group.members.keys() {
            match live.get(id).map(|member| self.deliver(member, change)) {
                Some(Push::Sent) => sent += 1,
                Some(Push::Full) => overflowed.push(*id),
                Some(Push::Skipped) | None => {}
            }
        }
        sent
    }

    /// Sends `change` to `live` if it concerns it (the caller counts what was sent).
    fn deliver(&self, live: &Live<I, F>, change: &Change<I>) -> Push {
        let Some(action) = action(live, &change.kind) else {
            return Push::Skipped;
        };
        let frame = Spliced {
            first: ("id", &live.id_json),
            rest: change.encoded.for_action(action),
        };
        match live.socket.emit_spliced(CHANGE_EVENT, &frame) {
            Ok(()) => Push::Sent,
            Err(socketioxide::SendError::Socket(
                socketioxide::SocketError::InternalChannelFull,
            )) => {
                crate::observe::queue_full();
                tracing::debug!(feed = self.name, subscription = %live.wire_id, offset = change.offset, "subscriber queue full: ending with overflow");
                Push::Full
            }
            // Closed: the disconnect releases the subscription.
            Err(_) => Push::Skipped,
        }
    }

    /// Ends every live subscription `select` picks; returns them.
    pub(crate) fn end_where(
        &self,
        mut select: impl FnMut(&F, socketioxide::socket::Sid) -> bool,
        reason: &EndReason,
    ) -> Vec<Ended> {
        let mut inner = self.lock();
        let ids: Vec<u64> = inner
            .live
            .iter()
            .filter(|(_, live)| select(&live.filter, live.socket.id()))
            .map(|(id, _)| *id)
            .collect();
        ids.into_iter()
            .filter_map(|id| Some(inner.remove_live(id)?.ended(reason.clone())))
            .collect()
    }

    /// Live and pending subscriptions.
    pub(crate) fn counts(&self) -> (usize, usize) {
        let inner = self.lock();
        (inner.live.len(), inner.pending.len())
    }

    /// How many changes a subscription may buffer.
    pub(crate) fn limits_buffer(&self) -> usize {
        self.limits.buffer.load(Ordering::Relaxed)
    }

    /// How many missed changes a resume replays; more is a resync. The replay is queued
    /// for the socket at once, after the answer and before what was buffered meanwhile,
    /// so it takes at most half the socket's queue (the rest for those and other events):
    /// a longer one would end the subscription with `overflow` part way through.
    pub(crate) fn replay_limit(&self) -> usize {
        let queue = self.limits.queue.load(Ordering::Relaxed);
        self.limits_buffer().min(queue / 2)
    }

    /// The offset of the last change.
    pub(crate) fn offset(&self) -> u64 {
        self.lock().offset
    }

    /// The epoch offsets count from.
    pub(crate) fn epoch(&self) -> String {
        self.lock().epoch.clone()
    }

    /// A change of the shared stream, replayed to a subscriber that resumes on this node.
    pub(crate) fn replayed(&self, offset: u64, kind: Kind<I>) -> Arc<Change<I>> {
        self.change(offset, kind)
    }
}

/// An empty in-memory history bounded by the server's settings.
fn memory_history<I: Send + Sync + 'static>(
    limits: &Arc<Limits>,
) -> Box<dyn History<Arc<Change<I>>>> {
    let bounds = limits.clone();
    Box::new(MemoryHistory::new(move || bounds.history()))
}

/// A change's frame, `{"id", "offset", "action", "key", "item"}`, encoded once for all its
/// subscribers: every field but `id` is JSON text made when the change is published, in
/// the field order of the frame, one list per action (`removed` carries no item). A
/// subscriber's frame is its id followed by these, written as they are ([`Spliced`]).
///
/// A group's members share one frame, sent by a room broadcast (see [`Group`]); a
/// subscription delivered alone has its frame framed by socketioxide's per-socket `emit`,
/// which copies these pieces verbatim (a `RawValue` is written as is) but costs about twice
/// a broadcast's per-member work (BENCHMARKS.md, "W6: where a feed delivery's cost goes").
struct Encoded {
    /// `offset`, `action` and `key` (and `item` in data mode, except for `removed`), per
    /// action in [`Action`] order.
    fields: [Vec<(&'static str, Box<RawValue>)>; 3],
}

impl Encoded {
    fn new(offset: u64, key: &RawValue, item: Option<&RawValue>) -> Self {
        let offset = raw(&offset.to_string());
        let fields = [Action::Added, Action::Updated, Action::Removed].map(|action| {
            let mut fields = vec![
                ("offset", offset.clone()),
                ("action", raw(&action)),
                ("key", key.to_owned()),
            ];
            if let (Some(item), Action::Added | Action::Updated) = (item, action) {
                fields.push(("item", item.to_owned()));
            }
            fields
        });
        Self { fields }
    }

    fn for_action(&self, action: Action) -> &[(&'static str, Box<RawValue>)] {
        &self.fields[action as usize]
    }
}

/// What [`FeedState::deliver`] did with a change for one subscription.
enum Push {
    /// Queued for its socket.
    Sent,
    /// Not for it (its filter or check), or its socket is closing.
    Skipped,
    /// Its socket's queue is full: it ends with `overflow`.
    Full,
}

/// What `kind` is for `live`, if anything.
fn action<I, F: Filter<Item = I>>(live: &Live<I, F>, kind: &Kind<I>) -> Option<Action> {
    let sees =
        |item: &I| live.filter.matches(item) && live.check.as_ref().is_none_or(|check| check(item));
    match kind {
        Kind::Created(item) => sees(item).then_some(Action::Added),
        Kind::Deleted(item) => live.filter.matches(item).then_some(Action::Removed),
        Kind::Updated {
            item,
            previous: Some(previous),
        } => match (live.filter.matches(previous), sees(item)) {
            (true, true) => Some(Action::Updated),
            (false, true) => Some(Action::Added),
            (true, false) => Some(Action::Removed),
            (false, false) => None,
        },
        Kind::Updated {
            item,
            previous: None,
        } => Some(if sees(item) {
            Action::Updated
        } else {
            Action::Removed
        }),
    }
}

/// `value` as JSON text.
pub(crate) fn raw<T: Serialize + ?Sized>(value: &T) -> Box<RawValue> {
    serde_json::value::to_raw_value(value).unwrap_or_else(|error| {
        tracing::error!(%error, "a feed item failed to serialize; sending null");
        RawValue::from_string("null".to_owned()).expect("null is JSON")
    })
}
