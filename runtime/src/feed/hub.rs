//! The feeds of one server ([`FeedHub`]) and of one socket ([`SocketFeeds`]): where a
//! subscription is found by its id, counted against the socket's limit, and released.

use std::any::{Any, TypeId};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use serde::Serialize;

use crate::contract::Contract;
use crate::feed::filter::Filter;
use crate::feed::state::{EndFrame, Ended, FeedState, Limits};
use crate::feed::{END_EVENT, FeedRef};
use crate::socket::ops::SocketOps;

/// A feed's state, type-erased: `FeedState<I, F>` behind `Any`.
type AnyFeed = Arc<dyn Any + Send + Sync>;

/// Every feed of a server, created on first use, by contract and feed name.
#[derive(Default)]
pub(crate) struct FeedHub {
    feeds: Mutex<HashMap<(TypeId, &'static str), AnyFeed>>,
    pub(crate) limits: Arc<Limits>,
    next_id: AtomicU64,
    /// Each prop's values by scope (`Mutex<HashMap<String, Shared<T>>>` behind `Any`), by
    /// contract and prop name.
    props: Mutex<HashMap<(TypeId, &'static str), AnyFeed>>,
    /// Where feeds span nodes (set by `Server::redis`); `None`: on this node only.
    #[cfg(feature = "redis")]
    pub(crate) streams: std::sync::OnceLock<Arc<crate::feed::streams::Streams>>,
}

impl FeedHub {
    /// The state of `feed`, created on first use.
    pub(crate) fn feed<C: Contract, I, F>(&self, feed: &FeedRef<C, I, F>) -> Arc<FeedState<I, F>>
    where
        I: Serialize + serde::de::DeserializeOwned + Send + Sync + 'static,
        F: Filter<Item = I>,
    {
        let mut feeds = self.feeds.lock().unwrap_or_else(|e| e.into_inner());
        let state = feeds
            .entry((TypeId::of::<C>(), feed.name))
            .or_insert_with(|| {
                let state = Arc::new(FeedState::<I, F>::new(
                    feed.name,
                    feed.mode,
                    feed.key,
                    self.limits.clone(),
                    crate::observe::FeedMetrics::register(C::NAME, feed.name),
                ));
                #[cfg(feature = "redis")]
                if let Some(streams) = self.streams.get() {
                    streams.attach(C::NAME, &state);
                }
                state
            })
            .clone();
        drop(feeds);
        // The key is the contract and the feed name, which the derive makes unique, and a
        // feed name has one item and filter type.
        state
            .downcast::<FeedState<I, F>>()
            .unwrap_or_else(|_| unreachable!("one feed name, one item and filter type"))
    }

    /// The values of prop `name` of contract `C`, shared by every handle on it.
    pub(crate) fn prop_cells<C: Contract, T: Send + 'static>(
        &self,
        name: &'static str,
    ) -> Arc<Mutex<HashMap<String, crate::prop::Shared<T>>>> {
        let mut props = self.props.lock().unwrap_or_else(|e| e.into_inner());
        let cells = props
            .entry((TypeId::of::<C>(), name))
            .or_insert_with(|| {
                Arc::new(Mutex::new(HashMap::<String, crate::prop::Shared<T>>::new()))
            })
            .clone();
        drop(props);
        cells
            .downcast()
            .unwrap_or_else(|_| unreachable!("one prop name, one value type"))
    }

    /// A subscription id, unique on this server.
    pub(crate) fn next_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed) + 1
    }
}

/// Frees a subscription in its feed.
type Remover = Box<dyn FnOnce() + Send>;

/// The subscriptions of one socket, kept in its extensions.
pub(crate) struct SocketFeeds {
    pub(crate) hub: Arc<FeedHub>,
    slots: Mutex<Slots>,
    /// Changes replayed to this socket's resumes so far (see [`take_replay`](Self::take_replay)).
    replayed: AtomicUsize,
}

#[derive(Default)]
struct Slots {
    removers: HashMap<u64, Remover>,
    /// Ids of subscriptions on their way out: their feed is still removing them, or their
    /// end frame is still being sent. A group's id is the id of each of its members, so a
    /// subscription of this socket could be given one again: not until then, or it would
    /// get the old one's last frames.
    closing: HashSet<u64>,
    /// Set when the socket disconnected: a subscribe still in flight takes no slot.
    closed: bool,
}

impl SocketFeeds {
    pub(crate) fn new(hub: Arc<FeedHub>) -> Arc<Self> {
        Arc::new(Self {
            hub,
            slots: Mutex::default(),
            replayed: AtomicUsize::new(0),
        })
    }

    /// The connection's replay budget: half its queue, shared by every subscription that
    /// resumes on it. A replay is queued at once, and resumes arrive together after a
    /// reconnect, so each alone fitting its half is not enough: together they would fill
    /// the queue and end some of them with `overflow`. The budget is never given back:
    /// socketioxide does not say when a socket's queue has drained (its `Socket::reserve`
    /// is crate-private), and a new connection, where resumes come from, has a new one.
    fn replay_budget(&self) -> usize {
        self.hub.limits.queue.load(Ordering::Relaxed) / 2
    }

