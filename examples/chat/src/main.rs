//! Runs the chat server: `cargo run -p chat` serves Socket.IO on
//! `http://127.0.0.1:3000/chat` (`--port N` or `PORT` to change; port 0 picks a free one).

use chat::ChatApp;
use chat::contract::Chat;
use eventwire::Server;

fn port() -> u16 {
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--port" {
            return args
                .next()
                .and_then(|p| p.parse().ok())
                .expect("--port takes a number");
        }
    }
    std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(3000)
}

#[tokio::main]
async fn main() -> Result<(), eventwire::ServeError> {
    tracing_subscriber::fmt().with_env_filter("info").init();
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port())).await?;
    println!(
        "chat: serving socket.io on http://{}/chat",
        listener.local_addr()?
    );
    let app = ChatApp::new(100);
    Server::new().contract::<Chat>(app).serve_on(listener).await
}
