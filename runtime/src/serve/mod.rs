//! Serving: the [`Server`] builder, the one dispatch entry per socket and the routing of
//! each event to its generated arm, event middleware, origin and connection checks, the
//! contract fingerprint of the handshake, and rate limits.

pub(crate) mod access;
pub(crate) mod dispatch;
mod download_settings;
mod fingerprint;
mod handlers;
pub(crate) mod limit;
pub(crate) mod middleware;
pub(crate) mod route;
mod server;

pub use access::Origins;
pub use fingerprint::FINGERPRINT_KEY;
pub use handlers::Handlers;
pub use limit::{ABUSE_WINDOW, DEFAULT_DISCONNECT_AFTER};
pub use middleware::{Event, Handled, Middleware, Next, Outcome};
pub use server::{
    BuildError, DEFAULT_MAX_BINARY_ATTACHMENTS, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_MESSAGE_SIZE,
    DEFAULT_PACKET_COMPLETION_TIMEOUT, ServeError, Server, ServerAdapter, ServerLayer,
};
