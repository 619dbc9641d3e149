//! Tracing: a refused payload and a refused handshake leave their events and spans, as a
//! subscriber (here one that captures formatted lines) sees them.

use std::io::Write;
use std::sync::{Arc, Mutex};

use eventwire_tests::raw::{Next, RawSocket};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::format::FmtSpan;

/// Every line the subscriber wrote.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Self;
    fn make_writer(&'a self) -> Self {
        self.clone()
    }
}

/// A subscriber for this thread (each test runs the server on its own current-thread
/// runtime), as `RUST_LOG=eventwire=debug` with span closes shown.
fn capture() -> (Captured, tracing::subscriber::DefaultGuard) {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter("eventwire=debug")
        .with_span_events(FmtSpan::CLOSE)
        .with_ansi(false)
        .with_writer(captured.clone())
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);
    (captured, guard)
}

/// Waits (bounded) for a captured line holding `needle`; returns it.
async fn wait_for_line(captured: &Captured, needle: &str) -> String {
    let text = wait_for(captured, needle).await;
    let line = text.lines().find(|line| line.contains(needle));
    line.expect("found by wait_for").to_owned()
}

/// Waits (bounded) until the captured text holds `needle`.
async fn wait_for(captured: &Captured, needle: &str) -> String {
    let found = tokio::time::timeout(std::time::Duration::from_secs(5), async {
        loop {
            let text = captured.text();
            if text.contains(needle) {
                return text;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    })
    .await;
    found.unwrap_or_else(|_| panic!("no {needle:?} in:\n{}", captured.text()))
}

#[tokio::test]
async fn a_refused_payload_leaves_a_fault_event_inside_its_spans() {
    let (captured, _guard) = capture();
    let server = eventwire_tests::start().await;
    let mut socket = RawSocket::connect(&server.url, "/lab").await;
    socket
        .send(r#"42/lab,7["echo",{"text":"","repeatCount":1}]"#)
        .await;
    match socket.next().await {
        Next::Text(answer) => assert!(answer.contains("invalid_payload"), "{answer}"),
        other => panic!("expected the fault, got {other:?}"),
    }
    let line = wait_for_line(&captured, "event refused").await;
    // Inside the connection's span and the event's, with the fault's code and reason.
    assert!(line.contains("connection{namespace=/lab"), "{line}");
    assert!(line.contains("transport=Websocket"), "{line}");
    assert!(line.contains(r#"event{event="echo""#), "{line}");
    assert!(line.contains(r#"code="invalid_payload""#), "{line}");
    assert!(line.contains("text: must be between 1 and 10"), "{line}");
    // The event's span closes with its outcome and duration.
    let text = wait_for(&captured, r#"outcome="invalid_payload""#).await;
    assert!(text.contains("duration_us="), "{text}");
    assert!(text.contains("connected"), "{text}");
}

#[tokio::test]
async fn a_refused_handshake_leaves_its_reason() {
    let (captured, _guard) = capture();
    let server = eventwire_tests::start().await;
    let mut socket = RawSocket::open(&server.url).await;
    socket
        .send(r#"40/secure,{"token":"not-a-valid-one"}"#)
        .await;
    match socket.next().await {
        Next::Text(answer) => assert!(answer.starts_with("44/secure,"), "{answer}"),
        other => panic!("expected connect_error, got {other:?}"),
    }
    let line = wait_for_line(&captured, "connection refused").await;
    assert!(line.contains("connection{namespace=/secure"), "{line}");
    assert!(line.contains(r#"reason="auth""#), "{line}");
    assert!(line.contains("refusal=unknown token"), "{line}");

    // An accepted one shows who connected, and why it left.
    let mut socket = RawSocket::open(&server.url).await;
    socket.send(r#"40/secure,{"token":"letmein-ada"}"#).await;
    match socket.next().await {
        Next::Text(answer) => assert!(answer.starts_with("40/secure,{\"sid\""), "{answer}"),
        other => panic!("expected the connect reply, got {other:?}"),
    }
    let text = wait_for(&captured, "ada").await;
    let line = text
        .lines()
        .find(|line| line.contains(" connected") && line.contains("namespace=/secure"))
        .expect("the connected line");
    assert!(
        line.contains(r#"identity="Principal { name: \"ada\" }""#),
        "{line}"
    );
    socket.send("41/secure,").await;
    let line = wait_for_line(&captured, "disconnected").await;
    assert!(line.contains("reason=client"), "{line}");
}
