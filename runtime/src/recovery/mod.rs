//! Connection state recovery: a socket that drops for less than a window gets back its
//! rooms and the server events it missed, in order, and learns whether it recovered.
//!
//! This is Socket.IO 4.6's feature and its wire format (see `docs/protocol.md`): every
//! recorded event carries its offset as its last argument, the client's next CONNECT sends
//! `{ pid, offset }` in its auth, and the server replays what that session missed after the
//! offset. One thing differs, because socketioxide builds the CONNECT reply itself as
//! `{"sid": ...}` (`Namespace::connect` in its `ns.rs`, with no way to add a field) and
//! socket.io-client reads the private `pid` only from there: the server sends the session's
//! `pid` in an `eventwire:recovery` event right after the CONNECT reply (socketioxide refuses
//! emits before it), ahead of the missed events, and the generated client (or three lines in
//! any socket.io-client app) hands it to socket.io-client's own mechanism. So a client learns
//! it recovered from that event, not yet in its `connect` listener.
//!
//! Recorded: server events without ack that are not volatile, emitted through eventwire
//! ([`Cx`](crate::Cx), [`Broadcast`](crate::Broadcast), [`Emitter`](crate::Emitter)).
//! Stored in memory on one node ([`MemoryStore`](store::MemoryStore)) behind
//! [`SessionStore`], the seam a multi-node store (Redis Streams) fills.

pub(crate) mod store;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;
use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

/// The event that tells a socket its session id and whether it recovered: the first event
/// after the CONNECT reply, before the missed events. Its payload is
/// `{ pid, recovered, offset }`.
pub const RECOVERY_EVENT: &str = concat!(eventwire_macros::__own_event_prefix!(), "recovery");

/// Settings of connection state recovery ([`Server::connection_state_recovery`](crate::Server::connection_state_recovery)).
///
/// ```
/// use std::time::Duration;
/// use eventwire::{Recovery, Server};
///
/// let server = Server::new().connection_state_recovery(
///     Recovery::new().max_disconnection(Duration::from_secs(30)).max_events(1_000),
/// );
/// # let _ = server;
/// ```
#[derive(Debug, Clone)]
pub struct Recovery {
    pub(crate) window: Duration,
    pub(crate) max_events: usize,
    pub(crate) max_bytes: usize,
    pub(crate) max_parked_sessions: usize,
}

impl Default for Recovery {
    fn default() -> Self {
        Self {
            window: Duration::from_secs(120),
            max_events: 10_000,
            max_bytes: 16 << 20,
            max_parked_sessions: 100_000,
        }
    }
}

impl Recovery {
    /// The default settings.
    pub fn new() -> Self {
        Self::default()
    }

    /// How long after a disconnect the session can still be recovered; events older than
    /// this are dropped from the history. Defaults to 2 minutes (Socket.IO's default).
    pub fn max_disconnection(mut self, window: Duration) -> Self {
        self.window = window;
        self
    }

    /// How many recorded events each namespace keeps. Defaults to 10,000.
    pub fn max_events(mut self, events: usize) -> Self {
        self.max_events = events;
        self
    }

    /// How many bytes of recorded payloads (as JSON) each namespace keeps. Defaults to
    /// 16 MiB. A single event larger than this is sent but not kept.
    pub fn max_bytes(mut self, bytes: usize) -> Self {
        self.max_bytes = bytes;
        self
    }

    /// How many disconnected sessions each namespace keeps waiting for their client; past
    /// it, the oldest is forgotten. Defaults to 100,000.
    pub fn max_parked_sessions(mut self, sessions: usize) -> Self {
        self.max_parked_sessions = sessions;
        self
    }
}

/// Which sockets a recorded event was sent to, to decide at replay whether a session
/// missed it.
#[derive(Clone, Default, Debug)]
pub(crate) struct Target {
    /// Sent to this session only (an emit to one socket).
    pub(crate) session: Option<String>,
    /// Sent to sockets in any of these rooms; every socket when empty.
    pub(crate) rooms: Vec<String>,
    /// Not sent to sockets in these rooms.
    pub(crate) except: Vec<String>,
    /// Not sent to this session (the emitting socket of `cx.to(..)`).
    pub(crate) except_session: Option<String>,
}

impl Target {
    /// Whether session `pid`, in `rooms` when it dropped, would have received the event.
    pub(crate) fn reaches(&self, pid: &str, rooms: &[String]) -> bool {
        if let Some(only) = &self.session {
            return only == pid;
        }
        if self.except_session.as_deref() == Some(pid) {
            return false;
        }
        if self.except.iter().any(|r| rooms.contains(r)) {
            return false;
        }
        self.rooms.is_empty() || self.rooms.iter().any(|r| rooms.contains(r))
    }
}

