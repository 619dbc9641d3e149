//! The ceiling: tokio-tungstenite speaking just enough Engine.IO / Socket.IO to be driven
//! like the others, without parsing any JSON. It answers `echo` with the bytes it got,
//! `order` with a constant receipt, and finds a room name by searching for `"room":"`.
//! One task per connection answers everything already received, then flushes once;
//! broadcasts reach members through a 128-message queue each (socketioxide's default) and
//! drop a member's copy when its queue is full, as socketioxide does.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use futures_util::{FutureExt, SinkExt, StreamExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};

use crate::Result;

type Queue = mpsc::Sender<Message>;

/// Room name → member id → member queue.
#[derive(Default)]
struct Rooms(Mutex<HashMap<String, HashMap<u64, Queue>>>);

impl Rooms {
    fn join(&self, room: &str, id: u64, queue: &Queue) {
        let mut rooms = self.0.lock().expect("rooms lock");
        rooms
            .entry(room.to_owned())
            .or_default()
            .insert(id, queue.clone());
    }

    fn leave_all(&self, id: u64) {
        let mut rooms = self.0.lock().expect("rooms lock");
        rooms.retain(|_, members| {
            members.remove(&id);
            !members.is_empty()
        });
    }

    fn broadcast(&self, room: &str, except: u64, frame: &Utf8Bytes) {
        let rooms = self.0.lock().expect("rooms lock");
        for (&id, queue) in rooms.get(room).into_iter().flatten() {
            if id != except {
                let _ = queue.try_send(Message::Text(frame.clone()));
            }
        }
    }
}

/// The text between `"room":"` and the next quote.
fn room_of(payload: &str) -> Option<&str> {
    let start = payload.find(r#""room":""#)? + r#""room":""#.len();
    let len = payload[start..].find('"')?;
    Some(&payload[start..start + len])
}

/// Answers one text frame, or `None` for frames that get no answer.
fn answer(frame: &str, id: u64, queue: &Queue, rooms: &Rooms) -> Option<String> {
    if frame.starts_with("40") {
        return Some(format!(r#"40{{"sid":"s{id}"}}"#));
    }
    let rest = frame.strip_prefix("42")?;
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let (ack, args) = rest.split_at(digits);
    let (event, payload) = args.strip_prefix("[\"")?.split_once("\",")?;
    let payload = payload.strip_suffix(']')?;
    let data = match event {
        "echo" => payload,
        "order" => r#"{"lines":24,"quantity":300}"#,
        "join" => {
            rooms.join(room_of(payload)?, id, queue);
            "null"
        }
        "publish" => {
            let news = Utf8Bytes::from(format!(r#"42["news",{payload}]"#));
            rooms.broadcast(room_of(payload)?, id, &news);
            "null"
        }
        _ => return None,
    };
    (!ack.is_empty()).then(|| format!(r#"43{ack}[{{"ok":true,"data":{data}}}]"#))
}

async fn connection(tcp: TcpStream, id: u64, rooms: Arc<Rooms>) -> Result<()> {
    tcp.set_nodelay(true)?;
    // engineioxide's read buffer size (tungstenite's default is 128 KiB per connection).
    let config = WebSocketConfig::default().read_buffer_size(4096);
    let mut ws = tokio_tungstenite::accept_async_with_config(tcp, Some(config)).await?;
    // Broadcasts from other connections arrive here.
    let (queue, mut deliveries) = mpsc::channel::<Message>(128);
    let open = format!(
        r#"0{{"sid":"e{id}","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}}"#
    );
    ws.send(Message::text(open)).await?;
    loop {
        tokio::select! {
            biased;
            received = ws.next() => {
                let Some(Ok(mut message)) = received else { break };
                // Answer everything already received, then flush once.
                loop {
                    if let Message::Text(frame) = &message
                        && let Some(reply) = answer(frame, id, &queue, &rooms)
                    {
                        ws.feed(Message::text(reply)).await?;
                    }
                    match ws.next().now_or_never() {
                        Some(Some(Ok(next))) => message = next,
                        _ => break,
                    }
                }
                ws.flush().await?;
            }
            Some(message) = deliveries.recv() => {
                ws.feed(message).await?;
                while let Ok(message) = deliveries.try_recv() {
                    ws.feed(message).await?;
                }
                ws.flush().await?;
            }
        }
    }
    rooms.leave_all(id);
    Ok(())
}

/// Serves the ceiling.
pub async fn serve(listener: TcpListener) -> Result<()> {
    let rooms = Arc::new(Rooms::default());
    let ids = AtomicU64::new(0);
    loop {
        let (tcp, _) = listener.accept().await?;
        let id = ids.fetch_add(1, Ordering::Relaxed);
        tokio::spawn(connection(tcp, id, rooms.clone()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_like_a_socket_io_server() {
        let (queue, _outgoing) = mpsc::channel(1);
        let rooms = Rooms::default();
        let answer = |frame| answer(frame, 7, &queue, &rooms);
        assert_eq!(answer("40").as_deref(), Some(r#"40{"sid":"s7"}"#));
        assert_eq!(
            answer(r#"4212["echo",{"a":[1]}]"#).as_deref(),
            Some(r#"4312[{"ok":true,"data":{"a":[1]}}]"#)
        );
        assert_eq!(
            answer(r#"423["join",{"room":"r1"}]"#).as_deref(),
            Some(r#"433[{"ok":true,"data":null}]"#)
        );
        assert_eq!(answer("3"), None);
        assert_eq!(answer(r#"42["echo",{}]"#), None);
    }
}
