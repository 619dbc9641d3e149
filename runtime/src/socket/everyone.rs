//! [`Cx::everyone`](crate::Cx::everyone): the whole namespace, the calling socket included.
//!
//! socketioxide has no such target from a socket: `socket.within([])` reaches only the
//! socket itself, and `socket.broadcast()` everyone but it (its adapter's `apply_opts`
//! excludes the sender whenever the broadcast flag is set), and the namespace-wide
//! operators live on the `SocketIo` handle, which a socket does not expose. So "everyone"
//! is the broadcast to the others plus the caller, whose rooms are known on this node.

use std::sync::Arc;
use std::time::Duration;

use erased_serde::Serialize as ErasedSerialize;
use futures_util::future::BoxFuture;
use futures_util::{FutureExt, StreamExt};
use socketioxide::socket::Sid;
use socketioxide::{AdapterError, BroadcastError, EmitWithAckError, SendError};

use crate::socket::ops::{OperatorOps, Replies, Room, SocketOps};

pub(crate) struct Everyone {
    me: Arc<dyn SocketOps>,
    others: Box<dyn OperatorOps>,
    /// Rooms added with `to`/`within`: the caller is included only if it is in one.
    rooms: Vec<Room>,
    /// Rooms left out with `except`.
    except: Vec<Room>,
    timeout: Option<Duration>,
}

impl Everyone {
    pub(crate) fn new(me: Arc<dyn SocketOps>) -> Self {
        let others = me.broadcast();
        Self {
            me,
            others,
            rooms: Vec::new(),
            except: Vec::new(),
            timeout: None,
        }
    }

    /// Whether the caller is among the targets.
    fn includes_me(&self) -> bool {
        let mine = self.me.rooms();
        (self.rooms.is_empty() || self.rooms.iter().any(|r| mine.contains(r)))
            && !self.except.iter().any(|r| mine.contains(r))
    }
}

fn send_error(error: SendError) -> BroadcastError {
    match error {
        SendError::Socket(error) => BroadcastError::Socket(vec![error]),
        SendError::Serialize(error) => BroadcastError::Serialize(error),
    }
}

impl OperatorOps for Everyone {
    fn clone_box(&self) -> Box<dyn OperatorOps> {
        Box::new(Self {
            me: self.me.clone(),
            others: self.others.clone_box(),
            rooms: self.rooms.clone(),
            except: self.except.clone(),
            timeout: self.timeout,
        })
    }
    fn to(mut self: Box<Self>, rooms: Vec<Room>) -> Box<dyn OperatorOps> {
        self.rooms.extend(rooms.iter().cloned());
        self.others = self.others.to(rooms);
        self
    }
    fn within(self: Box<Self>, rooms: Vec<Room>) -> Box<dyn OperatorOps> {
        self.to(rooms)
    }
    fn except(mut self: Box<Self>, rooms: Vec<Room>) -> Box<dyn OperatorOps> {
        self.except.extend(rooms.iter().cloned());
        self.others = self.others.except(rooms);
        self
    }
    fn local(mut self: Box<Self>) -> Box<dyn OperatorOps> {
        // The caller is on this node.
        self.others = self.others.local();
        self
    }
    fn timeout(mut self: Box<Self>, timeout: Duration) -> Box<dyn OperatorOps> {
        self.timeout = Some(timeout);
        self.others = self.others.timeout(timeout);
        self
    }
    fn emit<'a>(
        self: Box<Self>,
        event: &'a str,
        data: &'a dyn ErasedSerialize,
    ) -> BoxFuture<'a, Result<(), BroadcastError>> {
        let mine = match self.includes_me() {
            true => self.me.emit(event, data).map_err(send_error),
            false => Ok(()),
        };
        // Started here: the future holds `data` only inside its own `Send` box.
        let others = self.others.emit(event, data);
        async move {
            let others = others.await;
            match (mine, others) {
                (Ok(()), others) => others,
                (Err(mine), Ok(())) => Err(mine),
                (Err(BroadcastError::Socket(mut mine)), Err(BroadcastError::Socket(others))) => {
                    mine.extend(others);
                    Err(BroadcastError::Socket(mine))
                }
                (Err(_), Err(others)) => Err(others),
            }
        }
        .boxed()
    }
    fn emit_with_ack<'a>(
        self: Box<Self>,
        event: &'a str,
        data: &'a dyn ErasedSerialize,
    ) -> BoxFuture<'a, Result<Replies, EmitWithAckError>> {
        let id = self.me.id();
        let mine = match self.includes_me() {
            true => match self.me.emit_with_ack(event, data, self.timeout) {
                Ok(reply) => Some(Ok(reply)),
                Err(SendError::Serialize(error)) => {
                    return async move { Err(EmitWithAckError::Encode(error)) }.boxed();
                }
                // A closed or full caller answers with that error, like any target would.
                Err(SendError::Socket(error)) => Some(Err(error)),
            },
            false => None,
        };
        let others = self.others.emit_with_ack(event, data);
        async move {
            let others = others.await?;
            let Some(mine) = mine else {
                return Ok(others);
            };
            let mine = async move {
                let answer = match mine {
                    Ok(reply) => reply.await,
                    Err(error) => Err(socketioxide::AckError::Socket(error)),
                };
                (id, answer)
            };
            Ok(futures_util::stream::select(mine.into_stream(), others).boxed())
        }
        .boxed()
    }
    fn join(self: Box<Self>, rooms: Vec<Room>) -> BoxFuture<'static, Result<(), AdapterError>> {
        if self.includes_me() {
            self.me.join(rooms.clone());
        }
        self.others.join(rooms)
    }
    fn leave(self: Box<Self>, rooms: Vec<Room>) -> BoxFuture<'static, Result<(), AdapterError>> {
        if self.includes_me() {
            self.me.leave(rooms.clone());
        }
        self.others.leave(rooms)
    }
    fn disconnect(self: Box<Self>) -> BoxFuture<'static, Result<(), BroadcastError>> {
        let me = self.includes_me().then(|| self.me.clone());
        let others = self.others.disconnect();
        async move {
            let result = others.await;
            // The caller last: its own handler may be the one asking.
            if let Some(me) = me {
                me.disconnect();
            }
            result
        }
        .boxed()
    }
    fn socket_ids(self: Box<Self>) -> BoxFuture<'static, Result<Vec<Sid>, AdapterError>> {
        let me = self.includes_me().then(|| self.me.id());
        let others = self.others.socket_ids();
        async move {
            let mut ids = others.await?;
            ids.extend(me);
            Ok(ids)
        }
        .boxed()
    }
}
