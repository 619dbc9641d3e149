//! The eventwire peer: a 50-event contract, typed and validated.

use eventwire::{Contract, Cx, RateLimit, Server, payload};
use tokio::net::TcpListener;

use crate::Result;
use crate::payloads::{Message, News, Order, Receipt, Room};

/// The payload of the filler events.
#[payload]
pub struct Filler {
    /// Echoed back in the ack.
    pub x: u32,
}

/// Declares [`Bench`]: the four events the workloads use plus 46 fillers, so that it is a
/// 50-event contract as a real app's would be.
macro_rules! bench_contract {
    ($($variant:ident $method:ident),* $(,)?) => {
        /// The benchmark's contract.
        #[derive(Contract)]
        #[contract(namespace = "/")]
        pub enum Bench {
            /// W1/W2: a ~100 B message, answered with itself.
            #[client(ack = Message)]
            Echo(Message),
            /// W5 at saturation: a ~2 KB nested order, answered with a receipt.
            #[client(ack = Receipt)]
            Order(Order),
            /// W3: joins a room.
            #[client(ack = ())]
            Join(Room),
            /// W3: broadcasts the message to the room as `news`.
            #[client(ack = ())]
            Publish(News),
            /// W3: a message to a room.
            #[server]
            News(News),
            $(
                #[doc = concat!("Filler `", stringify!($method), "`.")]
                #[client(ack = u32)]
                $variant(Filler),
            )*
        }

        impl BenchHandlers for App {
            async fn echo(&self, _: &Cx<Bench>, message: Message) -> Message {
                message
            }

            async fn order(&self, _: &Cx<Bench>, order: Order) -> Receipt {
                order.receipt()
            }

            async fn join(&self, cx: &Cx<Bench>, room: Room) {
                cx.join(room.room);
            }

            async fn publish(&self, cx: &Cx<Bench>, news: News) {
                let room = news.room.clone();
                // A full member queue drops that member's copy; the load generator counts it.
                let _ = cx.to(room).emit(Bench::news(news)).await;
            }

            $(
                async fn $method(&self, _: &Cx<Bench>, filler: Filler) -> u32 {
                    filler.x
                }
            )*
        }
    };
}

/// The handlers.
pub struct App;

bench_contract! {
    E0 e0, E1 e1, E2 e2, E3 e3, E4 e4, E5 e5, E6 e6, E7 e7, E8 e8, E9 e9,
    E10 e10, E11 e11, E12 e12, E13 e13, E14 e14, E15 e15, E16 e16, E17 e17, E18 e18, E19 e19,
    E20 e20, E21 e21, E22 e22, E23 e23, E24 e24, E25 e25, E26 e26, E27 e27, E28 e28, E29 e29,
    E30 e30, E31 e31, E32 e32, E33 e33, E34 e34, E35 e35, E36 e36, E37 e37, E38 e38, E39 e39,
    E40 e40, E41 e41, E42 e42, E43 e43, E44 e44, E45 e45,
}

/// The size in bytes of the task (the future allocated per event) an `echo` event runs
/// in: it stays under glibc's per-thread cache of small blocks (1,032 bytes) whatever the
/// other 49 handlers hold.
pub fn echo_task_size() -> usize {
    eventwire::__private::task_size::<Bench, App>("echo")
}

/// Serves [`Bench`]. The per-socket rate limit stays on (its check is part of the cost)
/// but is raised far above the load, which sends thousands of events a second per
/// connection.
pub async fn serve(listener: TcpListener) -> Result<()> {
    Server::new()
        .rate_limit(RateLimit::per_second(10_000_000).ok())
        .contract::<Bench>(App)
        .serve_on(listener)
        .await?;
    Ok(())
}