/// What a restored session gets back.
pub(crate) struct Restored {
    pub(crate) rooms: Vec<String>,
    pub(crate) missed: Vec<store::Entry>,
}

/// Why a session was not restored (logged; the client only learns `recovered: false`).
#[derive(Debug, thiserror::Error)]
pub(crate) enum NotRecovered {
    #[error("unknown, expired or already restored session")]
    UnknownSession,
    #[error("the offset is not one this server gave")]
    UnknownOffset,
    #[error("the history no longer reaches back to the offset")]
    HistoryTooShort,
    #[error("more missed events than the socket's queue holds")]
    TooManyMissed,
}

/// Where recovery keeps recorded events and disconnected sessions, for one namespace.
/// [`store::MemoryStore`] keeps them in this process; a store shared by several nodes (Redis
/// Streams: XADD with trimming, XRANGE to replay) implements the same four operations.
pub(crate) trait SessionStore: Send + Sync + 'static {
    /// The offset of the last recorded event (0 before the first).
    fn head(&self) -> u64;
    /// Keeps an event (its arguments without offset, `size` bytes as JSON) and returns
    /// its offset.
    fn record(&self, event: &str, args: Vec<Value>, size: usize, target: Target) -> u64;
    /// Keeps a dropped session, in `rooms`, that started at offset `start`.
    fn park(&self, pid: String, rooms: Vec<String>, start: u64);
    /// Takes a parked session back with what it missed after `offset` (at most `limit`
    /// events).
    fn restore(&self, pid: &str, offset: u64, limit: usize) -> Result<Restored, NotRecovered>;
}

/// The recovery of one namespace: its store, and the turn that orders emits and restores.
pub(crate) struct Journal {
    store: Arc<dyn SessionStore>,
    /// Offsets are `<epoch>-<n>`: the epoch, random per journal, tells this server's
    /// offsets from another's (or a restarted one's), and from a string payload.
    epoch: String,
    /// Held while an event is recorded and handed to the adapter, and while a connecting
    /// socket is restored until it is in the namespace: so a live event reaches it either
    /// in the replay or live, never both, never neither, and after the replay.
    turn: Arc<AsyncMutex<()>>,
}

impl Journal {
    fn new(config: Recovery) -> Self {
        Self {
            store: Arc::new(store::MemoryStore::new(config)),
            epoch: format!("{:016x}", random_u64()),
            turn: Arc::default(),
        }
    }

    pub(crate) fn offset(&self, n: u64) -> String {
        format!("{}-{n}", self.epoch)
    }

    fn parse_offset(&self, offset: &str) -> Option<u64> {
        let (epoch, n) = offset.split_once('-')?;
        (epoch == self.epoch).then_some(())?;
        n.parse().ok()
    }

    /// Waits for the turn to record and send one event.
    pub(crate) async fn turn(&self) -> OwnedMutexGuard<()> {
        self.turn.clone().lock_owned().await
    }

    /// Records an event's arguments (as they would be sent, without offset) for `target`;
    /// returns them with the offset to append. Call with the turn held, and send before
    /// releasing it.
    pub(crate) fn record<T: Serialize + ?Sized>(
        &self,
        event: &str,
        args: &T,
        target: Target,
    ) -> Result<Recorded, serde_json::Error> {
        let args = match serde_json::to_value(args)? {
            Value::Array(args) => args,
            other => vec![other],
        };
        let size = args.iter().map(json_size).sum::<usize>() + event.len();
        let offset = self.store.record(event, args.clone(), size, target);
        Ok(Recorded {
            args,
            offset: self.offset(offset),
        })
    }
}

/// A recorded event, ready to send.
pub(crate) struct Recorded {
    args: Vec<Value>,
    offset: String,
}

impl Recorded {
    /// The socket.io arguments to send: the event's own, then the offset.
    pub(crate) fn args(&self) -> WithOffset<'_> {
        WithOffset {
            args: &self.args,
            offset: &self.offset,
        }
    }
}

/// Where a broadcast being built records its emit, and who it reaches.
#[derive(Clone)]
pub(crate) struct Recording {
    journal: Arc<Journal>,
    target: Target,
}

impl Recording {
    pub(crate) fn new(journal: Arc<Journal>, target: Target) -> Self {
        Self { journal, target }
    }

    /// Adds rooms to the target (`to`, `within`).
    pub(crate) fn to<R: AsRef<str>>(mut self, rooms: &[R]) -> Self {
        self.target
            .rooms
            .extend(rooms.iter().map(|r| r.as_ref().to_owned()));
        self
    }

