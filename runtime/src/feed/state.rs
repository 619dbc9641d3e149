//! One feed's live state on this node: its offset and epoch, the subscriptions (pending
//! ones buffering, live ones indexed), and publishing a change to the subscriptions it
//! concerns.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use serde::Serialize;
use serde_json::value::RawValue;

use crate::feed::filter::Filter;
use crate::feed::history::{
    Bounds, DEFAULT_HISTORY_AGE, DEFAULT_HISTORY_LENGTH, History, MemoryHistory,
};
use crate::feed::index::Index;
use crate::feed::{CHANGE_EVENT, EndReason, Mode};
use crate::socket::ops::SocketOps;

/// The per-item check a subscription runs before every push.
pub(crate) type Check<I> = Arc<dyn Fn(&I) -> bool + Send + Sync>;

/// Default number of changes a subscription buffers while its snapshot loads.
pub const DEFAULT_SUBSCRIPTION_BUFFER: usize = 1_000;

/// Default number of subscriptions one socket may hold at once.
pub const DEFAULT_MAX_SUBSCRIPTIONS: usize = 100;

/// A published change, shared by every subscription that sees it.
pub(crate) struct Change<I> {
    offset: u64,
    offset_text: String,
    kind: Kind<I>,
    key: Box<RawValue>,
    /// The item's JSON, serialized once (data mode; a deletion carries none).
    item: Option<Box<RawValue>>,
}

pub(crate) enum Kind<I> {
    Created(I),
    Updated { item: I, previous: Option<I> },
    Deleted(I),
}

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
struct ChangeFrame<'a> {
    id: &'a str,
    offset: &'a str,
    action: Action,
    key: &'a RawValue,
    #[serde(skip_serializing_if = "Option::is_none")]
    item: Option<&'a RawValue>,
}

#[derive(Serialize)]
pub(crate) struct EndFrame<'a> {
    pub(crate) id: &'a str,
    #[serde(flatten)]
    pub(crate) reason: &'a EndReason,
}

struct Live<I, F> {
    wire_id: String,
    filter: F,
    entry: Option<(usize, String)>,
    check: Option<Check<I>>,
    socket: Arc<dyn SocketOps>,
}

struct Buffer<I> {
    changes: Vec<Arc<Change<I>>>,
    overflowed: bool,
}

struct Inner<I, F> {
    offset: u64,
    /// Recent changes, for subscribers resuming after a reconnect.
    history: Box<dyn History<Arc<Change<I>>>>,
    live: HashMap<u64, Live<I, F>>,
    pending: HashMap<u64, Buffer<I>>,
    index: Index,
    /// The gauge of `live`'s size.
    subscriptions: metrics::Gauge,
}

impl<I, F> Inner<I, F> {
    /// Takes a live subscription out of the feed and out of the index.
    fn remove_live(&mut self, id: u64) -> Option<Live<I, F>> {
        let live = self.live.remove(&id)?;
        self.subscriptions.decrement(1);
        self.index.remove(id, live.entry.as_ref());
        Some(live)
    }
}

/// Limits shared by every feed of a server, set through `Server`'s setters.
#[derive(Debug)]
pub(crate) struct Limits {
    pub(crate) max_per_socket: AtomicUsize,
    pub(crate) buffer: AtomicUsize,
    pub(crate) history_length: AtomicUsize,
    pub(crate) history_age_ms: AtomicU64,
}

impl Limits {
    fn history(&self) -> Bounds {
        Bounds {
            length: self.history_length.load(Ordering::Relaxed),
            age: std::time::Duration::from_millis(self.history_age_ms.load(Ordering::Relaxed)),
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_per_socket: AtomicUsize::new(DEFAULT_MAX_SUBSCRIPTIONS),
            buffer: AtomicUsize::new(DEFAULT_SUBSCRIPTION_BUFFER),
            history_length: AtomicUsize::new(DEFAULT_HISTORY_LENGTH),
            history_age_ms: AtomicU64::new(DEFAULT_HISTORY_AGE.as_millis() as u64),
        }
    }
}

pub(crate) struct FeedState<I, F> {
    pub(crate) name: &'static str,
    pub(crate) mode: Mode,
    pub(crate) key: fn(&I) -> Box<RawValue>,
    pub(crate) epoch: String,
    limits: Arc<Limits>,
    /// Changes sent to subscribers.
    deliveries: metrics::Counter,
    inner: Mutex<Inner<I, F>>,
}

/// A subscription the feed ended itself, to be told to its client and freed on its socket.
pub(crate) struct Ended {
    pub(crate) id: u64,
    pub(crate) wire_id: String,
    pub(crate) socket: Arc<dyn SocketOps>,
    pub(crate) reason: EndReason,
}

