//! Event middleware: code wrapped around the dispatch of every event of a contract, in the
//! tower style (before and after the handler, or instead of it with a fault).

use std::sync::Arc;

use futures_util::future::BoxFuture;

use crate::contract::Contract;
pub use crate::observe::Outcome;
use crate::socket::cx::Cx;
use crate::wire::fault::Fault;

/// An event about to be dispatched, as a [`Middleware`] sees it.
pub struct Event<'a, C: Contract> {
    pub(crate) name: &'a str,
    pub(crate) cx: &'a Cx<C>,
}

impl<C: Contract> Event<'_, C> {
    /// The event name the client sent.
    pub fn name(&self) -> &str {
        self.name
    }

    /// The calling socket: its id, namespace, rooms, extensions.
    pub fn cx(&self) -> &Cx<C> {
        self.cx
    }

    /// The socket's identity (what `authenticate` returned).
    pub fn identity(&self) -> C::Identity {
        self.cx.identity()
    }
}

/// Proof that the rest of the chain ran, with how the event ended. Only [`Next::run`]
/// makes one, so a middleware either passes the event on or refuses it with a fault:
/// it cannot claim an answer it did not give.
#[derive(Debug, Clone, Copy)]
pub struct Handled(pub(crate) Outcome);

impl Handled {
    /// How the event ended.
    pub fn outcome(&self) -> Outcome {
        self.0
    }
}

/// Code that runs around every event of contract `C`: before the handler (and may refuse
/// the event with a [`Fault`], which the client receives as its answer), and after it,
/// seeing the [`Outcome`]. Added with [`Server::middleware`](crate::Server::middleware); the first
/// added runs outermost. A panic inside a middleware is caught like a handler's: the
/// client gets an `internal` fault if it had no answer yet, and the server keeps serving.
///
/// ```
/// use eventwire::{payload, Contract, Cx, Event, Fault, FaultCode, Handled, Middleware, Next, Server};
///
/// #[payload] pub struct Note { text: String }
///
/// #[derive(Contract)]
/// pub enum Notes { #[client(ack = ())] Post(Note) }
///
/// struct App;
/// impl NotesHandlers for App {
///     async fn post(&self, _: &Cx<Notes>, _: Note) {}
/// }
///
/// /// Logs every event and how it ended; refuses everything while in maintenance.
/// struct Audit { maintenance: bool }
///
/// impl Middleware<Notes> for Audit {
///     async fn call(&self, event: &Event<'_, Notes>, next: Next<'_, Notes>) -> Result<Handled, Fault> {
///         if self.maintenance {
///             return Err(Fault::new(FaultCode::Forbidden, event.name(), "down for maintenance"));
///         }
///         let handled = next.run().await;
///         println!("{} from {}: {}", event.name(), event.cx().id(), handled.outcome().as_str());
///         Ok(handled)
///     }
/// }
///
/// let server = Server::new().contract::<Notes>(App).middleware::<Notes>(Audit { maintenance: false });
/// # let _ = server;
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a middleware of contract `{C}`",
    note = "implement `eventwire::Middleware<{C}>` for `{Self}`"
)]
pub trait Middleware<C: Contract>: Send + Sync + 'static {
    /// Handles one event: call `next.run().await` to pass it on, or return `Err(fault)` to
    /// refuse it (the handler does not run).
    fn call(
        &self,
        event: &Event<'_, C>,
        next: Next<'_, C>,
    ) -> impl Future<Output = Result<Handled, Fault>> + Send;
}

/// The rest of the chain: the inner middlewares, then decoding, guards and the handler.
pub struct Next<'a, C: Contract> {
    pub(crate) rest: &'a [Arc<dyn ErasedMiddleware<C>>],
    pub(crate) event: &'a Event<'a, C>,
    pub(crate) core: &'a mut (dyn Core + Send),
}

impl<C: Contract> Next<'_, C> {
    /// Runs the rest of the chain; the client has its answer when this returns.
    pub async fn run(self) -> Handled {
        Handled(match self.rest.split_first() {
            Some((first, rest)) => {
                let next = Next {
                    rest,
                    event: self.event,
                    core: &mut *self.core,
                };
                match first.call(self.event, next).await {
                    Ok(handled) => handled.0,
                    Err(fault) => self.core.refuse(fault),
                }
            }
            None => self.core.run().await,
        })
    }
}

/// The innermost step: decode, guard, handle, answer. Object safe, so that [`Next`] needs
/// no type for the handlers or the adapter.
pub(crate) trait Core {
    /// Runs the dispatch (once; later calls answer nothing and report an internal fault).
    fn run(&mut self) -> BoxFuture<'_, Outcome>;
    /// Answers with `fault`, unless the client already has its answer.
    fn refuse(&mut self, fault: Fault) -> Outcome;
}

/// [`Middleware`] with its future boxed, so a chain can hold different middlewares. Not
/// public API.
#[doc(hidden)]
pub trait ErasedMiddleware<C: Contract>: Send + Sync + 'static {
    fn call<'a>(
        &'a self,
        event: &'a Event<'a, C>,
        next: Next<'a, C>,
    ) -> BoxFuture<'a, Result<Handled, Fault>>;
}

impl<C: Contract, M: Middleware<C>> ErasedMiddleware<C> for M {
    fn call<'a>(
        &'a self,
        event: &'a Event<'a, C>,
        next: Next<'a, C>,
    ) -> BoxFuture<'a, Result<Handled, Fault>> {
        Box::pin(Middleware::call(self, event, next))
    }
}
