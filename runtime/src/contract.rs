//! The [`Contract`] trait that `#[derive(Contract)]` implements, and the bounds on payloads.

use std::sync::Arc;

use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;
use socketioxide::adapter::Adapter;
use socketioxide::extract::SocketRef;

use crate::describe::{ContractDescription, Describer};
use crate::validate::Validate;

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
    /// (`#[contract(ordered)]`). By default they run concurrently, as socketioxide runs them.
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

    /// The rate limit an event declares with `#[client(rate = "...")]`, if any.
    fn rate_limit(event: &str) -> Option<crate::RateLimit> {
        let _ = event;
        None
    }

    /// The events, payload and ack types as JSON Schema, for code generation.
    fn describe(describer: &mut Describer) -> ContractDescription;
}

/// A type the server can receive: deserialized, validated, described.
///
/// Declare it with [`#[payload]`](crate::payload).
pub trait IncomingPayload: DeserializeOwned + Validate + JsonSchema + Send + 'static {}

impl<T: DeserializeOwned + Validate + JsonSchema + Send + 'static> IncomingPayload for T {}

/// A type the server can send: serialized, described.
///
/// Declare it with [`#[payload]`](crate::payload).
pub trait OutgoingPayload: Serialize + JsonSchema + Send + 'static {}

impl<T: Serialize + JsonSchema + Send + 'static> OutgoingPayload for T {}

/// A value that handles contract `C`'s client events: any type implementing the generated
/// `<Contract>Handlers` trait.
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not handle the client events of `{C}`",
    note = "implement the handler trait generated for `{C}` (named `{C}Handlers`) for `{Self}`"
)]
pub trait Handlers<C: Contract>: Send + Sync + 'static {
    #[doc(hidden)]
    fn authenticate(
        self: Arc<Self>,
        auth: Option<String>,
    ) -> impl Future<Output = Result<C::Identity, crate::Refusal>> + Send + 'static;

    #[doc(hidden)]
    fn install<A: Adapter>(self: Arc<Self>, socket: &SocketRef<A>, policy: &crate::limit::Policy);
}

impl<C, H> Handlers<C> for H
where
    C: crate::__private::Dispatch<H>,
    H: Send + Sync + 'static,
{
    fn authenticate(
        self: Arc<Self>,
        auth: Option<String>,
    ) -> impl Future<Output = Result<C::Identity, crate::Refusal>> + Send + 'static {
        C::authenticate(self, auth)
    }

    fn install<A: Adapter>(self: Arc<Self>, socket: &SocketRef<A>, policy: &crate::limit::Policy) {
        crate::dispatch::install::<C, H, A>(socket, self, policy);
    }
}
