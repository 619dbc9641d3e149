//! eventwire's flagship example: a chat with rooms, history, presence and typing notices,
//! declared once as an eventwire contract ([`contract::Chat`]) and served by [`ChatApp`]
//! with its web page ([`web::router`]).

pub mod audit;
pub mod contract;
pub mod members;
pub mod store;
pub mod web;

use std::sync::Arc;

use eventwire::bytes::BytesMut;
use eventwire::download::Download;
use eventwire::upload::Upload;
use eventwire::{BuildError, Bytes, Cx, Forbidden, Server, ServerAdapter};
use futures_util::StreamExt;

use crate::contract::*;
use crate::members::{Full, Members, Unavailable};
use crate::store::Store;

/// The whole app: the web page at `/`, Socket.IO at `/socket.io/` serving [`Chat`], on
/// one node (in-memory adapter).
pub fn router(chat: ChatApp) -> Result<axum::Router, BuildError> {
    router_on(Server::new(), chat)
}

/// The whole app on `server`, whatever its adapter (e.g. [`Server::redis`] for several
/// nodes): the handlers do not change. With members shared through Redis
/// ([`Members::redis`]), this node also starts its heartbeat and watches for dead nodes.
pub fn router_on<A: ServerAdapter>(
    server: Server<A>,
    chat: ChatApp,
) -> Result<axum::Router, BuildError> {
    // Room for a shared file of 1 MiB and more: a file of 1–2 MiB gets a `too_large`
    // fault (`ShareFile`'s `max_bytes`) instead of a closed connection.
    let server = server.max_message_size(MAX_MESSAGE);
    let members = chat.members.clone();
    // `layer` carries the CORS headers of the allowed origins with socket.io; every chat
    // event goes through the audit log.
    let (layer, io) = server
        .contract::<Chat>(chat)
        .middleware::<Chat>(audit::Audit)
        .layer()?;
    members.watch_nodes(io);
    Ok(web::router().layer(layer))
}

/// The largest message a client may send: 2 MiB.
pub const MAX_MESSAGE: usize = 2 * 1024 * 1024;

/// The chat's handlers and state, shared by every socket.
pub struct ChatApp {
    capacity: u32,
    store: Store,
    /// Who is in which room.
    members: Arc<Members>,
}

impl ChatApp {
    /// Records a file in the history and sends it to the room's other members.
    async fn share(
        &self,
        cx: &Cx<Chat>,
        room: String,
        name: String,
        mime: String,
        data: Bytes,
    ) -> Result<Sent, ChatError> {
        let at = now();
        let record = self
            .store
            .append_file(FileRecord {
                id: String::new(),
                room: room.clone(),
                user: cx.identity().user,
                name: name.clone(),
                mime: mime.clone(),
                // At most 16 MiB: the upload's limit.
                size: u32::try_from(data.len()).unwrap_or(u32::MAX),
                at: at.clone(),
            })
            .await
            .map_err(unavailable)?;
        let shared = FileShared {
            room: room.clone(),
            user: record.user,
            name,
            mime,
            data,
            at: at.clone(),
        };
        let _ = cx.to(room).emit(Chat::file_shared(shared)).await;
        Ok(Sent {
            id: record.id,
            sent_at: at,
        })
    }

    /// A chat on one node whose rooms hold at most `capacity` members, keeping messages in
    /// `store`.
    pub fn new(capacity: u32, store: Store) -> Self {
        Self::with_members(capacity, store, Members::local())
    }

    /// A chat whose rooms and their members are `members` (e.g. [`Members::redis`], shared
    /// by every node).
    pub fn with_members(capacity: u32, store: Store, members: Members) -> Self {
        Self {
            capacity,
            store,
            members: Arc::new(members),
        }
    }

    fn require_member(&self, cx: &Cx<Chat>, room: &str) -> Result<(), ChatError> {
        if self.members.contains(room, cx.id()) {
            Ok(())
        } else {
            Err(ChatError::NotInRoom {
                room: room.to_owned(),
            })
        }
    }

