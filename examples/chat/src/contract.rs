//! The chat contract: every event, payload and error of the `/chat` namespace.

use std::sync::LazyLock;

use eventwire::{Bytes, Contract, payload};

static ROOM_NAME: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new("^[a-z0-9-]+$").expect("valid regex"));

/// Who is connecting: the handshake auth.
#[payload]
#[derive(Clone, Debug)]
pub struct Login {
    /// The user's name, 1–24 characters.
    #[validate(length(min = 1, max = 24))]
    pub user: String,
}

/// A room, by name.
#[payload]
pub struct RoomRef {
    /// 1–32 characters of `a-z`, `0-9` and `-`.
    #[validate(length(min = 1, max = 32), regex(path = *ROOM_NAME))]
    pub room: String,
}

/// What a member learns on joining.
#[payload]
pub struct Joined {
    /// The room.
    pub room: String,
    /// Its members' names, sorted.
    pub members: Vec<String>,
    /// Its last 50 messages, oldest first.
    pub history: Vec<ChatMessage>,
    /// Its last 50 shared files (their metadata; the data went to who was there), oldest first.
    pub files: Vec<FileRecord>,
}

/// A message to post.
#[payload]
pub struct SendMessage {
    /// The room, which the sender must have joined.
    pub room: String,
    /// 1–2000 characters.
    #[validate(length(min = 1, max = 2000))]
    pub text: String,
}

/// The receipt of a posted message.
#[payload]
#[serde(rename_all = "camelCase")]
pub struct Sent {
    /// The message id.
    pub id: String,
    /// When the server stored it (RFC 3339).
    pub sent_at: String,
}

/// A message in a room.
#[payload]
#[derive(Clone, Debug)]
#[serde(rename_all = "camelCase")]
pub struct ChatMessage {
    /// Unique within the room.
    pub id: String,
    /// The room.
    pub room: String,
    /// Who wrote it.
    pub user: String,
    /// The text.
    pub text: String,
    /// When the server stored it (RFC 3339).
    pub sent_at: String,
}

/// The largest file a message carries: 1 MiB.
pub const MAX_FILE: usize = 1024 * 1024;

/// A file to share with a joined room, in one message.
#[payload]
pub struct ShareFile {
    /// The room, which the sender must have joined.
    pub room: String,
    /// The file's name, 1–255 characters.
    #[validate(length(min = 1, max = 255))]
    pub name: String,
    /// Its media type, as the browser reports it (`image/png`), 1–127 characters.
    #[validate(length(min = 1, max = 127))]
    pub mime: String,
    /// The content, at most 1 MiB.
    #[validate(length(max = 1048576))]
    pub data: Bytes,
}

/// The largest file an upload carries: 16 MiB.
pub const MAX_UPLOAD: u64 = 16 * 1024 * 1024;

/// A file larger than one message, shared as an upload: what it declares before its bytes.
#[payload]
pub struct FileMeta {
    /// The room, which the sender must have joined.
    pub room: String,
    /// The file's name, 1–255 characters.
    #[validate(length(min = 1, max = 255))]
    pub name: String,
    /// Its media type, 1–127 characters.
    #[validate(length(min = 1, max = 127))]
    pub mime: String,
}

/// A file someone shared, to the others in the room.
#[payload]
#[derive(Clone, Debug)]
pub struct FileShared {
    /// The room.
    pub room: String,
    /// Who shared it.
    pub user: String,
    /// The file's name.
    pub name: String,
    /// Its media type.
    pub mime: String,
    /// The content.
    pub data: Bytes,
    /// When the server received it (RFC 3339).
    pub at: String,
}

/// What the history keeps of a shared file: everything but the data.
#[payload]
#[derive(Clone, Debug, PartialEq)]
pub struct FileRecord {
    /// Unique within the room.
    pub id: String,
    /// The room.
    pub room: String,
    /// Who shared it.
    pub user: String,
    /// The file's name.
    pub name: String,
    /// Its media type.
    pub mime: String,
    /// Its size in bytes.
    pub size: u32,
    /// When the server received it (RFC 3339).
    pub at: String,
}

