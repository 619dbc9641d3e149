//! The chat's `/metrics`: after some traffic, Prometheus's text format holds eventwire's
//! counts of connections, events, faults, refusals and durations.

mod support;

use eventwire_tests::raw::{Next, RawSocket, http};

async fn answer(socket: &mut RawSocket, frame: &str) -> String {
    socket.send(frame).await;
    match socket.next().await {
        Next::Text(text) => text,
        other => panic!("expected an answer to {frame}, got {other:?}"),
    }
}

/// The value of the sample `series` (name and labels as the exporter writes them).
fn sample(metrics: &str, series: &str) -> Option<f64> {
    metrics
        .lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .map(|value| value.trim().parse().expect("a number"))
}

#[tokio::test]
async fn metrics_count_the_traffic() {
    let dir = support::temp_dir("metrics");
    let (_chat, url) = support::start_chat(&dir.join("chat.db"), &[]).await;

    let mut ada = RawSocket::open(&url).await;
    let connected = answer(&mut ada, r#"40/chat,{"user":"ada"}"#).await;
    assert!(connected.starts_with(r#"40/chat,{"sid""#), "{connected}");
    let joined = answer(&mut ada, r#"42/chat,1["join",{"room":"lobby"}]"#).await;
    assert!(joined.starts_with(r#"43/chat,1[{"ok":true"#), "{joined}");
    let refused = answer(&mut ada, r#"42/chat,2["join",{"room":"Not A Room"}]"#).await;
    assert!(refused.contains("invalid_payload"), "{refused}");
    let unknown = answer(&mut ada, r#"42/chat,3["nope",{}]"#).await;
    assert!(unknown.contains("unknown_event"), "{unknown}");

    let mut nobody = RawSocket::open(&url).await;
    let refused = answer(&mut nobody, r#"40/chat,{"user":""}"#).await;
    assert!(refused.starts_with("44/chat,"), "{refused}");

    let response = http(
        &url,
        b"GET /metrics HTTP/1.1\r\nHost: chat\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    let count = |series: &str| {
        sample(&response, series).unwrap_or_else(|| panic!("no {series} in:\n{response}"))
    };
    assert_eq!(count(r#"eventwire_connections{namespace="/chat"}"#), 1.0);
    assert_eq!(
        count(r#"eventwire_events_total{namespace="/chat",event="join",outcome="ok"}"#),
        1.0
    );
    assert_eq!(
        count(r#"eventwire_events_total{namespace="/chat",event="join",outcome="fault"}"#),
        1.0
    );
    assert_eq!(
        count(r#"eventwire_faults_total{namespace="/chat",event="join",code="invalid_payload"}"#),
        1.0
    );
    assert_eq!(
        count(
            r#"eventwire_faults_total{namespace="/chat",event="(unknown)",code="unknown_event"}"#
        ),
        1.0
    );
    assert_eq!(
        count(r#"eventwire_refused_connections_total{namespace="/chat",reason="auth"}"#),
        1.0
    );
    // Only the valid join reached its handler; both were answered.
    assert_eq!(
        count(r#"eventwire_handler_duration_seconds_count{namespace="/chat",event="join"}"#),
        1.0
    );
    assert_eq!(
        count(r#"eventwire_ack_latency_seconds_count{namespace="/chat",event="join"}"#),
        2.0
    );
}
