//! [`Handlers`]: how a handler type is tied to the contract it serves.

use std::sync::Arc;

use socketioxide::adapter::Adapter;
use socketioxide::extract::SocketRef;

use crate::contract::Contract;
use crate::observe::ContractMetrics;
use crate::serve::dispatch::{Dispatch, Shared};
use crate::serve::middleware::ErasedMiddleware;

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
    fn shared(
        &self,
        namespace: &'static str,
        policy: crate::serve::limit::Policy,
        middleware: Vec<Arc<dyn ErasedMiddleware<C>>>,
    ) -> Arc<Shared<C>>;

    #[doc(hidden)]
    fn install<A: Adapter>(
        self: Arc<Self>,
        socket: &SocketRef<A>,
        shared: &Arc<Shared<C>>,
        span: tracing::Span,
    );
}

impl<C, H> Handlers<C> for H
where
    C: Dispatch<H>,
    H: Send + Sync + 'static,
{
    fn authenticate(
        self: Arc<Self>,
        auth: Option<String>,
    ) -> impl Future<Output = Result<C::Identity, crate::Refusal>> + Send + 'static {
        C::authenticate(self, auth)
    }

    fn shared(
        &self,
        namespace: &'static str,
        policy: crate::serve::limit::Policy,
        middleware: Vec<Arc<dyn ErasedMiddleware<C>>>,
    ) -> Arc<Shared<C>> {
        Arc::new(Shared {
            policy,
            metrics: ContractMetrics::register(namespace, C::CLIENT_EVENTS),
            middleware,
        })
    }

    fn install<A: Adapter>(
        self: Arc<Self>,
        socket: &SocketRef<A>,
        shared: &Arc<Shared<C>>,
        span: tracing::Span,
    ) {
        crate::serve::dispatch::install::<C, H, A>(socket, self, shared, span);
    }
}
