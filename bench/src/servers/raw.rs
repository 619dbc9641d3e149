//! The raw socketioxide peer: the same work as [`eventwire`](super::eventwire), by hand.

use serde::Serialize;
use socketioxide::SocketIo;
use socketioxide::extract::{AckSender, SocketRef, TryData};
use tokio::net::TcpListener;

use crate::Result;
use crate::payloads::{Message, News, Order, Room};

/// The acknowledgement, in eventwire's wire form.
#[derive(Serialize)]
struct Answer<T> {
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<T>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fault: Option<&'static str>,
}

fn answer<T: Serialize>(ack: AckSender, data: Option<T>) {
    let ok = data.is_some();
    let fault = (!ok).then_some("invalid_payload");
    let _ = ack.send(&Answer { ok, data, fault });
}

fn handlers(socket: SocketRef) {
    socket.on(
        "echo",
        async |ack: AckSender, TryData(message): TryData<Message>| {
            answer(ack, message.ok().filter(Message::is_valid));
        },
    );
    socket.on(
        "order",
        async |ack: AckSender, TryData(order): TryData<Order>| {
            let receipt = order.ok().filter(Order::is_valid).map(|o| o.receipt());
            answer(ack, receipt);
        },
    );
    socket.on(
        "join",
        async |socket: SocketRef, ack: AckSender, TryData(room): TryData<Room>| {
            let room = room.ok().filter(Room::is_valid);
            let joined = room.map(|room| socket.join(room.room));
            answer(ack, joined);
        },
    );
    socket.on(
        "publish",
        async |socket: SocketRef, ack: AckSender, TryData(news): TryData<News>| {
            let Some(news) = news.ok().filter(News::is_valid) else {
                return answer::<()>(ack, None);
            };
            let room = news.room.clone();
            // eventwire wraps a payload in a 1-tuple: the same one argument on the wire.
            let _ = socket.to(room).emit("news", &(news,)).await;
            answer(ack, Some(()));
        },
    );
}

/// Serves the raw socketioxide app with socketioxide's defaults.
pub async fn serve(listener: TcpListener) -> Result<()> {
    let (layer, io) = SocketIo::builder().build_layer();
    io.ns("/", async |socket: SocketRef| handlers(socket));
    axum::serve(listener, axum::Router::new().layer(layer)).await?;
    Ok(())
}
