//! The breaking-change check on the chat: the contract as built now is compatible with
//! its checked-in description, and an incompatible next version is caught with a report
//! that says what breaks, per direction.

// The next version is a module of this test; its items are `pub` like the chat's own.
#![allow(unreachable_pub)]

use chat::contract::{
    ChatError, ChatMessage, FileError, FileMeta, FileRef, Joined, Login, RoomRef, Sent, UserTyping,
};
use eventwire_codegen::Generator;

const CHECKED_IN: &str = include_str!("../web/generated/chat.schema.json");

#[test]
fn the_current_contract_is_compatible_with_the_checked_in_description() {
    let report = Generator::new()
        .contract::<chat::contract::Chat>()
        .breaking_changes_since(CHECKED_IN)
        .expect("compares");
    assert!(report.is_compatible(), "{report}");
}

/// A next version of the chat with compatible changes (an optional field, a new event)
/// and breaking ones.
mod next {
    use super::*;
    use eventwire::{Contract, payload};

    /// Sending now says how the text is formatted, and allows less text.
    #[payload]
    pub struct SendMessage {
        pub room: String,
        #[validate(length(min = 1, max = 500))]
        pub text: String,
        pub format: String,
    }

    /// Joining may name the nickname to show (optional: compatible).
    #[payload]
    pub struct JoinRoom {
        pub room: String,
        #[serde(default)]
        pub nick: Option<String>,
    }

    /// A third kind of presence, which old pages do not know.
    #[payload]
    #[serde(rename_all = "camelCase")]
    pub enum PresenceKind {
        Joined,
        Left,
        Away,
    }

    #[payload]
    pub struct Presence {
        pub room: String,
        pub user: String,
        pub kind: PresenceKind,
    }

    #[derive(Contract)]
    #[contract(namespace = "/chat", auth = Login, ordered)]
    pub enum Chat {
        #[client(ack = Result<Joined, ChatError>)]
        Join(JoinRoom),
        #[client(ack = Result<Sent, ChatError>)]
        Send(SendMessage),
        #[client]
        Typing(RoomRef),
        /// New: compatible, old pages never send it.
        #[client(ack = u32)]
        Count(RoomRef),
        #[server]
        Message(ChatMessage),
        #[server]
        Presence(Presence),
        #[server(rename = "typing")]
        UserTyping(UserTyping),
        /// Uploads now take at most 1 MiB: old pages may send up to 16 MiB.
        #[upload(ack = Result<Sent, ChatError>, guard, max_size = 1048576)]
        UploadFile(FileMeta),
        /// Unchanged.
        #[download(error = FileError, guard)]
        DownloadFile(FileRef),
    }
}

#[test]
fn a_breaking_change_is_caught_with_a_readable_report() {
    let report = Generator::new()
        .contract::<next::Chat>()
        .breaking_changes_since(CHECKED_IN)
        .expect("compares");
    assert!(!report.is_compatible());
    let text = report.to_string();
    // The first line names both fingerprints; the rest lists the changes per direction.
    let (first, changes) = text.split_once('\n').expect("several lines");
    assert!(first.starts_with("Chat: BREAKING ("), "{text}");
    assert!(first.ends_with("), 6 change(s)"), "{text}");
    let expected = r#"  what an old client sends, which the new server must accept (client -> server):
    - /chat `leave` event: the new server no longer handles it; an old client may still send it and gets an `unknown_event` fault
    - /chat `send` payload: an old client may leave out `format`, which the new server requires
    - /chat `send` payload: an old client at `text` may send values beyond maxLength 500, which the new server requires (an old client has maxLength 2000)
    - /chat `shareFile` event: the new server no longer handles it; an old client may still send it and gets an `unknown_event` fault
    - /chat `uploadFile` upload size limit: the new server refuses files larger than 1048576 bytes with `transfer_limit`, and an old client may send files of up to 16777216 bytes
  what the new server sends, which an old client must understand (server -> client):
    - /chat `presence` payload: the new server at `kind` may send "away", which an old client does not know
"#;
    assert_eq!(changes, expected, "the report:\n{text}");
}
