//! Errors keep their cause: emit, build and ack errors are typed and chain to the
//! socketioxide or serde error underneath, so a log line shows why.

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

#[tokio::test]
async fn a_payload_that_cannot_serialize_keeps_serdes_error_as_its_source() {
    let (_layer, io) = Server::new().contract::<Board>(()).build().unwrap();
    let board = Emitter::<Board>::new(&io).unwrap();
    let grid = Grid {
        cells: BTreeMap::from([((1, 2), 3)]),
    };

    let error = board.emit(Board::grid(grid)).await.unwrap_err();

    assert!(matches!(error, EmitError::Serialize(_)), "{error:?}");
    assert_eq!(error.to_string(), "the payload could not be serialized");
    let source = error.source().expect("the parser error").to_string();
    assert!(source.contains("key must be a string"), "{source}");
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
    assert!(error.source().is_some(), "{error:?}");
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
        "the client's answer is not of the declared type: at: expected a number; by: expected a string"
    );
}
