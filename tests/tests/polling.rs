//! End-to-end over HTTP long-polling only (`polling.mjs`, real socket.io-client): a whole
//! exchange, and the body limit, which on polling is the HTTP body's.

use std::path::Path;

use eventwire::Server;
use eventwire_tests::raw::http;
use eventwire_tests::{Lab, LabApp};

#[tokio::test]
async fn a_whole_exchange_over_long_polling() {
    let server = eventwire_tests::start().await;
    eventwire_tests::run_node_with(Path::new("polling.mjs"), &[&server.url, "exchange"]).await;
}

/// A 2 KiB limit: an over-long polling body is refused with 413 before it is parsed.
#[tokio::test]
async fn polling_bodies_over_the_limit_are_refused() {
    let server = Server::new()
        .contract::<Lab>(LabApp::default())
        .max_message_size(2048);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind an ephemeral port");
    let url = format!("http://{}", listener.local_addr().expect("bound"));
    tokio::spawn(async move { server.serve_on(listener).await.expect("serve") });

    let open = http(
        &url,
        b"GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .await;
    let start = open.find("\"sid\":\"").expect("an open packet") + 7;
    let sid = open[start..].split('"').next().expect("a sid");
    let body = format!(
        r#"42/lab,1["echo",{{"text":"{}","repeatCount":1}}]"#,
        "x".repeat(4096)
    );
    let response = http(
        &url,
        format!(
            "POST /socket.io/?EIO=4&transport=polling&sid={sid} HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .as_bytes(),
    )
    .await;
    assert!(response.starts_with("HTTP/1.1 413"), "{response}");

    eventwire_tests::run_node_with(Path::new("polling.mjs"), &[&url, "limit"]).await;
}
