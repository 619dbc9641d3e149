//! The core: what a contract is and what it says about itself. Every other part of the
//! crate builds on these types; they depend on nothing else in it.

pub mod compat;
pub mod describe;
mod rate;

pub use rate::{DEFAULT_RATE_LIMIT, RateLimit, RateLimitError};

use describe::{ContractDescription, Describer};

/// The events of one namespace, declared as an enum with `#[derive(Contract)]`.
///
/// ```
/// use eventwire::{payload, Contract};
///
/// #[payload]
/// pub struct Ping { seq: u32 }
///
/// #[derive(Contract)]
/// #[contract(namespace = "/ping")]
/// pub enum Pinger {
///     /// Answered with the same sequence number.
///     #[client(ack = u32)]
///     Ping(Ping),
/// }
///
/// assert_eq!(<Pinger as Contract>::NAMESPACE, "/ping");
/// let description = eventwire::describe::describe::<Pinger>();
/// assert_eq!(description.contracts[0].events[0].name, "ping");
/// ```
pub trait Contract: Sized + 'static {
    /// The enum's name, e.g. `"Chat"`.
    const NAME: &'static str;
    /// The namespace it is served on by default, e.g. `"/chat"`.
    const NAMESPACE: &'static str;
    /// Whether one socket's events are handled one at a time, in arrival order
    /// (`#[contract(ordered)]`). By default they run concurrently: each starts where its
    /// packet arrived and goes on in a task of its own from its first wait.
    const ORDERED: bool;
    /// What an accepted connection's handshake auth became (`#[contract(auth = T)]`, or
    /// `identity = U`); `()` for a contract without auth. Handlers read it with
    /// [`Cx::identity`](crate::Cx::identity).
    type Identity: Clone + Send + Sync + 'static;

    /// When an identity stops being valid (`#[contract(expiring)]` with an
    /// [`Expiring`](crate::Expiring) identity); `None` by default.
    fn expires_at(identity: &Self::Identity) -> Option<std::time::SystemTime> {
        let _ = identity;
        None
    }

    /// The identity as the connection's `tracing` span shows it: its `Debug` form when it
    /// has one (the derive fills this in), `None` otherwise.
    #[doc(hidden)]
    fn describe_identity(identity: &Self::Identity) -> Option<String> {
        let _ = identity;
        None
    }

    /// The rate limit an event declares with `#[client(rate = "...")]`, if any.
    fn rate_limit(event: &str) -> Option<RateLimit> {
        let _ = event;
        None
    }

    /// The events, payload and ack types as JSON Schema, for code generation.
    fn describe(describer: &mut Describer) -> ContractDescription;
}
