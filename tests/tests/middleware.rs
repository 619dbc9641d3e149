//! Event middleware: the order layers run in, a refusal, and panics inside a middleware,
//! seen by a raw Socket.IO client.

use std::sync::{Arc, Mutex};

use eventwire::{
    Contract, Cx, Event, Fault, FaultCode, Handled, Middleware, Next, Server, payload,
};
use eventwire_tests::raw::{Next as Frame, RawSocket};

/// A text to echo.
#[payload]
pub struct Text {
    text: String,
}

/// One event, wrapped in the middlewares under test.
#[derive(Contract)]
#[contract(namespace = "/mw")]
pub enum Mw {
    /// Answers with the text.
    #[client(ack = String)]
    Echo(Text),
}

type Log = Arc<Mutex<Vec<String>>>;

struct App(Log);

impl MwHandlers for App {
    async fn echo(&self, _: &Cx<Mw>, text: Text) -> String {
        self.0.lock().unwrap().push("handler".into());
        text.text
    }
}

/// Records what it sees before and after the rest of the chain.
struct Recorder(&'static str, Log);

impl Middleware<Mw> for Recorder {
    async fn call(&self, event: &Event<'_, Mw>, next: Next<'_, Mw>) -> Result<Handled, Fault> {
        self.1
            .lock()
            .unwrap()
            .push(format!("{} before {}", self.0, event.name()));
        let handled = next.run().await;
        self.1
            .lock()
            .unwrap()
            .push(format!("{} after {}", self.0, handled.outcome().as_str()));
        Ok(handled)
    }
}

/// Refuses every event.
struct Closed;

impl Middleware<Mw> for Closed {
    async fn call(&self, event: &Event<'_, Mw>, _: Next<'_, Mw>) -> Result<Handled, Fault> {
        Err(Fault::new(
            FaultCode::Forbidden,
            event.name(),
            "closed for maintenance",
        ))
    }
}

/// Panics before or after the rest of the chain.
struct Panics {
    before: bool,
}

impl Middleware<Mw> for Panics {
    async fn call(&self, _: &Event<'_, Mw>, next: Next<'_, Mw>) -> Result<Handled, Fault> {
        if self.before {
            panic!("middleware failed before");
        }
        let handled = next.run().await;
        panic!("middleware failed after: {:?}", handled.outcome());
    }
}

async fn serve(server: Server) -> RawSocket {
    let url = eventwire_tests::serve_ephemeral(server).await;
    RawSocket::connect(&url, "/mw").await
}

async fn echo(socket: &mut RawSocket, id: u32) -> String {
    socket
        .send(&format!(r#"42/mw,{id}["echo",{{"text":"hi"}}]"#))
        .await;
    match socket.next().await {
        Frame::Text(text) => text,
        other => panic!("expected an answer, got {other:?}"),
    }
}

#[tokio::test]
async fn layers_run_outermost_first_around_the_handler() {
    let log = Log::default();
    let server = Server::new()
        .contract::<Mw>(App(log.clone()))
        .middleware::<Mw>(Recorder("outer", log.clone()))
        .middleware::<Mw>(Recorder("inner", log.clone()));
    let mut socket = serve(server).await;
    assert_eq!(
        echo(&mut socket, 1).await,
        r#"43/mw,1[{"ok":true,"data":"hi"}]"#
    );
    assert_eq!(
        *log.lock().unwrap(),
        [
            "outer before echo",
            "inner before echo",
            "handler",
            "inner after ok",
            "outer after ok"
        ]
    );
}

#[tokio::test]
async fn a_refusal_answers_the_fault_and_skips_the_handler() {
    let log = Log::default();
    let server = Server::new()
        .contract::<Mw>(App(log.clone()))
        .middleware::<Mw>(Recorder("audit", log.clone()))
        .middleware::<Mw>(Closed);
    let mut socket = serve(server).await;
    let answer = echo(&mut socket, 1).await;
    assert!(
        answer.starts_with(r#"43/mw,1[{"ok":false,"fault":{"code":"forbidden","event":"echo","message":"closed for maintenance""#),
        "{answer}"
    );
    // The outer layer saw the refusal; the handler never ran.
    assert_eq!(
        *log.lock().unwrap(),
        ["audit before echo", "audit after forbidden"]
    );
}

#[tokio::test]
async fn a_panic_before_the_handler_answers_internal_and_the_server_keeps_serving() {
    let log = Log::default();
    let server = Server::new()
        .contract::<Mw>(App(log.clone()))
        .middleware::<Mw>(Panics { before: true });
    let mut socket = serve(server).await;
    for id in 1..=2 {
        let answer = echo(&mut socket, id).await;
        assert!(
            answer.starts_with(&format!(
                r#"43/mw,{id}[{{"ok":false,"fault":{{"code":"internal","event":"echo""#
            )),
            "{answer}"
        );
    }
    assert!(log.lock().unwrap().is_empty(), "the handler never ran");
}

#[tokio::test]
async fn a_panic_after_the_handler_keeps_its_answer() {
    let log = Log::default();
    let server = Server::new()
        .contract::<Mw>(App(log.clone()))
        .middleware::<Mw>(Panics { before: false });
    let mut socket = serve(server).await;
    for id in 1..=2 {
        // Exactly one answer each: the handler's; the panic after it adds none.
        assert_eq!(
            echo(&mut socket, id).await,
            format!(r#"43/mw,{id}[{{"ok":true,"data":"hi"}}]"#)
        );
    }
    assert_eq!(*log.lock().unwrap(), ["handler", "handler"]);
}

#[tokio::test]
async fn an_unknown_event_goes_through_the_chain_with_the_name_the_client_sent() {
    let log = Log::default();
    let server = Server::new()
        .contract::<Mw>(App(log.clone()))
        .middleware::<Mw>(Recorder("audit", log.clone()));
    let mut socket = serve(server).await;
    socket.send(r#"42/mw,7["nope",{}]"#).await;
    let answer = match socket.next().await {
        Frame::Text(text) => text,
        other => panic!("expected an answer, got {other:?}"),
    };
    assert!(
        answer.starts_with(r#"43/mw,7[{"ok":false,"fault":{"code":"unknown_event","event":"nope""#),
        "{answer}"
    );
    assert_eq!(
        *log.lock().unwrap(),
        ["audit before nope", "audit after unknown_event"]
    );
}
