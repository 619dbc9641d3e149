//! A process that commits a change with its outbox message and dies before publishing it:
//! it prints `committed <id>` and waits, and the test kills it there.
//!
//! `outbox_crash sqlite <path>` or `outbox_crash postgres <connection string>`.

use std::io::Write;

use eventwire::outbox::{NewMessage, postgres, sqlite};

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (kind, target) = match args.as_slice() {
        [_, kind, target] => (kind.as_str(), target.as_str()),
        _ => panic!("usage: outbox_crash sqlite|postgres <database>"),
    };
    let message = NewMessage::new(
        "crash",
        "committed",
        Some(serde_json::json!({ "by": "child" })),
    );
    let id = match kind {
        "sqlite" => {
            let mut db = rusqlite::Connection::open(target).expect("open the database");
            sqlite::create_table(&db).expect("create the outbox");
            let tx = db.transaction().expect("begin");
            tx.execute("INSERT INTO notes (text) VALUES ('from the child')", [])
                .expect("the app's change");
            let id = sqlite::record(&tx, &message).expect("record");
            tx.commit().expect("commit");
            id
        }
        "postgres" => {
            let mut client = eventwire_outbox_tests::postgres::connect(target)
                .await
                .expect("connect");
            postgres::create_table(&client)
                .await
                .expect("create the outbox");
            let tx = client.transaction().await.expect("begin");
            tx.execute("INSERT INTO notes (text) VALUES ('from the child')", &[])
                .await
                .expect("the app's change");
            let id = postgres::record(&tx, &message).await.expect("record");
            tx.commit().await.expect("commit");
            id
        }
        other => panic!("unknown database kind {other}"),
    };
    // Committed, not published: the parent kills this process now.
    println!("committed {id}");
    std::io::stdout().flush().expect("flush");
    std::future::pending::<()>().await;
}
