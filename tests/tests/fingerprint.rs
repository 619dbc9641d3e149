//! End-to-end: the contract fingerprint in the handshake (`fingerprint.mjs`). A server
//! serving version 2 of a contract accepts clients of version 2, of a compatible version
//! 1 it was given, and clients without fingerprint; it refuses an incompatible version 0
//! with `contract_mismatch`, and the generated client exposes the code and fingerprints.

// Each version of a contract is a module; its items are `pub` so that versions can share
// types, though nothing outside this test reaches them.
#![allow(unreachable_pub)]

use eventwire::compat::Shape;
use eventwire::{Cx, Refusal, Server};

/// The handshake auth, denying unknown fields: the fingerprint must not reach it.
mod auth {
    use eventwire::payload;

    #[payload]
    #[derive(Clone)]
    #[serde(deny_unknown_fields)]
    pub struct Key {
        pub key: String,
    }
}

/// The version served.
mod v2 {
    use eventwire::{Contract, payload};

    #[payload]
    pub struct NewNote {
        pub text: String,
        /// Added in version 2, optional: compatible.
        #[serde(default)]
        pub tag: Option<String>,
    }

    #[payload]
    pub struct Note {
        pub id: u32,
        pub text: String,
    }

    #[derive(Contract)]
    #[contract(namespace = "/notes", auth = super::auth::Key)]
    pub enum Notes {
        #[client(ack = Note)]
        Add(NewNote),
        /// Added in version 2: compatible.
        #[client(ack = u32)]
        Count,
        #[server]
        Added(Note),
    }
}

/// The previous version: compatible with version 2.
mod v1 {
    use eventwire::{Contract, payload};

    #[payload]
    pub struct NewNote {
        pub text: String,
    }

    #[payload]
    pub struct Note {
        pub id: u32,
        pub text: String,
    }

    #[derive(Contract)]
    #[contract(namespace = "/notes", auth = super::auth::Key)]
    pub enum Notes {
        #[client(ack = Note)]
        Add(NewNote),
        #[server]
        Added(Note),
    }
}

/// An older version: its `add` sent a title, which version 2 does not read.
mod v0 {
    use eventwire::{Contract, payload};

    #[payload]
    pub struct NewNote {
        pub title: String,
    }

    #[payload]
    pub struct Note {
        pub id: u32,
        pub text: String,
    }

    #[derive(Contract)]
    #[contract(namespace = "/notes", auth = super::auth::Key)]
    pub enum Notes {
        #[client(ack = Note)]
        Add(NewNote),
        #[server]
        Added(Note),
    }
}

struct NotesApp;

impl v2::NotesHandlers for NotesApp {
    async fn authenticate(&self, auth: auth::Key) -> Result<auth::Key, Refusal> {
        if auth.key == "open-sesame" {
            Ok(auth)
        } else {
            Err(Refusal::new("wrong key"))
        }
    }

    async fn add(&self, _: &Cx<v2::Notes>, note: v2::NewNote) -> v2::Note {
        v2::Note {
            id: 1,
            text: note.text,
        }
    }

    async fn count(&self, _: &Cx<v2::Notes>) -> u32 {
        1
    }
}

/// The `<stem>.schema.json` an earlier version's generator wrote.
fn released<C: eventwire::Contract>() -> String {
    eventwire_codegen::Generator::new()
        .contract::<C>()
        .files("notes")
        .expect("generates")
        .into_iter()
        .find(|f| f.name == "notes.schema.json")
        .expect("a schema document")
        .contents
}

#[tokio::test]
async fn fingerprints_in_the_handshake() {
    let server = Server::new()
        .contract::<v2::Notes>(NotesApp)
        // The generated lab client connects to `/lab`: served by another contract here.
        .contract_at::<v2::Notes>("/lab", NotesApp)
        // Its generated client, given auth as a function, still sends its fingerprint.
        .contract::<eventwire_tests::Secure>(eventwire_tests::SecureApp::default())
        .accept_earlier(released::<v1::Notes>())
        .accept_earlier(released::<v0::Notes>());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind an ephemeral port");
    let url = format!("http://{}", listener.local_addr().expect("bound"));
    tokio::spawn(async move { server.serve_on(listener).await.expect("serve") });

    let fingerprints = [
        Shape::of::<v2::Notes>(),
        Shape::of::<v1::Notes>(),
        Shape::of::<v0::Notes>(),
    ]
    .map(|shape| shape.fingerprint().to_owned());
    let [current, compatible, incompatible] = &fingerprints;
    assert!(current != compatible && compatible != incompatible);
    // Version 0 is refused because it is incompatible, not merely unknown.
    assert!(
        eventwire::compat::breaking_changes(&Shape::of::<v0::Notes>(), &Shape::of::<v2::Notes>())
            .len()
            == 1
    );
    assert!(
        eventwire::compat::breaking_changes(&Shape::of::<v1::Notes>(), &Shape::of::<v2::Notes>())
            .is_empty()
    );
    let script = std::path::Path::new("fingerprint.mjs");
    eventwire_tests::run_node_with(script, &[&url, current, compatible, incompatible]).await;
}

#[test]
fn an_earlier_description_that_does_not_parse_fails_the_build() {
    let built = Server::new()
        .contract::<v2::Notes>(NotesApp)
        .accept_earlier("{ not json")
        .build();
    let error = built.err().expect("refused").to_string();
    assert!(
        error.starts_with(
            "cannot mount contract `Notes` at `/notes`: earlier description #0: not a JSON document"
        ),
        "{error}"
    );
}
