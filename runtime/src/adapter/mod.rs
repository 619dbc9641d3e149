//! Adapters: several eventwire nodes behind one logical server. socketioxide's in-memory
//! adapter is the default; with the `redis` / `redis-cluster` features, socketioxide's Redis
//! adapter on a driver that survives Redis restarts.

#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub mod redis;
