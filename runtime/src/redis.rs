//! Several nodes behind one logical server, through socketioxide's Redis adapter.

use socketioxide::adapter::Emitter;
use socketioxide_redis::{RedisAdapter, RedisAdapterCtr};

use crate::Server;

/// The adapter [`Server::redis`] uses: socketioxide-redis over the `redis` crate.
pub type Redis = RedisAdapter<Emitter>;

/// Why the Redis adapter could not start.
#[derive(Debug, thiserror::Error)]
#[error("cannot use Redis at {url}: {source}")]
pub struct RedisError {
    url: String,
    #[source]
    source: redis::RedisError,
}

impl Server<Redis> {
    /// A server whose rooms and broadcasts span every node connected to the same Redis 7
    /// (the adapter speaks RESP3: `protocol=resp3` is added to the URL when it does not say). Handlers and
    /// contracts are unchanged: only this line differs from [`Server::new`].
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// let server = eventwire::Server::redis("redis://127.0.0.1:6379").await?;
    /// # let _ = server;
    /// # Ok(()) }
    /// ```
    pub async fn redis(url: &str) -> Result<Self, RedisError> {
        let url = if url.contains("protocol=") {
            url.to_owned()
        } else {
            format!(
                "{url}{}protocol=resp3",
                if url.contains('?') { "&" } else { "?" }
            )
        };
        let error = |source| RedisError {
            url: url.clone(),
            source,
        };
        let client = redis::Client::open(url.as_str()).map_err(error)?;
        let adapter = RedisAdapterCtr::new_with_redis(&client)
            .await
            .map_err(error)?;
        Ok(Server::with_adapter(adapter))
    }
}
