//! [`Emitter`]: typed emits from anywhere (a background task, an HTTP handler), given the
//! socket.io handle.

use std::marker::PhantomData;
use std::sync::{Arc, OnceLock};

use serde::Serialize;
use serde::de::DeserializeOwned;
use socketioxide::SocketIo;
use socketioxide::adapter::Adapter;
use socketioxide::socket::Sid;

use crate::contract::Contract;
use crate::recovery::{Journal, Recording, Target};
use crate::socket::deferred::Deferred;
use crate::socket::emit::{AckError, Broadcast, EmitError, IntoRooms, NoReply, Outgoing};
use crate::socket::ops::OperatorOps;
use crate::validate::Validate;

/// Emits contract `C`'s server events to its namespace from outside handlers.
///
/// ```no_run
/// use eventwire::{payload, Contract, Emitter, Server};
///
/// #[payload] pub struct Tick { n: u32 }
/// #[derive(Contract)]
/// #[contract(namespace = "/clock")]
/// pub enum Clock { #[server] Tick(Tick) }
/// impl ClockHandlers for () {}
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let (layer, io) = Server::new().contract::<Clock>(()).build()?;
/// let clock = Emitter::<Clock>::new(&io).expect("mounted above");
/// tokio::spawn(async move {
///     for n in 0.. {
///         let _ = clock.emit(Clock::tick(Tick { n })).await;
///         tokio::time::sleep(std::time::Duration::from_secs(1)).await;
///     }
/// });
/// # let _ = layer; Ok(()) }
/// ```
pub struct Emitter<C> {
    ops: Box<dyn OperatorOps>,
    /// Where the namespace's journal is, when the server records events for recovery.
    journal: JournalOf,
    _contract: PhantomData<fn() -> C>,
}

/// Where an emitter finds the journal that records its events for connection state
/// recovery.
#[derive(Clone)]
enum JournalOf {
    /// Looked up when the emitter was made from the socket.io handle.
    Known(Option<Arc<Journal>>),
    /// Made before the server was built ([`Server::emitter`](crate::Server::emitter)):
    /// looked up at the first emit after the build, then kept.
    Deferred(Deferred, Arc<OnceLock<Option<Arc<Journal>>>>),
}

impl JournalOf {
    fn journal(&self) -> Option<Arc<Journal>> {
        match self {
            Self::Known(journal) => journal.clone(),
            Self::Deferred(deferred, found) => match found.get() {
                Some(journal) => journal.clone(),
                // Not built yet: nothing to record into (the emit fails anyway).
                None if !deferred.built() => None,
                None => found.get_or_init(|| deferred.journal()).clone(),
            },
        }
    }
}

impl<C> Clone for Emitter<C> {
    fn clone(&self) -> Self {
        Self {
            ops: self.ops.clone_box(),
            journal: self.journal.clone(),
            _contract: PhantomData,
        }
    }
}

impl<C: Contract> Emitter<C> {
    /// The emitter of `C`'s own namespace; `None` if it is not mounted on `io`.
    pub fn new<A: Adapter>(io: &SocketIo<A>) -> Option<Self> {
        Self::at(io, C::NAMESPACE)
    }

    /// The emitter of a concrete namespace path where `C` is mounted (for a dynamic
    /// namespace, e.g. `/tenant-7/chat`; `None` until a client has connected there).
    pub fn at<A: Adapter>(io: &SocketIo<A>, path: &str) -> Option<Self> {
        let ops = io.of(path)?;
        Some(Self {
            ops: Box::new(ops),
            journal: JournalOf::Known(crate::recovery::lookup(
                crate::recovery::server_key(io),
                path,
            )),
            _contract: PhantomData,
        })
    }

    /// An emitter over a namespace of a server that may not be built yet (see
    /// [`Server::emitter`](crate::Server::emitter)); its emits are recorded for connection
    /// state recovery like any other once the server is built.
    pub(crate) fn deferred(deferred: Deferred) -> Self {
        Self {
            ops: Box::new(deferred.clone()),
            journal: JournalOf::Deferred(deferred, Arc::default()),
            _contract: PhantomData,
        }
    }

    fn all(&self) -> Broadcast<C> {
        let recording = self
            .journal
            .journal()
            .map(|journal| Recording::new(journal, Target::default()));
        Broadcast::recorded(self.ops.clone_box(), recording)
    }

    /// Sends a server event to every socket of the namespace (on every node).
    pub async fn emit<P: Serialize>(
        &self,
        event: Outgoing<C, P, NoReply>,
    ) -> Result<(), EmitError> {
        self.all().emit(event).await
    }

    /// Sends a server event that expects an answer to every socket, gathering the answers.
    pub async fn emit_with_ack<P: Serialize, R: DeserializeOwned + Validate>(
        &self,
        event: Outgoing<C, P, R>,
    ) -> Result<Vec<(Sid, Result<R, AckError>)>, EmitError> {
        self.all().emit_with_ack(event).await
    }

    /// Every socket in `rooms`.
    pub fn to(&self, rooms: impl IntoRooms) -> Broadcast<C> {
        self.all().to(rooms)
    }

    /// Same as [`to`](Self::to) (there is no calling socket to include or leave out).
    pub fn within(&self, rooms: impl IntoRooms) -> Broadcast<C> {
        self.all().within(rooms)
    }

    /// Every socket except those in `rooms`.
    pub fn except(&self, rooms: impl IntoRooms) -> Broadcast<C> {
        self.all().except(rooms)
    }

    /// Every socket on this node.
    pub fn local(&self) -> Broadcast<C> {
        self.all().local()
    }
}
