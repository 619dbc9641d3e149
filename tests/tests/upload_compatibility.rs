//! One test per compatibility rule of uploads (`runtime/docs/compatibility.md`): the start
//! (its metadata, the size of the files) is what an old client sends, which the new server
//! must accept; the answer to the finish (the upload's answer and app error) is what the
//! new server sends, which must fit the old client's types.

// Each version of a contract is a module; its items are `pub` so that versions can share
// types, though nothing outside this test reaches them.
#![allow(unreachable_pub)]

use eventwire::compat::Shape;
use eventwire::describe::Direction::{ClientToServer, ServerToClient};
use eventwire_tests::compat::changes;
use eventwire_tests::version;

version!(base {
    #[payload] pub struct Meta { pub name: String }
    #[payload] pub struct Saved { pub name: String, pub size: u32 }
    #[payload] #[serde(tag = "code", rename_all = "snake_case")] pub enum Refused { TooBig }
    #[derive(Contract)] #[contract(namespace = "/api")]
    pub enum Api {
        #[upload(ack = Result<Saved, Refused>, max_size = 1_000_000)] Photo(Meta),
        #[upload] Backup(Meta),
    }
});

version!(upload_added {
    pub use crate::base::{Meta, Refused, Saved};
    #[derive(Contract)] #[contract(namespace = "/api")]
    pub enum Api {
        #[upload(ack = Result<Saved, Refused>, max_size = 1_000_000)] Photo(Meta),
        #[upload] Backup(Meta),
        #[upload(ack = Saved)] Video(Meta),
    }
});

version!(upload_removed {
    pub use crate::base::{Meta, Refused, Saved};
    #[derive(Contract)] #[contract(namespace = "/api")]
    pub enum Api {
        #[upload(ack = Result<Saved, Refused>, max_size = 1_000_000)] Photo(Meta),
    }
});

#[test]
fn adding_an_upload_is_compatible_but_removing_one_breaks_old_clients() {
    assert_eq!(changes::<base::Api, upload_added::Api>(), []);
    assert_eq!(
        changes::<base::Api, upload_removed::Api>(),
        [(ClientToServer, "/api `backup` upload: the new server no longer receives it; an old client may still start it and gets an `unknown_event` fault".to_owned())]
    );
}

version!(meta_optional_field {
    pub use crate::base::{Refused, Saved};
    #[payload] pub struct Meta { pub name: String, #[serde(default)] pub note: Option<String> }
    #[derive(Contract)] #[contract(namespace = "/api")]
    pub enum Api {
        #[upload(ack = Result<Saved, Refused>, max_size = 1_000_000)] Photo(Meta),
        #[upload] Backup(crate::base::Meta),
    }
});

version!(meta_required_field {
    pub use crate::base::{Refused, Saved};
    #[payload] pub struct Meta { pub name: String, pub album: String }
    #[derive(Contract)] #[contract(namespace = "/api")]
    pub enum Api {
        #[upload(ack = Result<Saved, Refused>, max_size = 1_000_000)] Photo(Meta),
        #[upload] Backup(crate::base::Meta),
    }
});

#[test]
fn an_uploads_metadata_follows_the_client_to_server_rules() {
    assert_eq!(changes::<base::Api, meta_optional_field::Api>(), []);
    assert_eq!(
        changes::<base::Api, meta_required_field::Api>(),
        [(ClientToServer, "/api `photo` upload metadata: an old client may leave out `album`, which the new server requires".to_owned())]
    );
}

version!(size_lowered {
    pub use crate::base::{Meta, Refused, Saved};
    #[derive(Contract)] #[contract(namespace = "/api")]
    pub enum Api {
        #[upload(ack = Result<Saved, Refused>, max_size = 1000)] Photo(Meta),
        #[upload(max_size = 5000)] Backup(Meta),
    }
});

version!(size_raised {
    pub use crate::base::{Meta, Refused, Saved};
    #[derive(Contract)] #[contract(namespace = "/api")]
    pub enum Api {
        #[upload(ack = Result<Saved, Refused>)] Photo(Meta),
        #[upload] Backup(Meta),
    }
});

#[test]
fn lowering_an_uploads_size_limit_breaks_old_clients_but_raising_it_does_not() {
    // A limit lowered, or one set where there was none: an old client may send a file the
    // new server refuses before its first byte. (Uploads are compared in name order.)
    assert_eq!(
        changes::<base::Api, size_lowered::Api>(),
        [
            (ClientToServer, "/api `backup` upload size limit: the new server refuses files larger than 5000 bytes with `transfer_limit`, and an old client may send files of up to any size".to_owned()),
            (ClientToServer, "/api `photo` upload size limit: the new server refuses files larger than 1000 bytes with `transfer_limit`, and an old client may send files of up to 1000000 bytes".to_owned()),
        ]
    );
    // Raised (here: removed): every file an old client sends is still taken.
    assert_eq!(changes::<base::Api, size_raised::Api>(), []);
    assert_eq!(changes::<size_lowered::Api, base::Api>(), []);
}

