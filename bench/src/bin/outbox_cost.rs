//! The cost of the transactional outbox per committed transaction, on SQLite and
//! PostgreSQL: the same small transaction (one INSERT into an app table) committed with and
//! without its outbox row, interleaved in rounds so drift hits both alike; prints the
//! medians side by side.
//!
//! ```sh
//! cargo run --release -p eventwire-bench --bin outbox-cost -- --transactions 2000
//! ```
//!
//! SQLite runs on a file in the temporary folder, in WAL mode with `synchronous = NORMAL`
//! (the usual setting for an app database) and then `FULL`; PostgreSQL on a fresh database
//! at 127.0.0.1:5432 (skipped when it does not answer), with `synchronous_commit` on (the
//! default) and off. With a flush to disk at every commit, the flush dominates; the runs
//! without it show the outbox's own cost (one more statement, its JSON).

use std::time::{Duration, Instant};

use eventwire::outbox::{NewMessage, postgres, sqlite};

const ROUNDS: usize = 10;

fn message(n: usize) -> NewMessage {
    NewMessage::new(
        "Board",
        "taskMoved",
        Some(serde_json::json!({ "id": n, "column": "doing", "by": "someone@example.com" })),
    )
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn p99(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[(samples.len() * 99 / 100).min(samples.len() - 1)]
}

fn report(name: &str, without: Vec<Duration>, with: Vec<Duration>) {
    let (m0, m1) = (median(without.clone()), median(with.clone()));
    println!(
        "| {name} | {:.1} µs | {:.1} µs | {:+.1} µs ({:.2}×) | {:.1} / {:.1} µs |",
        m0.as_secs_f64() * 1e6,
        m1.as_secs_f64() * 1e6,
        (m1.as_secs_f64() - m0.as_secs_f64()) * 1e6,
        m1.as_secs_f64() / m0.as_secs_f64(),
        p99(without).as_secs_f64() * 1e6,
        p99(with).as_secs_f64() * 1e6,
    );
}

fn sqlite_case(transactions: usize, synchronous: &str) {
    let path =
        std::env::temp_dir().join(format!("eventwire-outbox-cost-{}.db", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let mut db = rusqlite::Connection::open(&path).expect("open");
    db.pragma_update(None, "journal_mode", "wal").expect("wal");
    db.pragma_update(None, "synchronous", synchronous)
        .expect("synchronous");
    db.execute_batch(
        "CREATE TABLE tasks (id INTEGER PRIMARY KEY, title TEXT NOT NULL, done INTEGER NOT NULL)",
    )
    .expect("the app's table");
    sqlite::create_table(&db).expect("the outbox");
    let (mut without, mut with) = (Vec::new(), Vec::new());
    let per_round = transactions / ROUNDS;
    let mut n = 0;
    for _ in 0..ROUNDS {
        for outbox in [false, true] {
            for _ in 0..per_round {
                n += 1;
                let started = Instant::now();
                let tx = db.transaction().expect("begin");
                tx.execute(
                    "INSERT INTO tasks (title, done) VALUES (?1, 0)",
                    [format!("task {n}")],
                )
                .expect("insert");
                if outbox {
                    sqlite::record(&tx, &message(n)).expect("record");
                }
                tx.commit().expect("commit");
                let took = started.elapsed();
                if outbox {
                    with.push(took)
                } else {
                    without.push(took)
                }
            }
        }
        // The relay keeps the outbox short; measure against a short one too.
        db.execute("DELETE FROM eventwire_outbox", [])
            .expect("drain");
    }
    report(
        &format!("SQLite (WAL, synchronous={synchronous})"),
        without,
        with,
    );
    drop(db);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

async fn postgres_case(transactions: usize, synchronous_commit: &str) {
    let admin = match connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres").await {
        Ok(admin) => admin,
        Err(error) => {
            println!("| PostgreSQL | skipped: {error} | | | |");
            return;
        }
    };
    let name = format!("eventwire_outbox_cost_{}", std::process::id());
    // One statement each: PostgreSQL runs a multi-statement batch in one transaction, which
    // CREATE DATABASE refuses.
    for statement in [
        format!("DROP DATABASE IF EXISTS {name}"),
        format!("CREATE DATABASE {name}"),
    ] {
        admin
            .batch_execute(&statement)
            .await
            .expect("create the database");
    }
    {
        let mut client = connect(&format!(
            "host=127.0.0.1 port=5432 user=postgres dbname={name}"
        ))
        .await
        .expect("connect");
        client
            .batch_execute("CREATE TABLE tasks (id BIGSERIAL PRIMARY KEY, title TEXT NOT NULL, done BOOLEAN NOT NULL)")
            .await
            .expect("the app's table");
        postgres::create_table(&client).await.expect("the outbox");
        client
            .batch_execute(&format!("SET synchronous_commit = {synchronous_commit}"))
            .await
            .expect("synchronous_commit");
        let (mut without, mut with) = (Vec::new(), Vec::new());
        let per_round = transactions / ROUNDS;
        let mut n = 0;
        for _ in 0..ROUNDS {
            for outbox in [false, true] {
                for _ in 0..per_round {
                    n += 1;
                    let started = Instant::now();
                    let tx = client.transaction().await.expect("begin");
                    tx.execute(
                        "INSERT INTO tasks (title, done) VALUES ($1, false)",
                        &[&format!("task {n}")],
                    )
                    .await
                    .expect("insert");
                    if outbox {
                        postgres::record(&tx, &message(n)).await.expect("record");
                    }
                    tx.commit().await.expect("commit");
                    let took = started.elapsed();
                    if outbox {
                        with.push(took)
                    } else {
                        without.push(took)
                    }
                }
            }
            client
                .execute("DELETE FROM eventwire_outbox", &[])
                .await
                .expect("drain");
        }
        report(
            &format!("PostgreSQL 15 (local TCP, synchronous_commit={synchronous_commit})"),
            without,
            with,
        );
    }
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await
        .expect("drop");
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut transactions = 2000;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--transactions" => {
                transactions = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .expect("--transactions N");
            }
            other => panic!("unknown argument {other}; usage: outbox-cost [--transactions N]"),
        }
    }
    let transactions = transactions.max(ROUNDS);
    println!(
        "{transactions} transactions per column, in {ROUNDS} interleaved rounds; per-transaction latency (BEGIN … COMMIT)"
    );
    println!();
    println!(
        "| database | median without outbox | median with outbox | outbox cost | p99 without / with |"
    );
    println!("|---|---:|---:|---:|---:|");
    sqlite_case(transactions, "NORMAL");
    sqlite_case(transactions, "FULL");
    postgres_case(transactions, "on").await;
    postgres_case(transactions, "off").await;
}

/// Connects and spawns the connection's task.
async fn connect(config: &str) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
    let (client, connection) = tokio_postgres::connect(config, tokio_postgres::NoTls).await?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(client)
}
