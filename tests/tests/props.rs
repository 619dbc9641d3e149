//! Props, in process through the real dispatch: a scoped value read as a one-item feed,
//! written with compare-and-set, its rules and the app's refusals answered with types.

use std::sync::Arc;

use eventwire::feed::Refused;
use eventwire::prop::{Prop, Scope, Shared, Write, WriteError};
use eventwire::testing::{TestClient, TestServer};
use eventwire::{Contract, Cx, Refusal, payload};
use serde_json::{Value, json};

/// Who connects: a member of a team.
#[payload]
pub struct Login {
    /// The team, which is the prop's scope.
    #[validate(length(min = 1, max = 16))]
    pub team: String,
}

/// A team's limits.
#[payload]
#[derive(Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Limits {
    /// Shown above the board.
    #[validate(length(min = 1, max = 40))]
    pub title: String,
    /// How many tasks may be open at once.
    #[validate(range(min = 1, max = 50))]
    pub max_open: u8,
}

/// Why the app refused a write.
#[payload]
#[derive(Debug)]
#[serde(tag = "code", rename_all = "camelCase")]
pub enum TeamError {
    /// Readers only.
    ReadOnly,
}

/// A team's shared settings.
#[derive(Contract)]
#[contract(namespace = "/team", auth = Login, identity = String)]
pub enum Team {
    /// The team's limits, one value per team.
    #[prop(value = Limits, error = TeamError)]
    Limits,
}

struct App {
    limits: std::sync::OnceLock<Prop<Limits>>,
}

impl App {
    fn limits(&self) -> &Prop<Limits> {
        self.limits.get().expect("set before the first client")
    }
}

impl TeamHandlers for App {
    async fn authenticate(&self, login: Login) -> Result<String, Refusal> {
        Ok(login.team)
    }

    async fn subscribe_limits(
        &self,
        cx: &Cx<Team>,
        filter: &mut Scope<Limits>,
    ) -> Result<Vec<Shared<Limits>>, Refused<TeamError>> {
        Ok(self.limits().subscribe(&cx.identity(), filter))
    }

    async fn write_limits(
        &self,
        cx: &Cx<Team>,
        write: Write<Limits>,
    ) -> Result<Shared<Limits>, WriteError<Limits, TeamError>> {
        let team = cx.identity();
        if team == "guests" {
            return Err(WriteError::refused(TeamError::ReadOnly));
        }
        self.limits().write(&team, write)
    }
}

fn server() -> TestServer<Team, App> {
    let server = TestServer::new(App {
        limits: std::sync::OnceLock::new(),
    });
    let prop = server.feeds().prop(Team::limits(), |team| Limits {
        title: format!("{team}'s board"),
        max_open: 5,
    });
    assert!(server.handlers().limits.set(prop).is_ok());
    server
}

async fn member(server: &TestServer<Team, App>, team: &str) -> TestClient<Team, App> {
    server
        .connect_with_auth(json!({ "team": team }))
        .await
        .expect("accepted")
}

async fn subscribe(client: &TestClient<Team, App>) -> Value {
    client
        .emit_with_ack(
            "eventwire:subscribe",
            json!({ "feed": "limits", "filter": {} }),
        )
        .await
}

fn changes(client: &TestClient<Team, App>) -> Vec<Value> {
    client
        .received()
        .into_iter()
        .filter(|(event, _)| event == "eventwire:change")
        .map(|(_, change)| change["item"].clone())
        .collect()
}

#[tokio::test]
async fn a_reader_gets_its_scope_and_every_write_to_it() {
    let server = server();
    let (ada, bob, eve) = (
        member(&server, "acme").await,
        member(&server, "acme").await,
        member(&server, "initech").await,
    );
    let snapshot = subscribe(&ada).await;
    assert_eq!(snapshot["ok"], true, "{snapshot}");
    assert_eq!(
        snapshot["data"]["items"],
        json!([{ "scope": "acme", "version": 0, "value": { "title": "acme's board", "maxOpen": 5 } }])
    );
    assert_eq!(subscribe(&eve).await["ok"], true);

    let written = bob
        .emit_with_ack(
            "writeLimits",
            json!({ "version": 0, "value": { "title": "Sprint 12", "maxOpen": 3 } }),
        )
        .await;
    assert_eq!(
        written,
        json!({ "ok": true, "data": { "scope": "acme", "version": 1, "value": { "title": "Sprint 12", "maxOpen": 3 } } })
    );
    assert_eq!(changes(&ada), [written["data"].clone()]);
    assert!(
        changes(&eve).is_empty(),
        "another team's reader saw the write"
    );
}