version!(answer_widened {
    pub use crate::base::{Meta, Refused};
    #[payload] pub struct Saved { pub name: String, pub size: u32, pub url: String }
    #[derive(Contract)] #[contract(namespace = "/api")]
    pub enum Api {
        #[upload(ack = Result<Saved, Refused>, max_size = 1_000_000)] Photo(Meta),
        #[upload] Backup(Meta),
    }
});

version!(answer_narrowed {
    pub use crate::base::{Meta, Refused};
    #[payload] pub struct Saved { pub name: String }
    #[derive(Contract)] #[contract(namespace = "/api")]
    pub enum Api {
        #[upload(ack = Result<Saved, Refused>, max_size = 1_000_000)] Photo(Meta),
        #[upload] Backup(Meta),
    }
});

#[test]
fn an_uploads_answer_follows_the_server_to_client_rules() {
    // A field added to the answer is ignored by old clients; one removed, they require.
    assert_eq!(changes::<base::Api, answer_widened::Api>(), []);
    assert_eq!(
        changes::<base::Api, answer_narrowed::Api>(),
        [(ServerToClient, "/api `photo` upload answer: the new server may leave out `size`, which an old client requires".to_owned())]
    );
}

version!(answers_swapped {
    pub use crate::base::{Meta, Refused, Saved};
    #[derive(Contract)] #[contract(namespace = "/api")]
    pub enum Api {
        #[upload(max_size = 1_000_000)] Photo(Meta),
        #[upload(ack = Saved)] Backup(Meta),
    }
});

#[test]
fn an_answer_added_to_or_removed_from_an_upload_breaks_old_clients() {
    // An upload without ack answers `null`, which an old client of `photo` does not take
    // for its `Saved`; and an old client of `backup` expects `null`, not a `Saved`.
    let broken = changes::<base::Api, answers_swapped::Api>();
    assert!(
        broken
            .iter()
            .any(|(_, s)| s.starts_with("/api `photo` upload answer: ")),
        "{broken:?}"
    );
    assert!(
        broken
            .iter()
            .any(|(_, s)| s.starts_with("/api `backup` upload answer: ")),
        "{broken:?}"
    );
    for (sent_by, sentence) in &broken {
        assert_eq!(*sent_by, ServerToClient, "{sentence}");
        assert!(sentence.contains(" upload answer: "), "{sentence}");
    }
}

version!(error_added {
    pub use crate::base::{Meta, Refused, Saved};
    #[derive(Contract)] #[contract(namespace = "/api")]
    pub enum Api {
        #[upload(ack = Result<Saved, Refused>, max_size = 1_000_000)] Photo(Meta),
        #[upload(ack = Result<(), Refused>)] Backup(Meta),
    }
});

#[test]
fn an_app_error_added_to_an_upload_breaks_old_clients() {
    assert_eq!(
        changes::<base::Api, error_added::Api>(),
        [(ServerToClient, "/api `backup` upload app error: the new server may answer its finish with an app error, which an old client does not expect".to_owned())]
    );
}

#[test]
fn fingerprints_follow_every_upload_change_but_not_its_docs_or_guard() {
    version!(documented {
        pub use crate::base::{Refused, Saved};
        /// The metadata, under another Rust name.
        #[payload] pub struct PhotoMeta { /// Its name.
            pub name: String }
        #[derive(Contract)] #[contract(namespace = "/api")]
        pub enum Api {
            /// Uploads a photo, after the guard allowed it.
            #[upload(ack = Result<Saved, Refused>, max_size = 1_000_000, guard)] Photo(PhotoMeta),
            #[upload] Backup(PhotoMeta),
        }
    });
    let base = Shape::of::<base::Api>().fingerprint().to_owned();
    assert_eq!(Shape::of::<documented::Api>().fingerprint(), base);
    for other in [
        Shape::of::<upload_added::Api>(),
        Shape::of::<upload_removed::Api>(),
        Shape::of::<meta_optional_field::Api>(),
        Shape::of::<size_lowered::Api>(),
        Shape::of::<size_raised::Api>(),
        Shape::of::<answer_widened::Api>(),
        Shape::of::<answers_swapped::Api>(),
        Shape::of::<error_added::Api>(),
    ] {
        assert_ne!(other.fingerprint(), base);
    }
}
