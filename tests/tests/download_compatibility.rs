//! One test per compatibility rule of downloads (`runtime/docs/compatibility.md`): the
//! start's request is what an old client sends, which the new server must accept; the app
//! error the start may be answered with is what the new server sends, which must fit the
//! old client's types.

// Each version of a contract is a module; its items are `pub` so that versions can share
// types, though nothing outside this test reaches them.
#![allow(unreachable_pub)]

use eventwire::compat::Shape;
use eventwire::describe::Direction::{ClientToServer, ServerToClient};
use eventwire_tests::compat::changes;
use eventwire_tests::version;

version!(base {
    #[payload] pub struct Wanted { pub name: String }
    #[payload] #[serde(tag = "code", rename_all = "snake_case")] pub enum Missing { Gone, Hidden }
    #[derive(Contract)] #[contract(namespace = "/api")]
    pub enum Api {
        #[download(error = Missing)] Photo(Wanted),
        #[download] Backup(Wanted),
    }
});

version!(download_added {
    pub use crate::base::{Missing, Wanted};
    #[derive(Contract)] #[contract(namespace = "/api")]
    pub enum Api {
        #[download(error = Missing)] Photo(Wanted),
        #[download] Backup(Wanted),
        #[download] Video(Wanted),
    }
});

version!(download_removed {
    pub use crate::base::{Missing, Wanted};
    #[derive(Contract)] #[contract(namespace = "/api")]
    pub enum Api {
        #[download(error = Missing)] Photo(Wanted),
    }
});

#[test]
fn adding_a_download_is_compatible_but_removing_one_breaks_old_clients() {
    assert_eq!(changes::<base::Api, download_added::Api>(), []);
    assert_eq!(
        changes::<base::Api, download_removed::Api>(),
        [(ClientToServer, "/api `backup` download: the new server no longer sends it; an old client may still start it and gets an `unknown_event` fault".to_owned())]
    );
}

version!(request_optional_field {
    pub use crate::base::Missing;
    #[payload] pub struct Wanted { pub name: String, #[serde(default)] pub version: Option<u32> }
    #[derive(Contract)] #[contract(namespace = "/api")]
    pub enum Api {
        #[download(error = Missing)] Photo(Wanted),
        #[download] Backup(crate::base::Wanted),
    }
});

version!(request_required_field {
    pub use crate::base::Missing;
    #[payload] pub struct Wanted { pub name: String, pub album: String }
    #[derive(Contract)] #[contract(namespace = "/api")]
    pub enum Api {
        #[download(error = Missing)] Photo(Wanted),
        #[download] Backup(crate::base::Wanted),
    }
});

#[test]
fn a_downloads_request_follows_the_client_to_server_rules() {
    assert_eq!(changes::<base::Api, request_optional_field::Api>(), []);
    assert_eq!(
        changes::<base::Api, request_required_field::Api>(),
        [(ClientToServer, "/api `photo` download request: an old client may leave out `album`, which the new server requires".to_owned())]
    );
}

version!(error_added {
    pub use crate::base::{Missing, Wanted};
    #[derive(Contract)] #[contract(namespace = "/api")]
    pub enum Api {
        #[download(error = Missing)] Photo(Wanted),
        #[download(error = Missing)] Backup(Wanted),
    }
});

version!(error_removed {
    pub use crate::base::Wanted;
    #[derive(Contract)] #[contract(namespace = "/api")]
    pub enum Api {
        #[download] Photo(Wanted),
        #[download] Backup(Wanted),
    }
});

#[test]
fn an_app_error_added_to_a_download_breaks_old_clients_but_removing_one_does_not() {
    assert_eq!(
        changes::<base::Api, error_added::Api>(),
        [(ServerToClient, "/api `backup` download app error: the new server may answer its start with an app error, which an old client does not expect".to_owned())]
    );
    assert_eq!(changes::<base::Api, error_removed::Api>(), []);
}

version!(error_widened {
    pub use crate::base::Wanted;
    #[payload] #[serde(tag = "code", rename_all = "snake_case")] pub enum Missing { Gone, Hidden, Expired }
    #[derive(Contract)] #[contract(namespace = "/api")]
    pub enum Api {
        #[download(error = Missing)] Photo(Wanted),
        #[download] Backup(Wanted),
    }
});

version!(error_narrowed {
    pub use crate::base::Wanted;
    #[payload] #[serde(tag = "code", rename_all = "snake_case")] pub enum Missing { Gone }
    #[derive(Contract)] #[contract(namespace = "/api")]
    pub enum Api {
        #[download(error = Missing)] Photo(Wanted),
        #[download] Backup(Wanted),
    }
});

#[test]
fn a_downloads_app_error_follows_the_server_to_client_rules() {
    // A new variant of the error is one an old client does not know; one fewer, it never
    // gets.
    let widened = changes::<base::Api, error_widened::Api>();
    assert!(
        !widened.is_empty(),
        "a new error variant breaks old clients"
    );
    for (sent_by, sentence) in &widened {
        assert_eq!(*sent_by, ServerToClient, "{sentence}");
        assert!(
            sentence.starts_with("/api `photo` download app error: "),
            "{sentence}"
        );
    }
    assert_eq!(changes::<base::Api, error_narrowed::Api>(), []);
}

#[test]
fn fingerprints_follow_every_download_change_but_not_its_docs_or_guard() {
    version!(documented {
        pub use crate::base::Missing;
        /// The request, under another Rust name.
        #[payload] pub struct PhotoRequest { /// Its name.
            pub name: String }
        #[derive(Contract)] #[contract(namespace = "/api")]
        pub enum Api {
            /// Downloads a photo, after the guard allowed it.
            #[download(error = Missing, guard)] Photo(PhotoRequest),
            #[download] Backup(PhotoRequest),
        }
    });
    let base = Shape::of::<base::Api>().fingerprint().to_owned();
    assert_eq!(Shape::of::<documented::Api>().fingerprint(), base);
    for other in [
        Shape::of::<download_added::Api>(),
        Shape::of::<download_removed::Api>(),
        Shape::of::<request_optional_field::Api>(),
        Shape::of::<error_added::Api>(),
        Shape::of::<error_removed::Api>(),
        Shape::of::<error_widened::Api>(),
    ] {
        assert_ne!(other.fingerprint(), base);
    }
}
