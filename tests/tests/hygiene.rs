//! Generated code names its locals with a `__` prefix (serde's hygiene), so a user's types,
//! constants and fields named like them (`payload`, `cx`, `event`, `value`, ...) do not clash.
//!
//! Tuple and unit structs and constants live in the value namespace, where a generated
//! `let cx = ...` or parameter `cx` would refuse to shadow them (a tuple struct) or turn into
//! a pattern matching them (a constant): before the prefix, each line below broke the build.
#![allow(non_camel_case_types, non_upper_case_globals, dead_code)]

use eventwire::download::Download;
use eventwire::feed::Refused;
use eventwire::testing::TestServer;
use eventwire::{Bytes, Contract, Cx, Filter, Forbidden, Refusal, payload};
use serde_json::json;

/// A client event's payload named like the dispatch's local.
#[payload]
#[derive(Clone, Debug)]
pub struct payload(#[validate(length(min = 1))] pub String);

/// An ack named like the handlers' context.
#[payload]
pub struct cx(pub u32);

/// An error (and a server event's payload) named like the rate limit's parameter.
#[payload]
pub struct event(pub String);

/// An ack named like the handler's answer.
#[payload]
pub struct answer(pub u32);

/// Upload metadata named like the upload dispatch's local.
#[payload]
pub struct meta(pub String);

/// The handshake auth, named like `authenticate`'s local.
#[payload]
pub struct auth(pub String);

/// The identity, named like `describe_identity`'s parameter.
#[derive(Clone, Debug)]
pub struct identity(pub String);

/// A feed item whose fields are named like generated locals.
#[payload]
#[derive(Clone, Debug)]
pub struct Item {
    /// Its key.
    pub id: u32,
    /// A number.
    #[validate(range(max = 100))]
    pub value: u32,
    /// A text.
    #[validate(length(max = 10))]
    pub event: String,
}

/// A filter with every operator, its fields named like generated locals.
#[payload]
#[derive(Clone, Debug, Default, Filter)]
#[serde(deny_unknown_fields)]
#[filter(item = Item, custom = keep)]
pub struct ItemFilter {
    /// `value` equals.
    #[filter(eq)]
    pub value: Option<u32>,
    /// `value` differs.
    #[filter(ne, field = value)]
    pub item: Option<u32>,
    /// `value` at least.
    #[filter(gte, field = value)]
    pub clause: Option<u32>,
    /// `value` within.
    #[filter(between, field = value)]
    pub field: Option<(u32, u32)>,
    /// `value` one of.
    #[filter(in, field = value)]
    pub style: Option<Vec<u32>>,
    /// Text in `event`.
    #[filter(contains, field = event)]
    pub event: Option<String>,
}

fn keep(_: &ItemFilter, _: &Item) -> bool {
    true
}

// Constants named like the rest of the generated locals and parameters.
const handlers: u8 = 0;
const incoming: u8 = 0;
const reply: u8 = 0;
const fault: u8 = 0;
const denied: u8 = 0;
const describer: u8 = 0;
const request: u8 = 0;
const pending: u8 = 0;
const result: u8 = 0;
const feed: u8 = 0;
const other: u8 = 0;
const start: u8 = 0;
const upload: u8 = 0;
const admitted: u8 = 0;
const clause: u8 = 0;
const style: u8 = 0;
const first: u8 = 0;
const custom: u8 = 0;
const field: u8 = 0;
const value: u8 = 0;
const item: u8 = 0;
const file: u8 = 0;
const begun: u8 = 0;
const error: u8 = 0;

/// Every kind of event, with the types above.
#[derive(Contract)]
#[contract(namespace = "/hygiene", auth = auth, identity = identity)]
pub enum Hygiene {
    /// A guarded, rate-limited, size-limited event with a result ack.
    #[client(ack = Result<cx, event>, guard, rate = "5/s", max_bytes = 4096)]
    Send(payload),
    /// An event without payload.
    #[client(ack = answer)]
    Ping,
    /// A server event.
    #[server]
    Value(event),
    /// A feed with a check.
    #[feed(item = Item, key = id, filter = ItemFilter, check)]
    Items,
    /// An upload with a guard.
    #[upload(ack = answer, guard)]
    File(meta),
    /// A download with a guard and an error.
    #[download(error = event, guard)]
    Fetch(payload),
}

struct App;

impl HygieneHandlers for App {
    async fn authenticate(&self, given: auth) -> Result<identity, Refusal> {
        Ok(identity(given.0))
    }

    async fn send(&self, _: &Cx<Hygiene>, sent: payload) -> Result<cx, event> {
        match sent.0.as_str() {
            "fail" => Err(event("failed".into())),
            text => Ok(cx(text.len() as u32)),
        }
    }

    async fn allow_send(&self, _: &Cx<Hygiene>, _: &payload) -> Result<(), Forbidden> {
        Ok(())
    }

    async fn ping(&self, _: &Cx<Hygiene>) -> answer {
        answer(1)
    }

    async fn subscribe_items(
        &self,
        _: &Cx<Hygiene>,
        _: &mut ItemFilter,
    ) -> Result<Vec<Item>, Refused<eventwire::feed::NoError>> {
        Ok(Vec::new())
    }

    fn check_items(&self, _: &Cx<Hygiene>, _: &Item) -> bool {
        true
    }

    async fn file(&self, _: &Cx<Hygiene>, _: meta, _: eventwire::upload::Upload) -> answer {
        answer(0)
    }

    async fn allow_file(&self, _: &Cx<Hygiene>, _: &meta) -> Result<(), Forbidden> {
        Ok(())
    }

    async fn fetch(&self, _: &Cx<Hygiene>, asked: payload) -> Result<Download, event> {
        match asked.0.as_str() {
            "missing" => Err(event("missing".into())),
            _ => Ok(Download::from_bytes(Bytes::from_static(b"bytes"))),
        }
    }

    async fn allow_fetch(&self, _: &Cx<Hygiene>, _: &payload) -> Result<(), Forbidden> {
        Ok(())
    }
}

#[tokio::test]
async fn a_contract_of_types_named_like_generated_locals_serves() {
    let server = TestServer::<Hygiene, _>::new(App);
    let client = server
        .connect_with_auth(json!("ann"))
        .await
        .expect("accepted");
    assert_eq!(
        client.emit_with_ack("send", json!("four")).await,
        json!({ "ok": true, "data": 4 })
    );
    assert_eq!(
        client.emit_with_ack("send", json!("fail")).await,
        json!({ "ok": false, "error": "failed" })
    );
    let refused = client.emit_with_ack("send", json!("")).await;
    assert_eq!(refused["fault"]["code"], "invalid_payload", "{refused}");
    assert_eq!(
        client.emit_args_with_ack("ping", Vec::new()).await,
        json!({ "ok": true, "data": 1 })
    );
    let started = client
        .emit_with_ack("fetch", json!({ "request": "here" }))
        .await;
    assert_eq!(started["data"]["size"], 5, "{started}");
    assert_eq!(
        client
            .emit_with_ack("fetch", json!({ "request": "missing" }))
            .await,
        json!({ "ok": false, "error": "missing" })
    );
    let filter = ItemFilter {
        value: Some(3),
        field: Some((1, 5)),
        style: Some(vec![3]),
        event: Some("B".into()),
        ..ItemFilter::default()
    };
    let matching = Item {
        id: 1,
        value: 3,
        event: "abc".into(),
    };
    assert!(filter.matches(&matching));
    assert!(!filter.matches(&Item {
        value: 4,
        ..matching
    }));
}
