//! [`Handlers`]: how a handler type is tied to the contract it serves.

use std::sync::Arc;

use socketioxide::adapter::Adapter;
use socketioxide::extract::SocketRef;

use crate::contract::Contract;

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
    fn install<A: Adapter>(
        self: Arc<Self>,
        socket: &SocketRef<A>,
        policy: &crate::serve::limit::Policy,
    );
}

impl<C, H> Handlers<C> for H
where
    C: crate::serve::dispatch::Dispatch<H>,
    H: Send + Sync + 'static,
{
    fn authenticate(
        self: Arc<Self>,
        auth: Option<String>,
    ) -> impl Future<Output = Result<C::Identity, crate::Refusal>> + Send + 'static {
        C::authenticate(self, auth)
    }

    fn install<A: Adapter>(
        self: Arc<Self>,
        socket: &SocketRef<A>,
        policy: &crate::serve::limit::Policy,
    ) {
        crate::serve::dispatch::install::<C, H, A>(socket, self, policy);
    }
}
