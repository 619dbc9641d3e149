//! Binary attachments across nodes: bytes broadcast on one node reach the sockets of the
//! other nodes through a real Redis 7 (a private redis-server), byte for byte, over
//! WebSocket and long-polling (`binary_nodes.mjs`).

use eventwire::{Bytes, Contract, Cx, Server, payload};
use eventwire_tests::redis::Redis;

/// A piece of binary data with a name.
#[payload]
#[derive(Clone, Debug)]
pub struct Blob {
    /// Its name.
    pub name: String,
    /// Its content, at most 512 KiB.
    #[validate(length(max = 524288))]
    pub data: Bytes,
}

/// Shares binary data with every other socket of the namespace, on every node.
#[derive(Contract)]
#[contract(namespace = "/relay")]
pub enum Relay {
    /// Broadcasts the blob; the answer is its size.
    #[client(ack = u32, max_bytes = 600000)]
    Share(Blob),
    /// A blob another socket shared.
    #[server]
    Shared(Blob),
}

#[derive(Clone)]
struct RelayApp;

impl RelayHandlers for RelayApp {
    async fn share(&self, cx: &Cx<Relay>, blob: Blob) -> u32 {
        let size = u32::try_from(blob.data.len()).unwrap_or(u32::MAX);
        cx.broadcast()
            .emit(Relay::shared(blob))
            .await
            .expect("the broadcast reaches Redis");
        size
    }
}

async fn start_node(redis: &Redis) -> String {
    let server = Server::redis(&redis.url())
        .await
        .expect("the Redis adapter starts")
        .max_message_size(1 << 20)
        .contract::<Relay>(RelayApp);
    eventwire_tests::serve_ephemeral(server).await
}

#[tokio::test]
async fn bytes_broadcast_on_one_node_arrive_intact_on_the_others() {
    let Some(redis) = Redis::start().await else {
        return;
    };
    let first = start_node(&redis).await;
    let second = start_node(&redis).await;
    eventwire_tests::run_node_with(std::path::Path::new("binary_nodes.mjs"), &[&first, &second])
        .await;
}
