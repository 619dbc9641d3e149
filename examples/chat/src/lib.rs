//! eventwire's flagship example: a chat with rooms, history, presence and typing notices,
//! declared once as an eventwire contract ([`contract::Chat`]) and served by [`ChatApp`]
//! with its web page ([`web::router`]).

pub mod contract;
pub mod store;
pub mod web;

use std::collections::HashMap;
use std::sync::Mutex;

use eventwire::{BuildError, Cx, Server, ServerAdapter, Sid};

use crate::contract::*;
use crate::store::Store;

/// The whole app: the web page at `/`, Socket.IO at `/socket.io/` serving [`Chat`], on
/// one node (in-memory adapter).
pub fn router(chat: ChatApp) -> Result<axum::Router, BuildError> {
    router_on(Server::new(), chat)
}

/// The whole app on `server`, whatever its adapter (e.g. [`Server::redis`] for several
/// nodes): the handlers do not change.
pub fn router_on<A: ServerAdapter>(
    server: Server<A>,
    chat: ChatApp,
) -> Result<axum::Router, BuildError> {
    // `layer` carries the CORS headers of the allowed origins with socket.io.
    let (layer, _io) = server.contract::<Chat>(chat).layer()?;
    Ok(web::router().layer(layer))
}

/// The chat's handlers and state, shared by every socket.
pub struct ChatApp {
    capacity: u32,
    store: Store,
    /// Members of each room: user name per socket.
    rooms: Mutex<HashMap<String, HashMap<Sid, String>>>,
}

impl ChatApp {
    /// A chat whose rooms hold at most `capacity` members, keeping messages in `store`.
    pub fn new(capacity: u32, store: Store) -> Self {
        Self {
            capacity,
            store,
            rooms: Mutex::default(),
        }
    }

    fn rooms(&self) -> std::sync::MutexGuard<'_, HashMap<String, HashMap<Sid, String>>> {
        self.rooms.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn require_member(&self, cx: &Cx<Chat>, room: &str) -> Result<(), ChatError> {
        match self.rooms().get(room) {
            Some(members) if members.contains_key(&cx.id()) => Ok(()),
            _ => Err(ChatError::NotInRoom {
                room: room.to_owned(),
            }),
        }
    }

    /// Removes the socket from `room`; `true` if it was a member.
    fn remove_member(&self, cx: &Cx<Chat>, room: &str) -> bool {
        let mut rooms = self.rooms();
        let Some(members) = rooms.get_mut(room) else {
            return false;
        };
        let removed = members.remove(&cx.id()).is_some();
        if members.is_empty() {
            rooms.remove(room);
        }
        removed
    }

    async fn announce(&self, cx: &Cx<Chat>, room: String, kind: PresenceKind) {
        let presence = Presence {
            room: room.clone(),
            user: cx.identity().user,
            kind,
        };
        // A client that cannot keep up misses a presence notice; the room goes on.
        let _ = cx.to(room).emit(Chat::presence(presence)).await;
    }
}

/// Logs a store failure and turns it into the client-visible error.
fn unavailable(error: store::StoreError) -> ChatError {
    tracing::error!(%error, "the message store failed");
    ChatError::Unavailable
}

impl ChatHandlers for ChatApp {
    async fn join(&self, cx: &Cx<Chat>, req: RoomRef) -> Result<Joined, ChatError> {
        let members = {
            let mut rooms = self.rooms();
            let members = rooms.entry(req.room.clone()).or_default();
            if !members.contains_key(&cx.id()) && members.len() >= self.capacity as usize {
                return Err(ChatError::RoomFull {
                    room: req.room,
                    capacity: self.capacity,
                });
            }
            members.insert(cx.id(), cx.identity().user);
            let mut names: Vec<String> = members.values().cloned().collect();
            names.sort();
            names
        };
        cx.join(&req.room);
        let history = self
            .store
            .history(req.room.clone())
            .await
            .map_err(unavailable)?;
        self.announce(cx, req.room.clone(), PresenceKind::Joined)
            .await;
        Ok(Joined {
            room: req.room,
            members,
            history,
        })
    }

    async fn leave(&self, cx: &Cx<Chat>, req: RoomRef) -> Result<(), ChatError> {
        if !self.remove_member(cx, &req.room) {
            return Err(ChatError::NotInRoom { room: req.room });
        }
        cx.leave(&req.room);
        self.announce(cx, req.room, PresenceKind::Left).await;
        Ok(())
    }

    async fn send(&self, cx: &Cx<Chat>, req: SendMessage) -> Result<Sent, ChatError> {
        self.require_member(cx, &req.room)?;
        let sent_at = jiff::Timestamp::now()
            .round(jiff::Unit::Second)
            .unwrap_or_else(|_| jiff::Timestamp::now())
            .to_string();
        let message = self
            .store
            .append(req.room.clone(), cx.identity().user, req.text, sent_at)
            .await
            .map_err(unavailable)?;
        let receipt = Sent {
            id: message.id.clone(),
            sent_at: message.sent_at.clone(),
        };
        let _ = cx.within(req.room).emit(Chat::message(message)).await;
        Ok(receipt)
    }

    async fn typing(&self, cx: &Cx<Chat>, req: RoomRef) {
        // Typing has no answer to carry `notInRoom`: a notice for a room the socket is not
        // in is dropped.
        if self.require_member(cx, &req.room).is_ok() {
            let notice = UserTyping {
                room: req.room.clone(),
                user: cx.identity().user,
            };
            let _ = cx.to(req.room).emit(Chat::user_typing(notice)).await;
        }
    }

    async fn on_disconnect(&self, cx: &Cx<Chat>) {
        let rooms: Vec<String> = self
            .rooms()
            .iter()
            .filter(|(_, members)| members.contains_key(&cx.id()))
            .map(|(room, _)| room.clone())
            .collect();
        for room in rooms {
            if self.remove_member(cx, &room) {
                self.announce(cx, room, PresenceKind::Left).await;
            }
        }
    }
}
