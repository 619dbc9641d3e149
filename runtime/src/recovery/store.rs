//! The in-memory store of one node: one log of recorded events per namespace, bounded by
//! count, bytes and age, and the sessions parked by a disconnect.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Instant;

use serde_json::Value;

use crate::recovery::{NotRecovered, Recovery, Restored, SessionStore, Target};

/// A recorded event.
#[derive(Clone)]
pub(crate) struct Entry {
    pub(crate) offset: u64,
    at: Instant,
    pub(crate) event: String,
    /// The socket.io arguments, without the offset.
    pub(crate) args: Vec<Value>,
    target: Target,
    size: usize,
}

/// A session whose socket dropped, waiting to be restored.
struct Parked {
    rooms: Vec<String>,
    at: Instant,
    /// The log's head when the session started: older events were never owed to it.
    start: u64,
}

/// [`SessionStore`] in this process's memory.
pub(crate) struct MemoryStore {
    config: Recovery,
    state: Mutex<State>,
}

struct State {
    /// The offset the last recorded event got (0: none yet).
    head: u64,
    /// Every event with an offset above `floor` is still in `entries`.
    floor: u64,
    entries: VecDeque<Entry>,
    bytes: usize,
    parked: HashMap<String, Parked>,
    /// Parked session ids, oldest first, to expire and cap them.
    parked_order: VecDeque<(String, Instant)>,
}