    /// Leaves out rooms (`except`).
    pub(crate) fn except<R: AsRef<str>>(mut self, rooms: &[R]) -> Self {
        self.target
            .except
            .extend(rooms.iter().map(|r| r.as_ref().to_owned()));
        self
    }

    /// Includes the emitting socket again (`within` from a handler).
    pub(crate) fn with_self(mut self) -> Self {
        self.target.except_session = None;
        self
    }

    /// Waits for the turn, then records; send before dropping the returned turn.
    pub(crate) async fn record<T: Serialize + ?Sized>(
        self,
        event: &str,
        args: &T,
    ) -> Result<(OwnedMutexGuard<()>, Recorded), serde_json::Error> {
        let turn = self.journal.turn().await;
        let recorded = self.journal.record(event, args, self.target)?;
        Ok((turn, recorded))
    }
}

/// The arguments of a recorded event as sent: the event's own, then its offset.
pub(crate) struct WithOffset<'a> {
    pub(crate) args: &'a [Value],
    pub(crate) offset: &'a str,
}

impl Serialize for WithOffset<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeTuple;
        // A tuple: socketioxide spreads tuples into separate socket.io arguments.
        let mut tuple = s.serialize_tuple(self.args.len() + 1)?;
        for arg in self.args {
            tuple.serialize_element(arg)?;
        }
        tuple.serialize_element(self.offset)?;
        tuple.end()
    }
}

fn json_size(value: &Value) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    let _ = serde_json::to_writer(&mut count, value);
    count.0
}

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0; N];
    // The OS's generator; failing it is failing to run at all.
    getrandom::getrandom(&mut bytes).expect("the operating system's random generator failed");
    bytes
}

fn random_u64() -> u64 {
    u64::from_le_bytes(random_bytes())
}

/// A new session id: 128 random bits, the only secret that lets a client claim a session.
fn new_pid() -> String {
    random_bytes::<16>()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The journals of one server, by concrete namespace path.
#[derive(Default)]
pub(crate) struct Journals {
    config: Recovery,
    by_path: Mutex<HashMap<String, Arc<Journal>>>,
}

impl Journals {
    pub(crate) fn new(config: Recovery) -> Self {
        Self {
            config,
            by_path: Mutex::default(),
        }
    }

    /// The journal of namespace `path`, created on first use.
    pub(crate) fn of(&self, path: &str) -> Arc<Journal> {
        let mut by_path = self.by_path.lock().unwrap_or_else(|e| e.into_inner());
        by_path
            .entry(path.to_owned())
            .or_insert_with(|| Arc::new(Journal::new(self.config.clone())))
            .clone()
    }
}

type Registry = Vec<(usize, Weak<Journals>)>;

/// Servers with recovery, keyed by the address of their socket.io config (unique while
/// the server lives), so an [`Emitter`](crate::Emitter) built from the `SocketIo` handle
/// finds its namespace's journal. socketioxide has a per-server state map
/// (`SocketIoBuilder::with_state`) but reads it only from inside the crate
/// (`SocketIo::get_state` is `pub(crate)` in 0.18.9), hence this registry.
fn registry() -> &'static Mutex<Registry> {
    static REGISTRY: OnceLock<Mutex<Registry>> = OnceLock::new();
    REGISTRY.get_or_init(Mutex::default)
}

/// The key of a server in the registry.
pub(crate) fn server_key<A: socketioxide::adapter::Adapter>(
    io: &socketioxide::SocketIo<A>,
) -> usize {
    std::ptr::from_ref(io.config()) as usize
}

/// Registers a server's journals under its config's address.
pub(crate) fn register(key: usize, journals: &Arc<Journals>) {
    let mut registry = registry().lock().unwrap_or_else(|e| e.into_inner());
    registry.retain(|(_, weak)| weak.strong_count() > 0);
    registry.push((key, Arc::downgrade(journals)));
}

/// The journal of namespace `path` (one that exists on the server: the caller checked)
/// on the server whose config lives at `key`, if that server records events. Created here
/// if no socket connected yet: an `Emitter` built at start-up records from its first emit.
pub(crate) fn lookup(key: usize, path: &str) -> Option<Arc<Journal>> {
    let registry = registry().lock().unwrap_or_else(|e| e.into_inner());
    registry
        .iter()
        .rev()
        .find(|(k, _)| *k == key)
        .and_then(|(_, weak)| weak.upgrade())
        .map(|journals| journals.of(path))
}

