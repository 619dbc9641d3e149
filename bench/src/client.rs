//! The load generator's side of the wire: Engine.IO v4 / Socket.IO v5 over a WebSocket,
//! spoken directly (`/socket.io/?EIO=4&transport=websocket`: open → `40` → `40{sid}`), with
//! frames encoded once and only their ack id written per message.

use std::net::SocketAddr;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt, stream};
use tokio::net::TcpStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};

use crate::Result;

/// One Socket.IO connection.
pub type Ws = WebSocketStream<TcpStream>;

/// How long one connection may take to open and join the namespace.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(30);

/// A received frame, classified.
#[derive(Debug, PartialEq, Eq)]
pub enum Frame<'a> {
    /// An acknowledgement (`43<id>[...]`).
    Ack(u64),
    /// An event (`42[...]`), with its text.
    Event(&'a str),
    /// The server's ping, which must be answered.
    Ping,
    /// Anything else.
    Other,
}

impl<'a> Frame<'a> {
    /// Classifies a text frame without parsing its JSON.
    pub fn parse(text: &'a str) -> Self {
        if text == "2" {
            return Frame::Ping;
        }
        if let Some(rest) = text.strip_prefix("43") {
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            if let Ok(id) = rest[..digits].parse() {
                return Frame::Ack(id);
            }
        }
        match text.strip_prefix("42") {
            Some(event) => Frame::Event(event),
            None => Frame::Other,
        }
    }
}

/// An event encoded once: `42` + ack id + `["name",payload]`.
#[derive(Clone, Debug)]
pub struct Request {
    args: String,
}

impl Request {
    /// The event `name` with a JSON `payload`.
    pub fn new(name: &str, payload: &str) -> Self {
        Self {
            args: format!(r#"["{name}",{payload}]"#),
        }
    }

    /// The frame asking for acknowledgement `id`.
    pub fn with_ack(&self, id: u64) -> Message {
        let mut digits = itoa::Buffer::new();
        let digits = digits.format(id);
        let mut frame = String::with_capacity(2 + digits.len() + self.args.len());
        frame.push_str("42");
        frame.push_str(digits);
        frame.push_str(&self.args);
        Message::Text(Utf8Bytes::from(frame))
    }

    /// The frame without an ack.
    pub fn without_ack(&self) -> Message {
        Message::Text(Utf8Bytes::from(format!("42{}", self.args)))
    }
}

/// The number after `"n":` in an event's text (the message number of a `news` event).
pub fn news_number(event: &str) -> Option<u32> {
    let start = event.find(r#""n":"#)? + 4;
    let digits = event[start..]
        .bytes()
        .take_while(u8::is_ascii_digit)
        .count();
    event[start..start + digits].parse().ok()
}

/// The next text frame, answering pings on the way.
pub async fn next_text(ws: &mut Ws) -> Result<Utf8Bytes> {
    loop {
        match ws.next().await.ok_or("connection closed")?? {
            Message::Text(text) if text.as_str() == "2" => ws.send(Message::text("3")).await?,
            Message::Text(text) => return Ok(text),
            Message::Close(frame) => return Err(format!("closed by the server: {frame:?}").into()),
            _ => {}
        }
    }
}

/// Opens one connection to namespace `/`.
pub async fn connect(addr: SocketAddr) -> Result<Ws> {
    let handshake = async {
        let url = format!("ws://{addr}/socket.io/?EIO=4&transport=websocket");
        let tcp = TcpStream::connect(addr).await?;
        tcp.set_nodelay(true)?;
        let (mut ws, _) = tokio_tungstenite::client_async(url, tcp).await?;
        let open = next_text(&mut ws).await?;
        if !open.starts_with("0{") {
            return Err(format!("expected the Engine.IO open packet, got {open:?}").into());
        }
        ws.send(Message::text("40")).await?;
        let joined = next_text(&mut ws).await?;
        if !joined.starts_with(r#"40{"sid":"#) {
            return Err(format!("expected the namespace connect packet, got {joined:?}").into());
        }
        Ok(ws)
    };
    tokio::time::timeout(HANDSHAKE_TIMEOUT, handshake)
        .await
        .map_err(|_| "handshake timed out")?
}

/// Opens `count` connections, at most 200 handshakes at a time.
pub async fn connect_many(addr: SocketAddr, count: usize) -> Result<Vec<Ws>> {
    stream::iter(0..count)
        .map(|_| connect(addr))
        .buffer_unordered(200)
        .collect::<Vec<Result<Ws>>>()
        .await
        .into_iter()
        .collect()
}

/// Sends one acknowledged event and waits for its ack, answering pings; other frames are
/// returned as an error.
pub async fn call(ws: &mut Ws, request: &Request, id: u64) -> Result<()> {
    ws.send(request.with_ack(id)).await?;
    let answer = next_text(ws).await?;
    match Frame::parse(&answer) {
        Frame::Ack(got) if got == id && answer.contains(r#""ok":true"#) => Ok(()),
        _ => Err(format!("expected ack {id} with ok:true, got {answer:?}").into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_classified_without_parsing_json() {
        assert_eq!(Frame::parse("2"), Frame::Ping);
        assert_eq!(Frame::parse(r#"4317[{"ok":true}]"#), Frame::Ack(17));
        assert_eq!(
            Frame::parse(r#"42["news",{"n":3}]"#),
            Frame::Event(r#"["news",{"n":3}]"#)
        );
        assert_eq!(Frame::parse("40"), Frame::Other);
        assert_eq!(
            news_number(r#"["news",{"room":"r","n":42,"text":""}]"#),
            Some(42)
        );
        let request = Request::new("echo", "{}");
        assert_eq!(
            request.with_ack(905).to_text().unwrap(),
            r#"42905["echo",{}]"#
        );
    }
}
