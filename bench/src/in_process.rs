//! Set-up shared by the benchmarks that run eventwire nodes in their own process
//! (`feed-catchup`, `scale-out`): logging, and nodes on a private redis-server. They serve
//! with [`eventwire_tests::serve_ephemeral`], as the tests do.

use eventwire::Server;
use eventwire_tests::redis::Redis;

/// Logs warnings to stderr, apart from the figures on stdout: dropped packets (full
/// queues, full adapter buffers) are warnings, and a run that drops must say so.
///
/// ```no_run
/// eventwire_bench::in_process::log_warnings();
/// ```
pub fn log_warnings() {
    tracing_subscriber::fmt()
        .with_env_filter("warn")
        .with_writer(std::io::stderr)
        .init();
}

/// A server whose rooms, broadcasts and feeds span every node on `redis`.
///
/// ```no_run
/// # async fn run() {
/// let redis = eventwire_tests::redis::Redis::start().await.expect("redis-server on PATH");
/// let node = eventwire_bench::in_process::on_redis(&redis).await.rate_limit(None);
/// let url = eventwire_tests::serve_ephemeral(node).await;
/// # let _ = url;
/// # }
/// ```
pub async fn on_redis(redis: &Redis) -> Server<eventwire::redis::Redis> {
    Server::redis(&redis.url())
        .await
        .expect("the Redis adapter")
}
