//! A filter's SQL fragment and its in-memory matcher agree: random rows in a real SQLite
//! database, random filters, the rows `WHERE <fragment>` selects equal the rows
//! `matches` accepts. Strings mix ASCII letters of both cases with non-ASCII ones, whose
//! case `contains` deliberately does not fold (SQLite's `lower()` does not either).

#[path = "support/filter_cases.rs"]
mod cases;

use cases::{CONTAINS_CASES, Probe, Row, accepted, contains_case, numbered, probe, row};
use eventwire::Filter;
use eventwire::feed::{Placeholders, SqlValue};
use proptest::prelude::*;
use rusqlite::types::Value;

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
        let rows = numbered(rows);
        let db = database(&rows);
        for probe in &probes {
            prop_assert_eq!(selected(&db, probe), accepted(&rows, probe), "{:?}", probe);
        }
    }
}

#[test]
fn contains_folds_ascii_only_in_both() {
    for (index, (title, search, expected)) in CONTAINS_CASES.iter().enumerate() {
        let (row, probe) = contains_case(index, title, search);
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
