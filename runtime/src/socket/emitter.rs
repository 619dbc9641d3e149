//! [`Emitter`]: typed emits from anywhere (a background task, an HTTP handler), given the
//! socket.io handle.

use std::marker::PhantomData;

use serde::Serialize;
use serde::de::DeserializeOwned;
use socketioxide::SocketIo;
use socketioxide::adapter::Adapter;
use socketioxide::socket::Sid;

use crate::contract::Contract;
use crate::socket::emit::{AckError, Broadcast, EmitError, IntoRooms, NoReply, Outgoing};
use crate::socket::ops::OperatorOps;

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
    _contract: PhantomData<fn() -> C>,
}

impl<C> Clone for Emitter<C> {
    fn clone(&self) -> Self {
        Self {
            ops: self.ops.clone_box(),
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
            _contract: PhantomData,
        })
    }

    /// An emitter over operators that may not exist yet (see [`Server::emitter`](crate::Server::emitter)).
    pub(crate) fn from_ops(ops: Box<dyn OperatorOps>) -> Self {
        Self {
            ops,
            _contract: PhantomData,
        }
    }

    fn all(&self) -> Broadcast<C> {
        Broadcast::new(self.ops.clone_box())
    }

    /// Sends a server event to every socket of the namespace (on every node).
    pub async fn emit<P: Serialize>(
        &self,
        event: Outgoing<C, P, NoReply>,
    ) -> Result<(), EmitError> {
        self.all().emit(event).await
    }

    /// Sends a server event that expects an answer to every socket, gathering the answers.
    pub async fn emit_with_ack<P: Serialize, R: DeserializeOwned>(
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
