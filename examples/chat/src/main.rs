//! Runs the chat: `cargo run -p chat`, then open the printed URL.
//!
//! Options (flag, or environment variable): `--port` / `PORT` (default 3000; 0 picks a free
//! port), `--db` / `CHAT_DB` (the SQLite file, default `chat.db`), `--capacity` /
//! `CHAT_CAPACITY` (members per room, default 100), `--rate-limit` / `CHAT_RATE_LIMIT`
//! (events per second per socket, default 100; 0 for none), `EVENTWIRE_REDIS_URL` (run as one of
//! several nodes sharing rooms through Redis 7; give them the same `--db`),
//! `--node-lifetime-ms` / `CHAT_NODE_LIFETIME_MS` (with Redis: after how long without a
//! heartbeat a node is taken for dead and its members announced as gone, default 5000).
//!
//! `GET /metrics` serves eventwire's metrics in the Prometheus text format; logs follow
//! `RUST_LOG` (default `info`; `RUST_LOG=eventwire=debug` adds a span per event,
//! `RUST_LOG=chat::audit=info` shows only the audit log).

use std::time::Duration;

use chat::ChatApp;
use chat::members::Members;
use chat::store::Store;

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

fn number<T: std::str::FromStr>(flag: &str, env: &str, default: &str) -> T {
    let value = setting(flag, env, default);
    value
        .parse()
        .unwrap_or_else(|_| panic!("{flag} / {env} must be a number, got {value:?}"))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Logs go to stderr; stdout carries only the line with the URL.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    // Installed before the server is built: eventwire registers its metric handles then.
    let metrics = metrics_exporter_prometheus::PrometheusBuilder::new().install_recorder()?;
    let port: u16 = number("--port", "PORT", "3000");
    let capacity: u32 = number("--capacity", "CHAT_CAPACITY", "100");
    let db = setting("--db", "CHAT_DB", "chat.db");
    let rate: u32 = number("--rate-limit", "CHAT_RATE_LIMIT", "100");
    // 0 lifts the limit.
    let rate = eventwire::RateLimit::per_second(rate).ok();

    let lifetime = Duration::from_millis(number(
        "--node-lifetime-ms",
        "CHAT_NODE_LIFETIME_MS",
        "5000",
    ));

    let store = Store::open(&db)?;
    let app = match std::env::var("EVENTWIRE_REDIS_URL") {
        Ok(url) => {
            // Rooms, their members and capacity span the nodes; a node silent for
            // `lifetime` is taken for dead and its members as gone.
            let members = Members::redis(&url, lifetime).await?;
            let chat = ChatApp::with_members(capacity, store, members);
            chat::router_on(eventwire::Server::redis(&url).await?.rate_limit(rate), chat)?
        }
        Err(_) => chat::router_on(
            eventwire::Server::new().rate_limit(rate),
            ChatApp::new(capacity, store),
        )?,
    };
    let app = app.route(
        "/metrics",
        axum::routing::get(move || std::future::ready(metrics.render())),
    );
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!(
        "chat: open http://{}/ (messages are kept in {db})",
        listener.local_addr()?
    );
    // Messages go out at once: axum leaves Nagle's algorithm on.
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        let _ = tcp.set_nodelay(true);
    });
    // The peer address feeds per-IP connection caps.
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .await?;
    Ok(())
}