    /// Removes the socket from `room`; `true` if it was a member.
    async fn remove_member(&self, cx: &Cx<Chat>, room: &str) -> Result<bool, ChatError> {
        self.members
            .leave(room, cx.id())
            .await
            .map_err(shared_state_failed)
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

/// Now, to the second (RFC 3339).
fn now() -> String {
    jiff::Timestamp::now()
        .round(jiff::Unit::Second)
        .unwrap_or_else(|_| jiff::Timestamp::now())
        .to_string()
}

/// Logs a failure of the shared room state and turns it into the client-visible error.
fn shared_state_failed(Unavailable(error): Unavailable) -> ChatError {
    tracing::error!(%error, "the shared room state (redis) failed");
    ChatError::Unavailable
}

/// Logs a store failure and turns it into the client-visible error.
fn unavailable(error: store::StoreError) -> ChatError {
    tracing::error!(%error, "the message store failed");
    ChatError::Unavailable
}

impl ChatHandlers for ChatApp {
    async fn join(&self, cx: &Cx<Chat>, req: RoomRef) -> Result<Joined, ChatError> {
        let joined = self
            .members
            .join(&req.room, cx.id(), &cx.identity().user, self.capacity)
            .await
            .map_err(shared_state_failed)?;
        let members = match joined {
            Ok(members) => members,
            Err(Full) => {
                return Err(ChatError::RoomFull {
                    room: req.room,
                    capacity: self.capacity,
                });
            }
        };
        cx.join(&req.room);
        let history = self
            .store
            .history(req.room.clone())
            .await
            .map_err(unavailable)?;
        let files = self
            .store
            .files(req.room.clone())
            .await
            .map_err(unavailable)?;
        self.announce(cx, req.room.clone(), PresenceKind::Joined)
            .await;
        Ok(Joined {
            room: req.room,
            members,
            history,
            files,
        })
    }

    async fn leave(&self, cx: &Cx<Chat>, req: RoomRef) -> Result<(), ChatError> {
        if !self.remove_member(cx, &req.room).await? {
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

    async fn share_file(&self, cx: &Cx<Chat>, req: ShareFile) -> Result<Sent, ChatError> {
        self.require_member(cx, &req.room)?;
        self.share(cx, req.room, req.name, req.mime, req.data).await
    }

    async fn allow_upload_file(&self, cx: &Cx<Chat>, meta: &FileMeta) -> Result<(), Forbidden> {
        self.require_member(cx, &meta.room).map_err(|_| {
            Forbidden::new(format!("join `{}` before sharing a file there", meta.room))
        })
    }

    async fn upload_file(
        &self,
        cx: &Cx<Chat>,
        meta: FileMeta,
        mut upload: Upload,
    ) -> Result<Sent, ChatError> {
        // At most 16 MiB: the upload's `max_size`, checked before the first byte.
        let mut data = BytesMut::with_capacity(upload.size() as usize);
        while let Some(chunk) = upload.next().await {
            // Cancelled, abandoned or corrupted: nothing is shared.
            let Ok(chunk) = chunk else {
                return Err(ChatError::Unavailable);
            };
            data.extend_from_slice(&chunk);
        }
        // The sender may have left the room meanwhile.
        self.require_member(cx, &meta.room)?;
        let data = data.freeze();
        let sent = self
            .share(cx, meta.room, meta.name, meta.mime, data.clone())
            .await?;
        // Kept for those who join later: they download it from the history.
        self.store
            .keep_file_data(sent.id.clone(), data)
            .await
            .map_err(unavailable)?;
        Ok(sent)
    }

    async fn allow_download_file(&self, cx: &Cx<Chat>, req: &FileRef) -> Result<(), Forbidden> {
        self.require_member(cx, &req.room).map_err(|_| {
            Forbidden::new(format!("join `{}` before downloading its files", req.room))
        })
    }

    async fn download_file(&self, _: &Cx<Chat>, req: FileRef) -> Result<Download, FileError> {
        match self.store.file_data(req.room, req.id.clone()).await {
            Ok(Some((file, data))) => {
                Ok(Download::from_bytes(data).name(file.name).mime(file.mime))
            }
            Ok(None) => Err(FileError::Gone { id: req.id }),
            Err(error) => {
                tracing::error!(%error, "the message store failed");
                Err(FileError::Unavailable)
            }
        }
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
        for room in self.members.rooms_of(cx.id()) {
            // The socket is gone either way: announce it. If Redis failed (logged), it
            // stays listed there, taking a place, until this node stops.
            if self.remove_member(cx, &room).await.unwrap_or(true) {
                self.announce(cx, room, PresenceKind::Left).await;
            }
        }
    }
}
