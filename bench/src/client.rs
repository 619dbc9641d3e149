//! The load generator's side of the wire: Engine.IO v4 / Socket.IO v5 over a WebSocket it
//! frames itself. The HTTP upgrade, the open packet, `40` and the `40{sid}` answer are
//! handled by [`Conn::connect`]; after that, frames are written straight into one output
//! buffer (an event's JSON is encoded once, only its ack id is written per message) and
//! every complete frame received is handed over without copying. Pings (Engine.IO `2` and
//! WebSocket pings) are answered on the way.
//!
//! Client frames are masked, as RFC 6455 requires, with the all-zero key, which leaves the
//! payload as it is: the servers under test check that frames are masked, not which key
//! was used.

use std::net::SocketAddr;
use std::time::Duration;

use futures_util::{StreamExt, stream};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::Result;

/// How long one connection may take to open and join the namespace.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(30);

/// Frames larger than this are refused (the servers' answers are far smaller).
const MAX_FRAME: usize = 16 << 20;

/// A received text frame, classified.
#[derive(Debug, PartialEq, Eq)]
pub enum Frame<'a> {
    /// An acknowledgement (`43<id>[...]`).
    Ack(u64),
    /// An event (`42[...]`), with its text after `42`.
    Event(&'a str),
    /// Anything else.
    Other,
}