impl MemoryStore {
    pub(crate) fn new(config: Recovery) -> Self {
        Self {
            config,
            state: Mutex::new(State {
                head: 0,
                floor: 0,
                entries: VecDeque::new(),
                bytes: 0,
                parked: HashMap::new(),
                parked_order: VecDeque::new(),
            }),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // The state stays consistent between statements: a panic elsewhere cannot break it.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl State {
    /// Drops what no restorable session can need any more: events and parked sessions
    /// older than the window.
    fn expire(&mut self, config: &Recovery, now: Instant) {
        while let Some(entry) = self.entries.front() {
            if now.duration_since(entry.at) <= config.window {
                break;
            }
            self.evict_front();
        }
        while let Some((pid, at)) = self.parked_order.front() {
            if now.duration_since(*at) <= config.window {
                break;
            }
            // A session restored (or parked again) since has another entry or none.
            if self.parked.get(pid).is_some_and(|p| p.at == *at) {
                self.parked.remove(pid);
            }
            self.parked_order.pop_front();
        }
    }

    fn evict_front(&mut self) {
        if let Some(entry) = self.entries.pop_front() {
            self.floor = entry.offset;
            self.bytes -= entry.size;
        }
    }
}

impl SessionStore for MemoryStore {
    fn head(&self) -> u64 {
        self.state().head
    }

    fn record(&self, event: &str, args: Vec<Value>, size: usize, target: Target) -> u64 {
        let now = Instant::now();
        let mut state = self.state();
        state.expire(&self.config, now);
        state.head += 1;
        let offset = state.head;
        if size > self.config.max_bytes {
            // Too big to keep: nothing before it can be replayed any more, which a client
            // that missed it learns as `recovered: false`.
            state.entries.clear();
            state.bytes = 0;
            state.floor = offset;
            return offset;
        }
        state.entries.push_back(Entry {
            offset,
            at: now,
            event: event.to_owned(),
            args,
            target,
            size,
        });
        state.bytes += size;
        while state.entries.len() > self.config.max_events || state.bytes > self.config.max_bytes {
            state.evict_front();
        }
        offset
    }

    fn park(&self, pid: String, rooms: Vec<String>, start: u64) {
        let now = Instant::now();
        let mut state = self.state();
        state.expire(&self.config, now);
        while state.parked.len() >= self.config.max_parked_sessions {
            let Some((oldest, at)) = state.parked_order.pop_front() else {
                break;
            };
            if state.parked.get(&oldest).is_some_and(|p| p.at == at) {
                state.parked.remove(&oldest);
            }
        }
        state.parked_order.push_back((pid.clone(), now));
        state.parked.insert(
            pid,
            Parked {
                rooms,
                at: now,
                start,
            },
        );
    }

    fn restore(&self, pid: &str, offset: u64, limit: usize) -> Result<Restored, NotRecovered> {
        let now = Instant::now();
        let mut state = self.state();
        state.expire(&self.config, now);
        // Taken out whatever happens next: a session is restored at most once.
        let parked = state
            .parked
            .remove(pid)
            .ok_or(NotRecovered::UnknownSession)?;
        if offset > state.head {
            return Err(NotRecovered::UnknownOffset);
        }
        // An offset from before the session started (a client that kept an old one) owes
        // nothing older than the start.
        let from = offset.max(parked.start);
        if from < state.floor {
            return Err(NotRecovered::HistoryTooShort);
        }
        let missed: Vec<Entry> = state
            .entries
            .iter()
            .filter(|e| e.offset > from && e.target.reaches(pid, &parked.rooms))
            .cloned()
            .collect();
        if missed.len() > limit {
            return Err(NotRecovered::TooManyMissed);
        }
        Ok(Restored {
            rooms: parked.rooms,
            missed,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn store() -> MemoryStore {
        MemoryStore::new(Recovery::new().max_events(3).max_bytes(100))
    }

    fn to_room(room: &str) -> Target {
        Target {
            rooms: vec![room.to_owned()],
            ..Target::default()
        }
    }

    #[test]
    fn replays_only_what_reached_the_session_in_order() {
        let store = store();
        let start = store.head();
        store.record("a", vec![], 1, to_room("lobby"));
        store.park("p1".into(), vec!["lobby".into()], start);
        store.record("b", vec![], 1, to_room("other"));
        store.record("c", vec![], 1, to_room("lobby"));
        let restored = store.restore("p1", 1, 10).expect("restorable");
        assert_eq!(restored.rooms, ["lobby"]);
        let events: Vec<_> = restored.missed.iter().map(|e| e.event.as_str()).collect();
        assert_eq!(events, ["c"]);
        // Once only.
        assert!(matches!(
            store.restore("p1", 1, 10),
            Err(NotRecovered::UnknownSession)
        ));
    }

    #[test]
    fn refuses_when_history_no_longer_reaches_back() {
        let store = store();
        store.park("p1".into(), vec![], 0);
        for _ in 0..5 {
            store.record("x", vec![], 1, Target::default());
        }
        assert!(matches!(
            store.restore("p1", 0, 10),
            Err(NotRecovered::HistoryTooShort)
        ));
    }

    #[test]
    fn an_event_larger_than_the_budget_breaks_the_history() {
        let store = store();
        store.park("p1".into(), vec![], 0);
        store.record("big", vec![], 1000, Target::default());
        assert!(matches!(
            store.restore("p1", 0, 10),
            Err(NotRecovered::HistoryTooShort)
        ));
    }

    #[test]
    fn refuses_offsets_from_the_future_and_targets_of_others() {
        let store = store();
        store.park("p1".into(), vec![], 0);
        assert!(matches!(
            store.restore("p1", 7, 10),
            Err(NotRecovered::UnknownOffset)
        ));
        store.park("p2".into(), vec![], 0);
        let only_p3 = Target {
            session: Some("p3".into()),
            ..Target::default()
        };
        store.record("private", vec![], 1, only_p3);
        assert!(store.restore("p2", 0, 10).unwrap().missed.is_empty());
    }

    #[test]
    fn parked_sessions_expire_after_the_window() {
        let store = MemoryStore::new(Recovery::new().max_disconnection(Duration::from_millis(1)));
        store.park("p1".into(), vec![], 0);
        std::thread::sleep(Duration::from_millis(5));
        assert!(matches!(
            store.restore("p1", 0, 10),
            Err(NotRecovered::UnknownSession)
        ));
    }

    #[test]
    fn parked_sessions_are_capped() {
        let store = MemoryStore::new(Recovery::new().max_parked_sessions(2));
        for pid in ["a", "b", "c"] {
            store.park(pid.into(), vec![], 0);
        }
        assert!(store.restore("a", 0, 10).is_err());
        assert!(store.restore("c", 0, 10).is_ok());
    }
}
