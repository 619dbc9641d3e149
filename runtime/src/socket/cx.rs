//! [`Cx`]: what a handler knows about the socket that sent the event, and can do with it.

use std::marker::PhantomData;
use std::sync::Arc;

use erased_serde::Serialize as ErasedSerialize;
use serde::Serialize;
use serde::de::DeserializeOwned;
use socketioxide::socket::Sid;

use crate::auth::Authenticated;
use crate::contract::Contract;
use crate::feed::group::is_feed_room;
use crate::recovery::{Recording, Session};
use crate::socket::emit::{
    AckError, Broadcast, EmitError, IntoRooms, NoReply, Outgoing, decode_reply,
};
use crate::socket::ops::{Room, SocketOps};
use crate::validate::Validate;

/// The handler context of contract `C`: the calling socket, typed to `C`'s server events.
///
/// Every emit accepts only the [`Outgoing`] values `C`'s generated constructors build, so
/// emitting a client event, another contract's event or a wrong payload does not compile.
/// App state is the handler type itself (`&self` in every handler method).
///
/// ```no_run
/// use eventwire::{payload, Contract, Cx};
///
/// #[payload] pub struct Join { room: String }
/// #[payload] pub struct Joined { room: String, members: u32 }
///
/// #[derive(Contract)]
/// #[contract(namespace = "/chat")]
/// pub enum Chat {
///     #[client(ack = u32)] Join(Join),
///     #[server] Joined(Joined),
/// }
///
/// struct App;
///
/// impl ChatHandlers for App {
///     async fn join(&self, cx: &Cx<Chat>, req: Join) -> u32 {
///         cx.join(&req.room);
///         let notice = Chat::joined(Joined { room: req.room.clone(), members: 2 });
///         let _ = cx.to(&req.room).emit(notice).await; // everyone in the room but the caller
///         2
///     }
/// }
/// ```
pub struct Cx<C> {
    socket: Arc<dyn SocketOps>,
    _contract: PhantomData<fn() -> C>,
}

impl<C> Clone for Cx<C> {
    fn clone(&self) -> Self {
        Self {
            socket: self.socket.clone(),
            _contract: PhantomData,
        }
    }
}

impl<C: Contract> Cx<C> {
    pub(crate) fn new(socket: Arc<dyn SocketOps>) -> Self {
        Self {
            socket,
            _contract: PhantomData,
        }
    }

    /// The erased socket, for parts that keep it (feeds).
    pub(crate) fn ops(&self) -> &Arc<dyn SocketOps> {
        &self.socket
    }

    /// The socket's id, unique on the server (across nodes).
    pub fn id(&self) -> Sid {
        self.socket.id()
    }

    /// The namespace path this socket connected to (for a dynamic namespace, the concrete
    /// path such as `/tenant-7/chat`).
    pub fn namespace(&self) -> &str {
        self.socket.ns()
    }

    /// Sends a server event to this socket.
    ///
    /// Synchronous, unlike the broadcasts: a packet for the calling socket goes straight
    /// into its outgoing queue on this node, so there is nothing to wait for (a full queue
    /// is [`EmitError::QueueFull`] at once). A broadcast ([`everyone`](Self::everyone),
    /// [`to`](Self::to), ...) may cross nodes through the adapter (Redis), which is I/O.
    pub fn emit<P: Serialize>(&self, event: Outgoing<C, P, NoReply>) -> Result<(), EmitError> {
        let args = event.args();
        if let Some(session) = self.session() {
            // No turn needed: the socket is in the namespace already, and the event
            // targets it alone.
            let recorded = session
                .journal
                .record(event.event(), &args, session.only())?;
            return self
                .socket
                .emit(event.event(), &recorded.args() as &dyn ErasedSerialize)
                .map_err(|e| args.error(e));
        }
        self.socket
            .emit(event.event(), &args as &dyn ErasedSerialize)
            .map_err(|e| args.error(e))
    }

    /// Sends a server event that expects an answer, and waits for the client's answer,
    /// decoded as the declared type (at most the event's [timeout](Outgoing::timeout)).
    pub async fn emit_with_ack<P: Serialize, R: DeserializeOwned + Validate>(
        &self,
        event: Outgoing<C, P, R>,
    ) -> Result<R, AckError> {
        let args = event.args();
        let reply = self
            .socket
            .emit_with_ack(
                event.event(),
                &args as &dyn ErasedSerialize,
                event.timeout_value(),
            )
            .map_err(|e| args.error(e))?;
        decode_reply(reply.await)
    }

