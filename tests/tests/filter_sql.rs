//! A filter's SQL fragment and its in-memory matcher agree: random rows in a real SQLite
//! database, random filters, the rows `WHERE <fragment>` selects equal the rows
//! `matches` accepts. Strings mix ASCII letters of both cases with non-ASCII ones, whose
//! case `contains` deliberately does not fold (SQLite's `lower()` does not either).

use eventwire::feed::{Placeholders, SqlValue};
use eventwire::{Filter, payload};
use proptest::prelude::*;
use rusqlite::types::Value;

#[payload]
#[derive(Debug, Clone, Copy, PartialEq)]
#[serde(rename_all = "lowercase")]
enum Status {
    Todo,
    Doing,
    Done,
}

#[payload]
#[derive(Debug, Clone)]
struct Row {
    id: u32,
    status: Status,
    owner: String,
    priority: i32,
    title: String,
}

/// Every operator once (eq twice, `in` on an enum, order operators on numbers and text).
#[payload]
#[derive(Debug, Clone, Filter)]
#[serde(deny_unknown_fields)]
#[filter(item = Row)]
struct Probe {
    #[filter(eq)]
    status: Option<Status>,
    #[filter(eq, field = owner, column = "owner_name")]
    owner: Option<String>,
    #[filter(ne, field = owner, column = "owner_name")]
    not_owner: Option<String>,
    #[filter(in, field = status)]
    statuses: Option<Vec<Status>>,
    #[filter(gt, field = priority)]
    above: Option<i32>,
    #[filter(gte, field = priority)]
    from: Option<i32>,
    #[filter(lt, field = priority)]
    below: Option<i32>,
    #[filter(lte, field = priority)]
    to: Option<i32>,
    #[filter(between, field = priority)]
    within: Option<(i32, i32)>,
    #[filter(gte, field = title)]
    title_from: Option<String>,
    #[filter(contains, field = title)]
    search: Option<String>,
}

fn status() -> impl Strategy<Value = Status> {
    prop_oneof![Just(Status::Todo), Just(Status::Doing), Just(Status::Done)]
}

/// Short strings over a small alphabet, so that filters hit: ASCII of both cases,
/// accented letters of both cases, `ß`, a space.
fn text() -> impl Strategy<Value = String> {
    "[abAB éÉß]{0,4}"
}

fn row() -> impl Strategy<Value = Row> {
    (status(), "[ab]{1,2}", -3..3i32, text()).prop_map(|(status, owner, priority, title)| Row {
        id: 0,
        status,
        owner,
        priority,
        title,
    })
}

fn probe() -> impl Strategy<Value = Probe> {
    (
        proptest::option::of(status()),
        proptest::option::of("[ab]{1,2}"),
        proptest::option::of("[ab]{1,2}"),
        proptest::option::of(proptest::collection::vec(status(), 0..3)),
        (
            proptest::option::of(-3..3i32),
            proptest::option::of(-3..3i32),
            proptest::option::of(-3..3i32),
            proptest::option::of(-3..3i32),
            proptest::option::of((-3..3i32, -3..3i32)),
        ),
        proptest::option::of(text()),
        proptest::option::of(text()),
    )
        .prop_map(
            |(
                status,
                owner,
                not_owner,
                statuses,
                (above, from, below, to, within),
                title_from,
                search,
            )| Probe {
                status,
                owner,
                not_owner,
                statuses,
                above,
                from,
                below,
                to,
                within,
                title_from,
                search,
            },
        )
}

fn bind(value: &SqlValue) -> Value {
    match value {
        SqlValue::Integer(i) => Value::Integer(*i),
        SqlValue::Real(r) => Value::Real(*r),
        SqlValue::Text(t) => Value::Text(t.clone()),
        SqlValue::Bool(b) => Value::Integer(i64::from(*b)),
    }
}

fn database(rows: &[Row]) -> rusqlite::Connection {
    let db = rusqlite::Connection::open_in_memory().expect("an in-memory database");
    db.execute_batch(
        "CREATE TABLE rows (id INTEGER PRIMARY KEY, status TEXT NOT NULL, owner_name TEXT NOT NULL, priority INTEGER NOT NULL, title TEXT NOT NULL)",
    )
    .expect("create the table");
    for row in rows {
        // The columns hold the wire form of each value, as the filter's values bind.
        db.execute(
            "INSERT INTO rows VALUES (?1, ?2, ?3, ?4, ?5)",
            rusqlite::params_from_iter([
                Value::Integer(i64::from(row.id)),
                bind(&SqlValue::of(&row.status)),
                Value::Text(row.owner.clone()),
                Value::Integer(i64::from(row.priority)),
                Value::Text(row.title.clone()),
            ]),
        )
        .expect("insert a row");
    }
    db
}

fn selected(db: &rusqlite::Connection, probe: &Probe) -> Vec<u32> {
    // Placeholders after one of our own: the fragment composes with the app's SQL.
    let clause = probe.to_sql_from(Placeholders::Sqlite, 2);
    let sql = format!(
        "SELECT id FROM rows WHERE id >= ?1 AND {} ORDER BY id",
        clause.clause
    );
    let mut params = vec![Value::Integer(0)];
    params.extend(clause.params.iter().map(bind));
    let mut statement = db.prepare(&sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    statement
        .query_map(rusqlite::params_from_iter(params), |row| row.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("ids")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn sqlite_selects_what_the_matcher_accepts(
        rows in proptest::collection::vec(row(), 0..12),
        probes in proptest::collection::vec(probe(), 1..8),
    ) {
        let rows: Vec<Row> = rows.into_iter().enumerate().map(|(i, row)| Row { id: i as u32, ..row }).collect();
        let db = database(&rows);
        for probe in &probes {
            let expected: Vec<u32> = rows.iter().filter(|row| probe.matches(row)).map(|row| row.id).collect();
            prop_assert_eq!(selected(&db, probe), expected, "{:?}", probe);
        }
    }
}

#[test]
fn contains_folds_ascii_only_in_both() {
    let rows = [
        ("Ship IT", "it", true),
        ("École", "éc", false),
        ("École", "Éc", true),
        ("straße", "STRASSE", false),
        ("anything", "", true),
    ];
    for (index, (title, search, expected)) in rows.iter().enumerate() {
        let row = Row {
            id: index as u32,
            status: Status::Todo,
            owner: "a".into(),
            priority: 0,
            title: (*title).into(),
        };
        let probe = Probe {
            status: None,
            owner: None,
            not_owner: None,
            statuses: None,
            above: None,
            from: None,
            below: None,
            to: None,
            within: None,
            title_from: None,
            search: Some((*search).into()),
        };
        assert_eq!(probe.matches(&row), *expected, "{title} / {search}");
        let db = database(std::slice::from_ref(&row));
        assert_eq!(
            !selected(&db, &probe).is_empty(),
            *expected,
            "SQLite: {title} / {search}"
        );
    }
}

#[test]
fn an_empty_filter_is_a_valid_true_condition_in_both_styles() {
    let probe: Probe = serde_json::from_str("{}").expect("all optional");
    assert_eq!(probe.to_sql(Placeholders::Sqlite).clause, "1 = 1");
    let postgres = Probe {
        statuses: Some(vec![]),
        search: Some("x".into()),
        ..probe
    }
    .to_sql(Placeholders::Postgres);
    assert_eq!(
        postgres.clause,
        "1 = 0 AND strpos(translate(\"title\", 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), translate($1, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')) > 0"
    );
    assert_eq!(postgres.params, [SqlValue::Text("x".into())]);
}