/// A fresh epoch: offsets restart from 0 with every feed state, and a client holding an
/// offset of another epoch must not resume from it.
fn new_epoch() -> String {
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
        let bounds = limits.clone();
        Self {
            name,
            mode,
            key,
            epoch: new_epoch(),
            limits,
            deliveries: metrics.deliveries,
            inner: Mutex::new(Inner {
                offset: 0,
                history: Box::new(MemoryHistory::new(move || bounds.history())),
                live: HashMap::new(),
                pending: HashMap::new(),
                index: Index::new(F::EQ_FIELDS),
                subscriptions: metrics.subscriptions,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner<I, F>> {
        // A panic while locked leaves no half-done state worth refusing: every update
        // below completes before it can panic.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Registers a subscription that buffers every change from now on; returns the offset
    /// its snapshot reflects at least.
    pub(crate) fn register(&self, id: u64) -> u64 {
        let mut inner = self.lock();
        inner.pending.insert(
            id,
            Buffer {
                changes: Vec::new(),
                overflowed: false,
            },
        );
        inner.offset
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
    ) -> (u64, Option<Vec<Arc<Change<I>>>>) {
        let mut inner = self.lock();
        let missed = if epoch == self.epoch {
            inner.history.since(offset, std::time::Instant::now())
        } else {
            None
        };
        inner.pending.insert(
            id,
            Buffer {
                changes: Vec::new(),
                overflowed: false,
            },
        );
        (inner.offset, missed)
    }

    /// Makes a pending subscription live: replays what it missed before registering
    /// (`missed`, when it resumes), then what it buffered (as its final filter sees them),
    /// then files it in the index. Returns it if it overflowed meanwhile.
    pub(crate) fn activate(
        &self,
        id: u64,
        wire_id: String,
        filter: F,
        check: Option<Check<I>>,
        socket: Arc<dyn SocketOps>,
        missed: Vec<Arc<Change<I>>>,
    ) -> Option<Ended> {
        let mut inner = self.lock();
        // Gone: the socket disconnected or unsubscribed while the snapshot loaded.
        let buffer = inner.pending.remove(&id)?;
        let live = Live {
            wire_id,
            entry: filter.index_entry(),
            filter,
            check,
            socket,
        };
        let mut overflow = buffer.overflowed;
        if !overflow {
            for change in missed.iter().chain(&buffer.changes) {
                if !self.deliver(&live, change) {
                    overflow = true;
                    break;
                }
            }
        }
        if overflow {
            return Some(Ended {
                id,
                wire_id: live.wire_id,
                socket: live.socket,
                reason: EndReason::overflow(),
            });
        }
        inner.index.insert(id, live.entry.clone());
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
        let item = match &kind {
            Kind::Created(item) | Kind::Updated { item, .. } | Kind::Deleted(item) => item,
        };
        let key = (self.key)(item);
        let item_json = match (&kind, self.mode) {
            (Kind::Deleted(_), _) | (_, Mode::Notify) => None,
            (_, Mode::Data) => Some(raw(item)),
        };
        let change = Arc::new(Change {
            offset,
            offset_text: offset.to_string(),
            kind,
            key,
            item: item_json,
        });
        inner
            .history
            .record(offset, change.clone(), std::time::Instant::now());
        let buffer_limit = self.limits.buffer.load(Ordering::Relaxed);
        for buffer in inner.pending.values_mut() {
            if buffer.overflowed {
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
            Kind::Updated { previous: None, .. } => inner.live.keys().copied().collect(),
        };
        let mut overflowed = Vec::new();
        for id in candidates {
            if let Some(live) = inner.live.get(&id)
                && !self.deliver(live, &change)
            {
                overflowed.push(id);
            }
        }
        let ended = overflowed
            .into_iter()
            .filter_map(|id| {
                let live = inner.remove_live(id)?;
                Some(Ended {
                    id,
                    wire_id: live.wire_id,
                    socket: live.socket,
                    reason: EndReason::overflow(),
                })
            })
            .collect();
        (offset, ended)
    }

    /// Sends `change` to `live` if it concerns it; false when the socket's queue is full.
    fn deliver(&self, live: &Live<I, F>, change: &Change<I>) -> bool {
        let Some(action) = action(live, &change.kind) else {
            return true;
        };
        let frame = ChangeFrame {
            id: &live.wire_id,
            offset: &change.offset_text,
            action,
            key: &change.key,
            item: match action {
                Action::Removed => None,
                Action::Added | Action::Updated => change.item.as_deref(),
            },
        };
        match live.socket.emit(CHANGE_EVENT, &(frame,)) {
            Ok(()) => {
                self.deliveries.increment(1);
                true
            }
            Err(socketioxide::SendError::Socket(
                socketioxide::SocketError::InternalChannelFull,
            )) => {
                crate::observe::queue_full();
                tracing::debug!(feed = self.name, subscription = %live.wire_id, offset = change.offset, "subscriber queue full: ending with overflow");
                false
            }
            // Closed: the disconnect releases the subscription.
            Err(_) => true,
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
            .filter_map(|id| {
                let live = inner.remove_live(id)?;
                Some(Ended {
                    id,
                    wire_id: live.wire_id,
                    socket: live.socket,
                    reason: reason.clone(),
                })
            })
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

    /// The offset of the last change.
    pub(crate) fn offset(&self) -> u64 {
        self.lock().offset
    }
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