    /// Joins rooms on this node's adapter. Rooms named `eventwire:feed:...` are the feeds'
    /// own and are skipped.
    pub fn join(&self, rooms: impl IntoRooms) {
        self.socket.join(app_rooms(rooms.into_rooms()));
    }

    /// Leaves rooms (the feeds' own rooms are skipped, as by [`join`](Self::join)).
    pub fn leave(&self, rooms: impl IntoRooms) {
        self.socket.leave(app_rooms(rooms.into_rooms()));
    }

    /// The rooms this socket is in (the feeds' own rooms are not listed).
    pub fn rooms(&self) -> Vec<String> {
        self.socket
            .rooms()
            .into_iter()
            .filter(|room| !is_feed_room(room))
            .map(|r| r.into_owned())
            .collect()
    }

    /// Whether the socket is still connected.
    pub fn connected(&self) -> bool {
        self.socket.connected()
    }

    /// Every socket in `rooms`, except this one.
    pub fn to(&self, rooms: impl IntoRooms) -> Broadcast<C> {
        self.broadcast().to(rooms)
    }

    /// Every socket in `rooms`, this one included.
    pub fn within(&self, rooms: impl IntoRooms) -> Broadcast<C> {
        let rooms = rooms.into_rooms();
        let recording = self.session().map(|s| {
            Recording::new(s.journal.clone(), s.except_self())
                .with_self()
                .to(&rooms)
        });
        Broadcast::recorded(self.socket.within(rooms), recording)
    }

    /// Every socket of the namespace except this one and those in `rooms`.
    pub fn except(&self, rooms: impl IntoRooms) -> Broadcast<C> {
        self.broadcast().except(rooms)
    }

    /// Every socket of the namespace, this one included (on every node): socket.io's
    /// `io.of(namespace).emit(..)`.
    ///
    /// ```no_run
    /// # use eventwire::{payload, Contract, Cx};
    /// # #[payload] pub struct Notice { text: String }
    /// # #[derive(Contract)] enum Chat { #[server] Notice(Notice) }
    /// # async fn f(cx: &Cx<Chat>) -> Result<(), eventwire::EmitError> {
    /// cx.everyone().emit(Chat::notice(Notice { text: "maintenance at noon".into() })).await?;
    /// # Ok(()) }
    /// ```
    pub fn everyone(&self) -> Broadcast<C> {
        // Recorded for recovery as an event to the whole namespace.
        let recording = self
            .session()
            .map(|s| Recording::new(s.journal.clone(), Default::default()));
        Broadcast::recorded(
            Box::new(crate::socket::everyone::Everyone::new(self.socket.clone())),
            recording,
        )
    }

    /// Every socket of the namespace except this one.
    pub fn broadcast(&self) -> Broadcast<C> {
        let recording = self
            .session()
            .map(|s| Recording::new(s.journal.clone(), s.except_self()));
        Broadcast::recorded(self.socket.broadcast(), recording)
    }

    /// Every socket of the namespace on this node except this one.
    pub fn local(&self) -> Broadcast<C> {
        self.broadcast().local()
    }

    /// Whether this connection restored an earlier session of the same client, with its
    /// rooms and the events it missed (connection state recovery, when the server has it
    /// on). `false` for a new session.
    pub fn recovered(&self) -> bool {
        self.session().is_some_and(|s| s.recovered)
    }

    /// The connection state recovery session, when the server records events.
    fn session(&self) -> Option<Session> {
        self.socket.extensions().get::<Session>()
    }

    /// The identity `authenticate` gave this socket when it connected (for a contract
    /// declared with `auth = T`; `()` otherwise).
    pub fn identity(&self) -> C::Identity {
        self.socket
            .extensions()
            .get::<Authenticated<C>>()
            .expect("every socket is authenticated before its first event")
            .0
    }

    /// Per-socket data that lives as long as the connection (typed by `T`), e.g. the
    /// identity an auth hook stored. Values are cloned out: store an `Arc` for big data.
    pub fn extensions(&self) -> &socketioxide::extensions::Extensions {
        self.socket.extensions()
    }

    /// Closes this socket's connection to the namespace.
    pub fn disconnect(&self) {
        self.socket.clone().disconnect();
    }
}

/// `rooms` without the feeds' own (see [`is_feed_room`]).
fn app_rooms(rooms: Vec<Room>) -> Vec<Room> {
    rooms
        .into_iter()
        .filter(|room| !is_feed_room(room))
        .collect()
}