impl<'a> Frame<'a> {
    /// Classifies a text frame without parsing its JSON.
    pub fn parse(text: &'a str) -> Self {
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

/// The opcodes the load generator writes.
const TEXT: u8 = 0x1;
const PONG: u8 = 0xa;

/// Frames waiting to be written.
#[derive(Default)]
pub struct Outbox {
    bytes: Vec<u8>,
}

impl Outbox {
    /// Appends the header of a final, masked frame (zero mask key) of `len` bytes.
    fn header(&mut self, opcode: u8, len: usize) {
        self.bytes.push(0x80 | opcode);
        if len < 126 {
            self.bytes.push(0x80 | len as u8);
        } else if len <= usize::from(u16::MAX) {
            self.bytes.push(0x80 | 126);
            self.bytes.extend_from_slice(&(len as u16).to_be_bytes());
        } else {
            self.bytes.push(0x80 | 127);
            self.bytes.extend_from_slice(&(len as u64).to_be_bytes());
        }
        self.bytes.extend_from_slice(&[0; 4]);
    }

    /// Queues a text frame.
    pub fn text(&mut self, text: &str) {
        self.header(TEXT, text.len());
        self.bytes.extend_from_slice(text.as_bytes());
    }

    /// Queues `request` asking for acknowledgement `id`.
    pub fn event(&mut self, request: &Request, id: u64) {
        let mut digits = itoa::Buffer::new();
        let digits = digits.format(id).as_bytes();
        self.header(TEXT, 2 + digits.len() + request.args.len());
        self.bytes.extend_from_slice(b"42");
        self.bytes.extend_from_slice(digits);
        self.bytes.extend_from_slice(request.args.as_bytes());
    }

    /// Queues `request` without an ack.
    pub fn event_without_ack(&mut self, request: &Request) {
        self.header(TEXT, 2 + request.args.len());
        self.bytes.extend_from_slice(b"42");
        self.bytes.extend_from_slice(request.args.as_bytes());
    }
}

/// One Socket.IO connection to namespace `/`.
pub struct Conn {
    tcp: TcpStream,
    /// Received bytes; those before `start` are consumed.
    input: Vec<u8>,
    start: usize,
    /// Frames to send at the next [`flush`](Conn::flush).
    pub out: Outbox,
}

/// One complete frame at the front of `input`: (opcode, payload range, frame length).
fn frame(input: &[u8]) -> Result<Option<(u8, std::ops::Range<usize>, usize)>> {
    let [first, second, ..] = *input else {
        return Ok(None);
    };
    if first & 0x80 == 0 {
        return Err("fragmented frames are not expected from the server".into());
    }
    if second & 0x80 != 0 {
        return Err("the server sent a masked frame".into());
    }
    let (len, header) = match second & 0x7f {
        126 if input.len() >= 4 => (usize::from(u16::from_be_bytes([input[2], input[3]])), 4),
        127 if input.len() >= 10 => {
            let bytes: [u8; 8] = input[2..10].try_into().expect("8 bytes");
            (usize::try_from(u64::from_be_bytes(bytes))?, 10)
        }
        126 | 127 => return Ok(None),
        len => (usize::from(len), 2),
    };
    if len > MAX_FRAME {
        return Err(format!("a {len}-byte frame").into());
    }
    if input.len() < header + len {
        return Ok(None);
    }
    Ok(Some((first & 0x0f, header..header + len, header + len)))
}

impl Conn {
    /// Opens a connection and joins namespace `/`.
    pub async fn connect(addr: SocketAddr) -> Result<Self> {
        tokio::time::timeout(HANDSHAKE_TIMEOUT, Self::handshake(addr))
            .await
            .map_err(|_| "handshake timed out")?
    }

    async fn handshake(addr: SocketAddr) -> Result<Self> {
        let tcp = TcpStream::connect(addr).await?;
        tcp.set_nodelay(true)?;
        let mut conn = Conn {
            tcp,
            input: Vec::with_capacity(4096),
            start: 0,
            out: Outbox::default(),
        };
        let request = format!(
            "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: {addr}\r\n\
             Upgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        );
        conn.tcp.write_all(request.as_bytes()).await?;
        let end = loop {
            if let Some(at) = conn.input.windows(4).position(|w| w == b"\r\n\r\n") {
                break at + 4;
            }
            if conn.input.len() > 16 * 1024 {
                return Err("no end to the upgrade response".into());
            }
            conn.fill().await?;
        };
        let response = String::from_utf8_lossy(&conn.input[..end]);
        if !response.starts_with("HTTP/1.1 101") {
            return Err(format!("upgrade refused: {response:?}").into());
        }
        conn.start = end;
        let open = conn.next_text().await?;
        if !open.starts_with("0{") {
            return Err(format!("expected the Engine.IO open packet, got {open:?}").into());
        }
        conn.out.text("40");
        conn.flush().await?;
        let joined = conn.next_text().await?;
        if !joined.starts_with(r#"40{"sid":"#) {
            return Err(format!("expected the namespace connect packet, got {joined:?}").into());
        }
        Ok(conn)
    }

    /// Waits for bytes from the server and reads what is there. Cancel-safe.
    pub async fn fill(&mut self) -> Result<()> {
        if self.start == self.input.len() {
            self.input.clear();
            self.start = 0;
        } else if self.start > self.input.capacity() / 2 {
            self.input.drain(..self.start);
            self.start = 0;
        }
        self.input.reserve(16 * 1024);
        if self.tcp.read_buf(&mut self.input).await? == 0 {
            return Err("connection closed".into());
        }
        Ok(())
    }

    /// Hands every complete text frame read so far to `on_text` (which may queue frames),
    /// answering pings itself. Fails on a close frame.
    pub fn drain(&mut self, mut on_text: impl FnMut(&str, &mut Outbox)) -> Result<()> {
        while let Some((opcode, payload, len)) = frame(&self.input[self.start..])? {
            let payload = &self.input[self.start..][payload];
            match opcode {
                0x1 => {
                    let text = std::str::from_utf8(payload)?;
                    if text == "2" {
                        self.out.text("3");
                    } else {
                        on_text(text, &mut self.out);
                    }
                }
                0x8 => return Err("closed by the server".into()),
                0x9 => {
                    // A WebSocket pong, echoing the ping's payload.
                    self.out.header(PONG, payload.len());
                    self.out.bytes.extend_from_slice(payload);
                }
                _ => {}
            }
            self.start += len;
        }
        Ok(())
    }

    /// Writes the queued frames.
    pub async fn flush(&mut self) -> Result<()> {
        if !self.out.bytes.is_empty() {
            self.tcp.write_all(&self.out.bytes).await?;
            self.out.bytes.clear();
        }
        Ok(())
    }

    /// The next text frame (pings answered), for the handshake and one-off calls.
    pub async fn next_text(&mut self) -> Result<String> {
        loop {
            let mut first = None;
            // Take one frame at a time: later frames stay buffered.
            if let Some((opcode, payload, len)) = frame(&self.input[self.start..])? {
                let text = std::str::from_utf8(&self.input[self.start..][payload])?.to_owned();
                self.start += len;
                match opcode {
                    0x1 if text == "2" => self.out.text("3"),
                    0x1 => first = Some(text),
                    0x8 => return Err("closed by the server".into()),
                    _ => {}
                }
                self.flush().await?;
            } else {
                self.fill().await?;
            }
            if let Some(text) = first {
                return Ok(text);
            }
        }
    }

    /// Sends `request` with ack `id` and waits for its ack, which must say `ok:true`.
    pub async fn call(&mut self, request: &Request, id: u64) -> Result<()> {
        self.out.event(request, id);
        self.flush().await?;
        let answer = self.next_text().await?;
        match Frame::parse(&answer) {
            Frame::Ack(got) if got == id && answer.contains(r#""ok":true"#) => Ok(()),
            _ => Err(format!("expected ack {id} with ok:true, got {answer:?}").into()),
        }
    }

    /// Reads and answers pings until the connection closes.
    pub async fn keep_alive(mut self) {
        while self.fill().await.is_ok() {
            if self.drain(|_, _| {}).is_err() || self.flush().await.is_err() {
                return;
            }
        }
    }
}

/// Opens `count` connections, at most 200 handshakes at a time.
pub async fn connect_many(addr: SocketAddr, count: usize) -> Result<Vec<Conn>> {
    stream::iter(0..count)
        .map(|_| Conn::connect(addr))
        .buffer_unordered(200)
        .collect::<Vec<Result<Conn>>>()
        .await
        .into_iter()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_classified_without_parsing_json() {
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
    }

    #[test]
    fn events_are_written_as_masked_text_frames() {
        let mut out = Outbox::default();
        out.event(&Request::new("echo", "{}"), 905);
        assert_eq!(out.bytes[..6], [0x81, 0x80 | 16, 0, 0, 0, 0]);
        assert_eq!(&out.bytes[6..], br#"42905["echo",{}]"#);
        let long = "x".repeat(300);
        let mut out = Outbox::default();
        out.text(&long);
        assert_eq!(out.bytes[..4], [0x81, 0x80 | 126, 1, 44]);
        assert_eq!(out.bytes.len(), 4 + 4 + 300);
    }

    #[test]
    fn frames_are_read_once_complete() {
        let mut input = vec![0x81, 3];
        assert!(frame(&input).unwrap().is_none());
        input.extend_from_slice(b"430");
        let (opcode, payload, len) = frame(&input).unwrap().unwrap();
        assert_eq!((opcode, &input[payload], len), (1, &b"430"[..], 5));
        assert!(frame(&[0x01, 1, b'x']).is_err(), "fragments are refused");
        assert!(
            frame(&[0x81, 0x81, 0, 0, 0, 0, b'x']).is_err(),
            "masked frames are refused"
        );
    }
}