/// A shared file to download: one that went through an upload (its bytes are kept).
#[payload]
pub struct FileRef {
    /// The room it was shared in, which the downloader must have joined.
    pub room: String,
    /// The file's id, from the history.
    pub id: String,
}

/// Why a file cannot be downloaded.
#[payload]
#[derive(Clone, Debug)]
#[serde(tag = "code", rename_all = "camelCase")]
pub enum FileError {
    /// The server does not keep this file's bytes (one shared in a single message), or the
    /// room has no file with this id.
    Gone {
        /// The file asked for.
        id: String,
    },
    /// The message store failed; try again later.
    Unavailable,
}

/// Someone joined or left a room.
#[payload]
pub struct Presence {
    /// The room.
    pub room: String,
    /// Who.
    pub user: String,
    /// Joined or left.
    pub kind: PresenceKind,
}

/// Whether a member came or went.
#[payload]
#[serde(rename_all = "camelCase")]
pub enum PresenceKind {
    /// Came.
    Joined,
    /// Went.
    Left,
}

/// Someone is typing in a room.
#[payload]
pub struct UserTyping {
    /// The room.
    pub room: String,
    /// Who.
    pub user: String,
}

/// The chat's own errors.
#[payload]
#[serde(tag = "code", rename_all = "camelCase")]
pub enum ChatError {
    /// The room has not been joined by this socket.
    NotInRoom {
        /// The room.
        room: String,
    },
    /// The message store failed; try again later.
    Unavailable,
    /// The room has reached its capacity.
    RoomFull {
        /// The room.
        room: String,
        /// Its capacity.
        capacity: u32,
    },
}

/// A chat with rooms, history, presence and typing notices.
///
/// `ordered`: one user's events are handled in the order they were sent, so two quick
/// messages are stored and delivered in that order.
#[derive(Contract)]
#[contract(namespace = "/chat", auth = Login, ordered)]
pub enum Chat {
    /// Joins a room; the answer carries its members and recent history.
    #[client(ack = Result<Joined, ChatError>)]
    Join(RoomRef),
    /// Leaves a room.
    #[client(ack = Result<(), ChatError>)]
    Leave(RoomRef),
    /// Posts a message to a joined room.
    #[client(ack = Result<Sent, ChatError>)]
    Send(SendMessage),
    /// Tells the room you are typing.
    #[client]
    Typing(RoomRef),
    /// Shares a file of at most 1 MiB with a joined room. A larger one (up to the server's
    /// 2 MiB message limit) is refused with an `invalid_payload` fault, code `too_large`.
    #[client(ack = Result<Sent, ChatError>, max_bytes = 1052672)]
    ShareFile(ShareFile),
    /// Shares a larger file (up to 16 MiB) with a joined room as an upload: chunks with
    /// progress, resumed after a reconnect, checked by SHA-256. The others receive it as
    /// `fileShared`, like a small one.
    #[upload(ack = Result<Sent, ChatError>, guard, max_size = 16777216)]
    UploadFile(FileMeta),
    /// Downloads a file that went through an upload, as a stream of chunks with progress,
    /// resumed after a reconnect and checked by SHA-256: a member who joined later gets it
    /// from the history.
    #[download(error = FileError, guard)]
    DownloadFile(FileRef),
    /// A new message, to everyone in the room (sender included).
    #[server]
    Message(ChatMessage),
    /// A member joined or left, to the others in the room.
    #[server]
    Presence(Presence),
    /// A file a member shared, to the others in the room.
    #[server]
    FileShared(FileShared),
    /// A member is typing, to the others in the room.
    #[server(rename = "typing")]
    UserTyping(UserTyping),
}
