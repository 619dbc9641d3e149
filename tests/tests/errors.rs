//! Errors keep their cause: emit, build and ack errors are typed and chain to the
//! socketioxide or serde error underneath, so a log line shows why, and they stay
//! `Send + Sync` so they travel in `anyhow` or `Box<dyn Error + Send + Sync>`.

use std::collections::BTreeMap;
use std::error::Error as _;

use eventwire::{AckError, BuildError, Contract, EmitError, Emitter, Issue, Server, payload};

/// Map keys that are not strings: serde_json refuses to serialize them.
#[payload]
pub struct Grid {
    cells: BTreeMap<(u8, u8), u32>,
}

/// A contract whose one event cannot be serialized.
#[derive(Contract)]
#[contract(namespace = "/grid")]
pub enum Board {
    /// The grid.
    #[server]
    Grid(Grid),
}

impl BoardHandlers for () {}

/// A second contract claiming the same namespace.
#[derive(Contract)]
#[contract(namespace = "/grid")]
pub enum Other {
    /// The grid.
    #[server]
    Grid(Grid),
}

impl OtherHandlers for () {}

fn grid() -> Grid {
    Grid {
        cells: BTreeMap::from([((1, 2), 3)]),
    }
}

#[test]
fn the_errors_can_cross_threads() {
    fn send_sync<T: Send + Sync + 'static>() {}
    send_sync::<EmitError>();
    send_sync::<AckError>();
    send_sync::<BuildError>();
}

#[tokio::test]
async fn a_payload_that_cannot_serialize_keeps_serdes_error_as_its_source() {
    let (_layer, io) = Server::new().contract::<Board>(()).build().unwrap();
    let board = Emitter::<Board>::new(&io).unwrap();

    let error = board.emit(Board::grid(grid())).await.unwrap_err();

    assert!(matches!(error, EmitError::Serialize(_)), "{error:?}");
    let source = error.source().expect("the parser error").to_string();
    assert!(source.contains("key must be a string"), "{source}");
    assert_eq!(
        error.to_string(),
        format!("the payload could not be serialized: {source}")
    );
}

#[tokio::test]
async fn an_emitter_used_before_its_server_is_built_says_so_through_the_adapter_error() {
    let server = Server::new().contract::<Board>(());
    let board = server.emitter::<Board>();

    let error = board.emit(Board::grid(grid())).await.unwrap_err();

    let EmitError::Adapter(failure) = &error else {
        panic!("expected an adapter error, got {error:?}");
    };
    let reason = failure.to_string();
    assert!(reason.contains("not built"), "{reason}");
    assert_eq!(error.to_string(), format!("the adapter failed: {reason}"));
    assert_eq!(error.source().map(|s| s.to_string()), Some(reason));
}

#[test]
fn two_contracts_on_one_namespace_name_both() {
    let error = Server::new()
        .contract::<Board>(())
        .contract::<Other>(())
        .build()
        .err()
        .expect("the second mount fails");

    match &error {
        BuildError::NamespaceTaken { contract, path } => {
            assert_eq!((*contract, path.as_str()), ("Other", "/grid"));
        }
        other => panic!("expected NamespaceTaken, got {other:?}"),
    }
    assert_eq!(
        error.to_string(),
        "cannot mount contract `Other` at `/grid`: another contract is already mounted there"
    );
}

#[test]
fn a_malformed_dynamic_path_keeps_the_routers_reason_as_its_source() {
    let error = Server::new()
        .contract_at::<Board>("/{tenant/grid", ())
        .build()
        .err()
        .expect("the path is malformed");

    assert!(
        matches!(
            error,
            BuildError::DynamicPath {
                contract: "Board",
                ..
            }
        ),
        "{error:?}"
    );
    let source = error.source().expect("the router's reason").to_string();
    assert!(error.to_string().ends_with(&source), "{error}");
}

#[test]
fn an_unreadable_earlier_description_names_which_and_keeps_the_json_error() {
    let error = Server::new()
        .contract::<Board>(())
        .accept_earlier("{ not json")
        .build()
        .err()
        .expect("the earlier description does not parse");

    assert!(
        matches!(
            error,
            BuildError::EarlierDescription {
                contract: "Board",
                index: 0,
                ..
            }
        ),
        "{error:?}"
    );
    let source = error.source().expect("the reading error");
    assert!(
        source.to_string().starts_with("not a JSON document"),
        "{source}"
    );
    assert!(source.source().is_some(), "serde_json's error is kept too");
}

#[test]
fn an_invalid_reply_lists_every_issue() {
    let issue = |path: &str, message: &str| Issue {
        path: vec![path.into()],
        code: "type".into(),
        message: message.into(),
    };
    let error = AckError::InvalidReply {
        issues: vec![
            issue("at", "expected a number"),
            issue("by", "expected a string"),
        ],
    };

    assert_eq!(
        error.to_string(),
        "the client's answer is invalid: at: expected a number; by: expected a string"
    );
}
