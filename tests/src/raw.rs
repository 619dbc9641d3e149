//! A raw Engine.IO v4 / Socket.IO v5 client over WebSocket, and raw HTTP, for sending what
//! no well-behaved client would.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long a raw client waits for the next frame.
const WAIT: Duration = Duration::from_secs(5);

/// What the server did next.
#[derive(Debug, PartialEq, Eq)]
pub enum Next {
    /// A text frame (Engine.IO packet), pings already answered.
    Text(String),
    /// A binary frame.
    Binary(Vec<u8>),
    /// The server closed the connection.
    Closed,
    /// Nothing within the wait.
    Silence,
}

/// One raw WebSocket connection.
pub struct RawSocket {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl RawSocket {
    /// Opens the Engine.IO WebSocket transport and reads the open packet (`0{...}`).
    pub async fn open(base: &str) -> Self {
        let url = format!(
            "{}/socket.io/?EIO=4&transport=websocket",
            base.replacen("http://", "ws://", 1)
        );
        let (ws, _) = tokio::time::timeout(WAIT, tokio_tungstenite::connect_async(&url))
            .await
            .expect("the WebSocket opens in time")
            .expect("the WebSocket opens");
        let mut socket = Self { ws };
        match socket.next().await {
            Next::Text(open) if open.starts_with('0') => socket,
            other => panic!("expected the open packet, got {other:?}"),
        }
    }

    /// Opens and connects to `namespace` (`40/ns,` → `40/ns,{"sid":...}`).
    pub async fn connect(base: &str, namespace: &str) -> Self {
        let mut socket = Self::open(base).await;
        // The main namespace goes unnamed in a packet: `40`, not `40/,`.
        let named = if namespace == "/" {
            String::new()
        } else {
            format!("{namespace},")
        };
        socket.send(&format!("40{named}")).await;
        match socket.next().await {
            Next::Text(reply) if reply.starts_with(&format!("40{named}{{\"sid\"")) => socket,
            other => panic!("expected the connect reply, got {other:?}"),
        }
    }

    /// Sends a text frame.
    pub async fn send(&mut self, text: &str) {
        // A send into a connection the server already closed is part of what is tested.
        let _ = self.ws.send(Message::text(text)).await;
    }

    /// Sends a binary frame.
    pub async fn send_binary(&mut self, bytes: Vec<u8>) {
        let _ = self.ws.send(Message::binary(bytes)).await;
    }

    /// Sends a raw WebSocket frame (e.g. a text frame that is not UTF-8).
    pub async fn send_frame(
        &mut self,
        frame: tokio_tungstenite::tungstenite::protocol::frame::Frame,
    ) {
        let _ = self.ws.send(Message::Frame(frame)).await;
    }

    /// The next frame, answering Engine.IO pings on the way.
    pub async fn next(&mut self) -> Next {
        loop {
            match tokio::time::timeout(WAIT, self.ws.next()).await {
                Err(_) => return Next::Silence,
                Ok(None | Some(Err(_)) | Some(Ok(Message::Close(_)))) => return Next::Closed,
                Ok(Some(Ok(Message::Text(text)))) if text.as_str() == "2" => self.send("3").await,
                // Engine.IO's close packet, or Socket.IO's namespace disconnect (`41/ns,`):
                // the server ends the session cleanly.
                Ok(Some(Ok(Message::Text(text))))
                    if text.as_str() == "1" || text.starts_with("41") =>
                {
                    return Next::Closed;
                }
                Ok(Some(Ok(Message::Text(text)))) => return Next::Text(text.as_str().to_owned()),
                Ok(Some(Ok(Message::Binary(bytes)))) => return Next::Binary(bytes.to_vec()),
                Ok(Some(Ok(_))) => {}
            }
        }
    }

    /// Waits until the server closes the connection (failing on anything but silence
    /// filler such as pings).
    pub async fn expect_closed(&mut self) {
        loop {
            match self.next().await {
                Next::Closed => return,
                Next::Silence => panic!("the server kept the connection open"),
                Next::Text(_) | Next::Binary(_) => {}
            }
        }
    }
}

/// Sends raw bytes as an HTTP/1.1 request and returns the response head and body (as
/// text, lossily), or an empty string if the server closed without answering.
pub async fn http(addr: &str, request: &[u8]) -> String {
    let host = addr.trim_start_matches("http://");
    let mut stream = TcpStream::connect(host).await.expect("connect");
    let _ = stream.write_all(request).await;
    let mut response = Vec::new();
    let _ = tokio::time::timeout(WAIT, stream.read_to_end(&mut response)).await;
    String::from_utf8_lossy(&response).into_owned()
}