/// What a connecting socket claimed in its auth: `pid` and `offset`, as socket.io-client
/// sends them (merged into the app's auth object).
#[derive(Default, Debug)]
pub(crate) struct Claim {
    pid: Option<String>,
    offset: Option<String>,
}

/// Takes `pid` and `offset` out of the handshake auth, so the contract's auth type never
/// sees them. Returns the app's auth (none if nothing else was in it) and the claim.
pub(crate) fn split_auth(auth: Option<String>) -> (Option<String>, Claim) {
    let Some(text) = auth else {
        return (None, Claim::default());
    };
    let Ok(Value::Object(mut object)) = serde_json::from_str::<Value>(&text) else {
        return (Some(text), Claim::default());
    };
    if !object.contains_key("pid") && !object.contains_key("offset") {
        return (Some(text), Claim::default());
    }
    // Bounded: a claim is a 32-character id and a short offset; anything else is no claim.
    let take = |value: Option<Value>| match value {
        Some(Value::String(s)) if s.len() <= 64 => Some(s),
        _ => None,
    };
    let claim = Claim {
        pid: take(object.remove("pid")),
        offset: take(object.remove("offset")),
    };
    let rest = (!object.is_empty()).then(|| Value::Object(object).to_string());
    (rest, claim)
}

/// The recovery state of a connected socket, kept in its extensions.
#[derive(Clone)]
pub(crate) struct Session {
    pub(crate) journal: Arc<Journal>,
    pub(crate) pid: Arc<str>,
    start: u64,
    pub(crate) recovered: bool,
    /// The turn, held from the restore until the socket is in the namespace.
    held: Arc<Mutex<Option<OwnedMutexGuard<()>>>>,
}

impl Session {
    /// Lets emits go on: the socket is now in the namespace and receives them live.
    pub(crate) fn release(&self) {
        self.held.lock().unwrap_or_else(|e| e.into_inner()).take();
    }

    /// The target of an emit to this socket alone.
    pub(crate) fn only(&self) -> Target {
        Target {
            session: Some(self.pid.to_string()),
            ..Target::default()
        }
    }

    /// The target of a broadcast from this socket: everyone but it.
    pub(crate) fn except_self(&self) -> Target {
        Target {
            except_session: Some(self.pid.to_string()),
            ..Target::default()
        }
    }

    /// Keeps the session for the window after its socket dropped, in `rooms`.
    pub(crate) fn park(&self, rooms: Vec<String>) {
        self.journal
            .store
            .park(self.pid.to_string(), rooms, self.start);
    }
}

/// The socket's part of what a connecting socket must be sent before the CONNECT reply.
pub(crate) struct Admission {
    pub(crate) session: Session,
    pub(crate) rooms: Vec<String>,
    /// `eventwire:recovery`'s argument, then the missed events.
    pub(crate) greeting: Greeting,
    pub(crate) missed: Vec<(String, Vec<Value>, String)>,
}

/// `eventwire:recovery`'s payload.
#[derive(Serialize)]
pub(crate) struct Greeting {
    pid: String,
    recovered: bool,
    /// The head of the history: everything up to here is accounted for.
    offset: String,
}

/// Restores the claimed session or starts a new one. Takes the turn and keeps it in the
/// returned session until [`Session::release`]; `limit` is how many events the socket's
/// queue can take now.
pub(crate) async fn admit(journal: Arc<Journal>, claim: Claim, limit: usize) -> Admission {
    let held = journal.turn().await;
    let restored = match (&claim.pid, &claim.offset) {
        (Some(pid), Some(offset)) => match journal.parse_offset(offset) {
            Some(n) => journal
                .store
                .restore(pid, n, limit)
                .map(|r| (pid.clone(), r)),
            None => Err(NotRecovered::UnknownOffset),
        },
        (Some(_), None) => Err(NotRecovered::UnknownOffset),
        _ => Err(NotRecovered::UnknownSession),
    };
    let head = journal.store.head();
    let (pid, recovered, rooms, missed) = match restored {
        Ok((pid, restored)) => {
            let missed = restored
                .missed
                .into_iter()
                .map(|e| (e.event, e.args, journal.offset(e.offset)))
                .collect();
            (pid, true, restored.rooms, missed)
        }
        Err(reason) => {
            if claim.pid.is_some() {
                tracing::debug!(reason = %reason, "not recovering a session");
            }
            (new_pid(), false, Vec::new(), Vec::new())
        }
    };
    let greeting = Greeting {
        pid: pid.clone(),
        recovered,
        offset: journal.offset(head),
    };
    Admission {
        session: Session {
            journal,
            pid: pid.into(),
            start: head,
            recovered,
            held: Arc::new(Mutex::new(Some(held))),
        },
        rooms,
        greeting,
        missed,
    }
}

