//! A throwaway PostgreSQL database per test, on the server at 127.0.0.1:5432.

use tokio_postgres::{Client, NoTls};

/// The server's address; the test databases are created and dropped on it.
const SERVER: &str = "host=127.0.0.1 port=5432 user=postgres";

/// A database that exists for one test; dropped (connections and all) when this is.
pub struct TestDatabase {
    name: String,
}

impl TestDatabase {
    /// Creates a fresh database, or returns `None` (after a loud message) when no
    /// PostgreSQL server answers; with `EVENTWIRE_REQUIRE_POSTGRES=1` that fails instead.
    pub async fn create(label: &str) -> Option<Self> {
        let admin = match connect(&format!("{SERVER} dbname=postgres")).await {
            Ok(admin) => admin,
            Err(error) => {
                assert!(
                    std::env::var("EVENTWIRE_REQUIRE_POSTGRES").as_deref() != Ok("1"),
                    "EVENTWIRE_REQUIRE_POSTGRES=1 but PostgreSQL at 127.0.0.1:5432 is not reachable: {error}"
                );
                eprintln!(
                    "\n*** SKIPPED: the PostgreSQL test `{label}` needs PostgreSQL at 127.0.0.1:5432 ({error}) ***\n"
                );
                return None;
            }
        };
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default();
        let name = format!("eventwire_{label}_{}_{nanos}", std::process::id());
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create the test database");
        Some(Self { name })
    }

    /// The connection string of the database.
    pub fn config(&self) -> String {
        format!("{SERVER} dbname={}", self.name)
    }

    /// A new client of the database (its connection runs in a task of its own).
    pub async fn client(&self) -> Client {
        connect(&self.config())
            .await
            .expect("connect to the test database")
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let name = self.name.clone();
        // Drop runs outside async: a thread of its own with a small runtime.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            runtime.block_on(async {
                if let Ok(admin) = connect(&format!("{SERVER} dbname=postgres")).await {
                    let _ = admin
                        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await;
                }
            });
        })
        .join();
    }
}

/// Connects and spawns the connection's task.
pub async fn connect(config: &str) -> Result<Client, tokio_postgres::Error> {
    let (client, connection) = tokio_postgres::connect(config, NoTls).await?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(client)
}
