//! Runs the board: `cargo run -p board`, then open the printed URL in two tabs.
//!
//! Options (flag, or environment variable): `--port` / `PORT` (default 3001; 0 picks a free
//! port), `--db` / `BOARD_DB` (the SQLite file, default `board.db`).

use board::store::Store;

/// A setting from `--flag value`, else the environment variable, else the default.
fn setting(flag: &str, env: &str, default: &str) -> String {
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == flag {
            return args
                .next()
                .unwrap_or_else(|| panic!("{flag} takes a value"));
        }
    }
    std::env::var(env).unwrap_or_else(|_| default.to_owned())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt().with_env_filter("info").init();
    let port = setting("--port", "PORT", "3001");
    let port: u16 = port
        .parse()
        .unwrap_or_else(|_| panic!("--port / PORT must be a number, got {port:?}"));
    let db = setting("--db", "BOARD_DB", "board.db");

    let app = board::router(Store::open(&db)?)?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!(
        "board: open http://{}/ (tasks are kept in {db})",
        listener.local_addr()?
    );
    // Changes go out at once: axum leaves Nagle's algorithm on.
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .await?;
    Ok(())
}