/// An admission waiting for the socket to be in the namespace.
#[derive(Clone)]
struct Pending(Arc<Mutex<Option<Admission>>>);

/// Keeps an admission in the connecting socket until [`connected`] sends it. (socketioxide
/// refuses emits until the socket is connected, so nothing can be sent from the connect
/// middleware, before the CONNECT reply.) If the connection fails before, the admission,
/// and with it the turn, goes with the socket.
pub(crate) fn admitted<A: socketioxide::adapter::Adapter>(
    socket: &socketioxide::extract::SocketRef<A>,
    admission: Admission,
) {
    socket
        .extensions
        .insert(Pending(Arc::new(Mutex::new(Some(admission)))));
}

/// Sends an admitted socket, right after its CONNECT reply and before any live event: its
/// rooms back, `eventwire:recovery`, then the events it missed; and keeps its session.
fn greet<A: socketioxide::adapter::Adapter>(
    socket: &socketioxide::extract::SocketRef<A>,
    admission: Admission,
) {
    let Admission {
        session,
        rooms,
        greeting,
        missed,
    } = admission;
    socket.join(rooms);
    let mut sent = socket.emit(RECOVERY_EVENT, &greeting);
    for (event, args, offset) in &missed {
        if sent.is_err() {
            break;
        }
        sent = socket.emit(event, &WithOffset { args, offset });
    }
    if let Err(error) = sent {
        // The queue holds more than `admit`'s limit; only a concurrent flood gets here. The
        // client learns nothing is certain from the missing events' offsets: it disconnects.
        tracing::warn!(socket = %socket.id, error = %error, "could not replay the missed events");
        let _ = socket.clone().disconnect();
    }
    socket.extensions.insert(session.clone());
    session.release();
}

/// Sends a connecting socket its admission and releases the turn it held (from
/// socketioxide's connect handler, which runs once the socket is in the namespace and its
/// CONNECT reply is queued).
pub(crate) fn connected<A: socketioxide::adapter::Adapter>(
    socket: &socketioxide::extract::SocketRef<A>,
) {
    let Some(Pending(pending)) = socket.extensions.remove::<Pending>() else {
        return;
    };
    let admission = pending.lock().unwrap_or_else(|e| e.into_inner()).take();
    if let Some(admission) = admission {
        greet(socket, admission);
    }
}

/// Parks the session of a socket that dropped, unless it left on purpose.
pub(crate) fn disconnected<A: socketioxide::adapter::Adapter>(
    socket: &socketioxide::extract::SocketRef<A>,
    reason: socketioxide::socket::DisconnectReason,
) {
    use socketioxide::socket::DisconnectReason as Why;
    let Some(session) = socket.extensions.get::<Session>() else {
        return;
    };
    session.release();
    if matches!(reason, Why::ClientNSDisconnect | Why::ServerNSDisconnect) {
        return;
    }
    let own = socket.id.to_string();
    let rooms = socket
        .rooms()
        .into_iter()
        .map(|r| r.into_owned())
        .filter(|r| *r != own && !crate::feed::group::is_feed_room(r))
        .collect();
    session.park(rooms);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_auth_takes_out_the_claim_only() {
        let (rest, claim) = split_auth(Some(r#"{"pid":"abc","offset":"e-1","token":"t"}"#.into()));
        assert_eq!(rest.as_deref(), Some(r#"{"token":"t"}"#));
        assert_eq!(claim.pid.as_deref(), Some("abc"));
        assert_eq!(claim.offset.as_deref(), Some("e-1"));
        let (rest, _) = split_auth(Some(r#"{"pid":"abc","offset":"e-1"}"#.into()));
        assert_eq!(rest, None);
        let (rest, claim) = split_auth(Some(r#"{"token":"t"}"#.into()));
        assert_eq!(rest.as_deref(), Some(r#"{"token":"t"}"#));
        assert!(claim.pid.is_none());
        let (_, claim) = split_auth(Some(format!(r#"{{"pid":"{}"}}"#, "x".repeat(1000))));
        assert!(claim.pid.is_none());
    }

    #[test]
    fn offsets_of_another_journal_are_refused() {
        let a = Journal::new(Recovery::new());
        let b = Journal::new(Recovery::new());
        assert_eq!(a.parse_offset(&a.offset(3)), Some(3));
        assert_eq!(b.parse_offset(&a.offset(3)), None);
        assert_eq!(a.parse_offset("3"), None);
    }
}
