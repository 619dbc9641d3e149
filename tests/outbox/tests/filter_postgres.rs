//! A filter's SQL fragment in PostgreSQL's placeholder style (`$1`, `$2`, ...) executed on
//! a real PostgreSQL: the same random rows and filters as the SQLite check
//! (`tests/tests/filter_sql.rs`), and for each filter the rows `WHERE <fragment>` selects
//! equal the rows `matches` accepts. The text column is declared `COLLATE "C"`, the
//! byte order the order operators assume.

#[path = "../../tests/support/filter_cases.rs"]
mod cases;

use cases::{CONTAINS_CASES, Probe, Row, accepted, contains_case, numbered, probe, row};
use eventwire::Filter;
use eventwire::feed::{Placeholders, SqlValue};
use eventwire_outbox_tests::postgres::TestDatabase;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use tokio_postgres::Client;
use tokio_postgres::types::ToSql;

/// A parameter as PostgreSQL binds it: `BIGINT`, `DOUBLE PRECISION`, `TEXT`, `BOOLEAN`.
fn bind(value: &SqlValue) -> Box<dyn ToSql + Sync + Send> {
    match value {
        SqlValue::Integer(i) => Box::new(*i),
        SqlValue::Real(r) => Box::new(*r),
        SqlValue::Text(t) => Box::new(t.clone()),
        SqlValue::Bool(b) => Box::new(*b),
    }
}

async fn create_table(client: &Client) {
    client
        .batch_execute(
            "CREATE TABLE rows (id BIGINT PRIMARY KEY, status TEXT NOT NULL, owner_name TEXT NOT NULL, priority BIGINT NOT NULL, title TEXT COLLATE \"C\" NOT NULL)",
        )
        .await
        .expect("create the table");
}

/// Replaces the table's rows with `rows`.
async fn fill(client: &Client, rows: &[Row]) {
    client
        .batch_execute("TRUNCATE rows")
        .await
        .expect("empty the table");
    for row in rows {
        // The columns hold the wire form of each value, as the filter's values bind.
        let SqlValue::Text(status) = SqlValue::of(&row.status) else {
            panic!("a unit variant binds as text");
        };
        client
            .execute(
                "INSERT INTO rows VALUES ($1, $2, $3, $4, $5)",
                &[
                    &i64::from(row.id),
                    &status,
                    &row.owner,
                    &i64::from(row.priority),
                    &row.title,
                ],
            )
            .await
            .expect("insert a row");
    }
}

async fn selected(client: &Client, probe: &Probe) -> Vec<u32> {
    // Placeholders after one of our own: the fragment composes with the app's SQL.
    let clause = probe.to_sql_from(Placeholders::Postgres, 2);
    let sql = format!(
        "SELECT id FROM rows WHERE id >= $1 AND {} ORDER BY id",
        clause.clause
    );
    let mut params: Vec<Box<dyn ToSql + Sync + Send>> = vec![Box::new(0i64)];
    params.extend(clause.params.iter().map(bind));
    let refs: Vec<&(dyn ToSql + Sync)> = params
        .iter()
        .map(|p| p.as_ref() as &(dyn ToSql + Sync))
        .collect();
    client
        .query(&sql, &refs)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .iter()
        .map(|row| u32::try_from(row.get::<_, i64>(0)).expect("a row id"))
        .collect()
}

#[test]
fn postgres_selects_what_the_matcher_accepts() {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let Some(database) = runtime.block_on(TestDatabase::create("filter_sql")) else {
        return;
    };
    let client = runtime.block_on(async {
        let client = database.client().await;
        create_table(&client).await;
        client
    });
    let mut runner = TestRunner::new(Config::with_cases(300));
    let strategy = (
        proptest::collection::vec(row(), 0..12),
        proptest::collection::vec(probe(), 1..8),
    );
    let outcome = runner.run(&strategy, |(rows, probes)| {
        let rows = numbered(rows);
        runtime.block_on(async {
            fill(&client, &rows).await;
            for probe in &probes {
                let got = selected(&client, probe).await;
                let expected = accepted(&rows, probe);
                if got != expected {
                    return Err(TestCaseError::fail(format!(
                        "{probe:?}: PostgreSQL selected {got:?}, the matcher accepts {expected:?}\nrows: {rows:?}\nSQL: {}",
                        probe.to_sql(Placeholders::Postgres).clause
                    )));
                }
            }
            Ok(())
        })
    });
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
}

#[test]
fn contains_folds_ascii_only_in_both() {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let Some(database) = runtime.block_on(TestDatabase::create("filter_contains")) else {
        return;
    };
    runtime.block_on(async {
        let client = database.client().await;
        create_table(&client).await;
        for (index, (title, search, expected)) in CONTAINS_CASES.iter().enumerate() {
            let (row, probe) = contains_case(index, title, search);
            assert_eq!(probe.matches(&row), *expected, "{title} / {search}");
            fill(&client, std::slice::from_ref(&row)).await;
            assert_eq!(
                !selected(&client, &probe).await.is_empty(),
                *expected,
                "PostgreSQL: {title} / {search}"
            );
        }
    });
}