#[tokio::test]
async fn a_stale_write_gets_the_current_value_and_changes_nothing() {
    let server = server();
    let (ada, bob) = (member(&server, "acme").await, member(&server, "acme").await);
    subscribe(&ada).await;
    let first = json!({ "version": 0, "value": { "title": "Ada's", "maxOpen": 4 } });
    let second = json!({ "version": 0, "value": { "title": "Bob's", "maxOpen": 9 } });
    assert_eq!(ada.emit_with_ack("writeLimits", first).await["ok"], true);
    let stale = bob.emit_with_ack("writeLimits", second).await;
    assert_eq!(
        stale,
        json!({ "ok": false, "error": { "code": "conflict", "current": {
            "scope": "acme", "version": 1, "value": { "title": "Ada's", "maxOpen": 4 } } } })
    );
    assert_eq!(changes(&ada).len(), 1, "a refused write was published");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_many_writes_from_one_version_exactly_one_applies() {
    let server = Arc::new(server());
    let mut writers = Vec::new();
    for n in 0..32u8 {
        let server = server.clone();
        writers.push(tokio::spawn(async move {
            let client = member(&server, "acme").await;
            let write = json!({ "version": 0, "value": { "title": format!("writer {n}"), "maxOpen": n % 50 + 1 } });
            client.emit_with_ack("writeLimits", write).await
        }));
    }
    let mut applied = 0;
    for writer in writers {
        let answer = writer.await.expect("no panic");
        match answer["ok"].as_bool() {
            Some(true) => applied += 1,
            _ => assert_eq!(answer["error"]["code"], "conflict", "{answer}"),
        }
    }
    assert_eq!(applied, 1);
    let prop = server.handlers().limits();
    assert_eq!(prop.get("acme").version, 1);
}

#[tokio::test]
async fn a_write_breaking_the_rules_or_naming_a_scope_is_an_invalid_payload() {
    let server = server();
    let ada = member(&server, "acme").await;
    let too_many = ada
        .emit_with_ack(
            "writeLimits",
            json!({ "version": 0, "value": { "title": "ok", "maxOpen": 51 } }),
        )
        .await;
    assert_eq!(too_many["fault"]["code"], "invalid_payload", "{too_many}");
    assert_eq!(
        too_many["fault"]["issues"][0]["path"],
        json!(["value", "maxOpen"])
    );
    let with_scope = ada
        .emit_with_ack(
            "writeLimits",
            json!({ "version": 0, "scope": "initech", "value": { "title": "ok", "maxOpen": 2 } }),
        )
        .await;
    assert_eq!(
        with_scope["fault"]["code"], "invalid_payload",
        "{with_scope}"
    );
    let scoped_filter = ada
        .emit_with_ack(
            "eventwire:subscribe",
            json!({ "feed": "limits", "filter": { "scope": "initech" } }),
        )
        .await;
    assert_eq!(
        scoped_filter["fault"]["code"], "invalid_payload",
        "{scoped_filter}"
    );
    assert_eq!(server.handlers().limits().get("initech").version, 0);
    assert_eq!(server.handlers().limits().get("acme").version, 0);
}

#[tokio::test]
async fn the_app_refuses_a_write_with_its_typed_error() {
    let server = server();
    let guest = member(&server, "guests").await;
    let refused = guest
        .emit_with_ack(
            "writeLimits",
            json!({ "version": 0, "value": { "title": "mine", "maxOpen": 2 } }),
        )
        .await;
    assert_eq!(
        refused,
        json!({ "ok": false, "error": { "code": "refused", "error": { "code": "readOnly" } } })
    );
}

#[tokio::test]
async fn a_check_sees_the_current_value_under_the_version_lock() {
    let server = server();
    let prop = server.handlers().limits();
    let lower = Write {
        version: 0,
        value: Limits {
            title: "smaller".into(),
            max_open: 2,
        },
    };
    let refused = prop.write_checked("acme", lower, |current, next| {
        if next.max_open < current.value.max_open {
            Err("limits only grow")
        } else {
            Ok(())
        }
    });
    assert!(matches!(
        refused,
        Err(WriteError::Refused {
            error: "limits only grow"
        })
    ));
    let set = prop.set(
        "acme",
        Limits {
            title: "by an admin".into(),
            max_open: 9,
        },
    );
    assert_eq!((set.version, prop.get("acme").value.max_open), (1, 9));
}

#[tokio::test]
async fn reading_a_scope_keeps_nothing_and_forgetting_one_tells_its_readers() {
    let server = server();
    let prop = server.handlers().limits();
    // Scopes come from the handshake here: reading a hundred of them stores nothing.
    for n in 0..100 {
        let reader = member(&server, &format!("team{n}")).await;
        assert_eq!(subscribe(&reader).await["ok"], true);
    }
    assert_eq!(prop.written(), 0);

    let ada = member(&server, "acme").await;
    subscribe(&ada).await;
    let write = json!({ "version": 0, "value": { "title": "Ours", "maxOpen": 3 } });
    assert_eq!(ada.emit_with_ack("writeLimits", write).await["ok"], true);
    assert_eq!(prop.written(), 1);
    changes(&ada);

    prop.forget("acme");
    assert_eq!(prop.written(), 0);
    assert_eq!(
        changes(&ada),
        [
            json!({ "scope": "acme", "version": 0, "value": { "title": "acme's board", "maxOpen": 5 } })
        ]
    );
}