    /// Changes this connection may still replay.
    pub(crate) fn replay_left(&self) -> usize {
        self.replay_budget()
            .saturating_sub(self.replayed.load(Ordering::Relaxed))
    }

    /// Takes `changes` from the replay budget; false (taking nothing) when fewer are left:
    /// the resume is then a resync, whose snapshot is one packet.
    pub(crate) fn take_replay(&self, changes: usize) -> bool {
        let budget = self.replay_budget();
        self.replayed
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |taken| {
                taken.checked_add(changes).filter(|total| *total <= budget)
            })
            .is_ok()
    }

    fn slots(&self) -> std::sync::MutexGuard<'_, Slots> {
        self.slots.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Takes a slot for subscription `id`, already registered in its feed.
    pub(crate) fn reserve(&self, id: u64, remover: Remover) -> Result<(), Refused> {
        let max = self.hub.limits.max_per_socket.load(Ordering::Relaxed);
        let mut slots = self.slots();
        if slots.closed {
            return Err(Refused::Closed(remover));
        }
        if slots.removers.len() >= max {
            return Err(Refused::Full(remover, max));
        }
        slots.removers.insert(id, remover);
        Ok(())
    }

    /// Frees the slot of `id` and the subscription in its feed (the client unsubscribed,
    /// or the subscribe call failed); whether it existed.
    pub(crate) fn release(&self, id: u64) -> bool {
        // The remover runs after the slots are unlocked: the feed's lock is never taken
        // while holding them (the feed takes them while holding its own).
        match self.retire(id) {
            Some(remover) => {
                remover();
                self.ended(id);
                true
            }
            None => false,
        }
    }

    /// Files the slot of `id` under `key` instead, the id its client will know it by; false
    /// (changing nothing) when the socket already holds `key` or no longer holds `id`.
    pub(crate) fn rekey(&self, id: u64, key: u64) -> bool {
        let mut slots = self.slots();
        if slots.removers.contains_key(&key) || slots.closing.contains(&key) {
            return false;
        }
        match slots.removers.remove(&id) {
            Some(remover) => {
                slots.removers.insert(key, remover);
                true
            }
            None => false,
        }
    }

    /// Frees the slot of `id` and returns its remover; the id stays taken until
    /// [`ended`](Self::ended).
    fn retire(&self, id: u64) -> Option<Remover> {
        let mut slots = self.slots();
        let remover = slots.removers.remove(&id);
        if remover.is_some() {
            slots.closing.insert(id);
        }
        remover
    }

    /// Subscription `id` is gone: unsubscribed, or its end frame sent (or its socket
    /// closed). Its id is free.
    fn ended(&self, id: u64) {
        self.slots().closing.remove(&id);
    }

    /// Frees everything and takes no more (the socket disconnected).
    pub(crate) fn release_all(&self) {
        let removers: Vec<Remover> = {
            let mut slots = self.slots();
            slots.closed = true;
            slots.removers.drain().map(|(_, r)| r).collect()
        };
        for remover in removers {
            remover();
        }
    }

    /// How many subscriptions the socket holds.
    pub(crate) fn len(&self) -> usize {
        self.slots().removers.len()
    }
}

/// Why a slot was not given; the remover comes back, to undo the registration.
pub(crate) enum Refused {
    /// The socket holds `max` subscriptions.
    Full(Remover, usize),
    /// The socket disconnected.
    Closed(Remover),
}

/// Tells the clients of `ended` subscriptions why, and frees their slots.
pub(crate) fn notify_ended(ended: Vec<Ended>) {
    for ended in ended {
        let feeds = ended.socket.extensions().get::<Arc<SocketFeeds>>();
        // Its feed already removed it: the remover is not needed.
        if let Some(feeds) = &feeds {
            feeds.retire(ended.id);
        }
        tracing::debug!(subscription = %ended.wire_id, reason = ?ended.reason, "subscription ended by the server");
        let id = ended.id;
        send_end(ended.socket, ended.wire_id, ended.reason, move || {
            if let Some(feeds) = feeds {
                feeds.ended(id);
            }
        });
    }
}

/// Sends the end frame, then runs `sent`; an overflowed socket's queue is full, so keep
/// trying for a while (on a tokio runtime), then close the socket: its client must not
/// believe a subscription lives that the server ended.
fn send_end(
    socket: Arc<dyn SocketOps>,
    wire_id: String,
    reason: crate::feed::EndReason,
    sent: impl FnOnce() + Send + 'static,
) {
    let try_send = move |socket: &Arc<dyn SocketOps>| {
        let frame = EndFrame {
            id: &wire_id,
            reason: &reason,
        };
        !matches!(
            socket.emit(END_EVENT, &(frame,)),
            Err(socketioxide::SendError::Socket(
                socketioxide::SocketError::InternalChannelFull
            ))
        )
    };
    if try_send(&socket) {
        return sent();
    }
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        socket.disconnect();
        return sent();
    };
    runtime.spawn(async move {
        for _ in 0..100 {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            if try_send(&socket) {
                return sent();
            }
        }
        tracing::warn!(socket = %socket.id(), "could not tell a client its subscription ended: disconnecting it");
        socket.disconnect();
        sent();
    });
}
