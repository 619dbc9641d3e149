//! [`Prop`]: the server's handle on one prop: each scope's value, compare-and-set writes,
//! and publishing every new value to the scope's readers.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{Scope, Shared, Write, WriteError};
use crate::contract::Contract;
use crate::feed::{Feed, FeedRef, Feeds};

/// Each scope's value of one prop, shared by every handle on it.
type Cells<T> = Mutex<HashMap<String, Shared<T>>>;

/// One prop of a contract on one server: each scope's current value, writes applied with
/// compare-and-set, every new value published to the scope's readers. Cheap to clone; get
/// it with [`Feeds::prop`] (from [`Server::feeds`](crate::Server::feeds) or
/// [`Cx::feeds`](crate::Cx::feeds)).
///
/// Every handle on one prop of one server shares its values, so a write through any of them
/// is seen by all. Only written scopes are kept (reads of others answer the initial value
/// and store nothing); one lock serves all scopes of a prop and is held while a write is
/// published, so writes of one prop are applied one at a time.
///
/// The values live in this process. A restart starts every scope again at version 0:
/// readers resync to it, but a client that writes from a version it read before the
/// restart is applied once the new process reaches that version again. With
/// [`Server::redis`](crate::Server), every node's writes reach every node's readers while
/// each node keeps its own values and versions, so the versions readers see interleave.
/// Keep a prop that must outlive a restart or span nodes in the app's database (see
/// [`prop`](crate::prop)), as the board example does.
///
/// ```
/// use eventwire::prop::{Write, WriteError};
/// use eventwire::{Contract, Server, payload};
///
/// #[payload]
/// #[derive(Clone, Debug, PartialEq)]
/// pub struct Title { #[validate(length(min = 1, max = 60))] pub text: String }
///
/// #[derive(Contract)]
/// pub enum Board {
///     /// The board's title, one per workspace.
///     #[prop(value = Title)]
///     Title,
/// }
/// # struct App;
/// # impl BoardHandlers for App {
/// #     async fn subscribe_title(&self, _: &eventwire::Cx<Board>, _: &mut eventwire::prop::Scope<Title>)
/// #         -> Result<Vec<eventwire::prop::Shared<Title>>, eventwire::feed::Refused> { unimplemented!() }
/// #     async fn write_title(&self, _: &eventwire::Cx<Board>, _: Write<Title>)
/// #         -> Result<eventwire::prop::Shared<Title>, WriteError<Title, eventwire::feed::NoError>> { unimplemented!() }
/// # }
///
/// let server = Server::new().contract::<Board>(App);
/// let title = server.feeds::<Board>().prop(Board::title(), |_| Title { text: "Board".into() });
/// assert_eq!(title.get("acme").version, 0);
///
/// let renamed = Title { text: "Sprint 12".into() };
/// let written = title.write::<()>("acme", Write { version: 0, value: renamed.clone() }).unwrap();
/// assert_eq!((written.version, &written.value), (1, &renamed));
///
/// // A second write from version 0 comes too late: it gets the current value back.
/// let stale = Write { version: 0, value: Title { text: "Sprint 13".into() } };
/// let Err(WriteError::Conflict { current }) = title.write::<()>("acme", stale) else { panic!() };
/// assert_eq!(current.version, 1);
///
/// // Scopes are apart: another workspace still has the initial title.
/// assert_eq!(title.get("initech").value.text, "Board");
/// ```
pub struct Prop<T> {
    feed: Feed<Shared<T>, Scope<T>>,
    cells: Arc<Cells<T>>,
    initial: Arc<dyn Fn(&str) -> T + Send + Sync>,
}

impl<T> Clone for Prop<T> {
    fn clone(&self) -> Self {
        Self {
            feed: self.feed.clone(),
            cells: self.cells.clone(),
            initial: self.initial.clone(),
        }
    }
}

impl<T> Prop<T>
where
    T: Clone + Serialize + DeserializeOwned + Send + Sync + 'static,
{
    fn cells(&self) -> std::sync::MutexGuard<'_, HashMap<String, Shared<T>>> {
        self.cells.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `scope`'s value before any write. Not stored: reading a scope keeps nothing, so
    /// reads of scopes that are never written (whatever a client can make the app read)
    /// cost no memory.
    fn initial_of(&self, scope: &str) -> Shared<T> {
        Shared {
            scope: scope.to_owned(),
            version: 0,
            value: (self.initial)(scope),
        }
    }

    /// The value of `scope` now (its initial value, version 0, before any write).
    pub fn get(&self, scope: &str) -> Shared<T> {
        let cells = self.cells();
        cells
            .get(scope)
            .cloned()
            .unwrap_or_else(|| self.initial_of(scope))
    }

    /// The snapshot of a subscription to `scope`: sets the filter to `scope` and returns
    /// its value, for the handler's `subscribe_<prop>` to answer. The handler decides the
    /// scope (and whether the socket may read it at all) before calling it.
    pub fn subscribe(&self, scope: &str, filter: &mut Scope<T>) -> Vec<Shared<T>> {
        *filter = Scope::of(scope);
        vec![self.get(scope)]
    }

    /// Applies `write` to `scope` if it names the current version: the value gets the next
    /// version, is published to the scope's readers and returned. A write naming another
    /// version changes nothing and gets [`WriteError::Conflict`] with the current value.
    pub fn write<E>(&self, scope: &str, write: Write<T>) -> Result<Shared<T>, WriteError<T, E>> {
        self.write_checked(scope, write, |_, _| Ok(()))
    }

    /// [`write`](Self::write), after `check` accepted the new value given the current one
    /// (an app rule that needs the current value, checked under the same lock as the
    /// version, so no other write slips between the check and the change).
    pub fn write_checked<E>(
        &self,
        scope: &str,
        write: Write<T>,
        check: impl FnOnce(&Shared<T>, &T) -> Result<(), E>,
    ) -> Result<Shared<T>, WriteError<T, E>> {
        let mut cells = self.cells();
        let previous = cells
            .get(scope)
            .cloned()
            .unwrap_or_else(|| self.initial_of(scope));
        if previous.version != write.version {
            return Err(WriteError::Conflict { current: previous });
        }
        check(&previous, &write.value).map_err(WriteError::refused)?;
        let next = Shared {
            scope: scope.to_owned(),
            version: previous.version + 1,
            value: write.value,
        };
        cells.insert(scope.to_owned(), next.clone());
        // Published under the lock, so readers get the versions in order.
        self.feed.updated(next.clone(), Some(previous));
        Ok(next)
    }

    /// Sets `scope`'s value whatever its version (a server-side change: an admin action,
    /// a migration); returns it with its new version.
    pub fn set(&self, scope: &str, value: T) -> Shared<T> {
        let mut cells = self.cells();
        let previous = cells
            .get(scope)
            .cloned()
            .unwrap_or_else(|| self.initial_of(scope));
        let next = Shared {
            scope: scope.to_owned(),
            version: previous.version + 1,
            value,
        };
        cells.insert(scope.to_owned(), next.clone());
        self.feed.updated(next.clone(), Some(previous));
        next
    }

    /// Forgets `scope`'s value (e.g. when its workspace is deleted): it is its initial
    /// value again, at version 0, and its readers get that.
    pub fn forget(&self, scope: &str) {
        let mut cells = self.cells();
        if let Some(previous) = cells.remove(scope) {
            self.feed.updated(self.initial_of(scope), Some(previous));
        }
    }

    /// How many scopes hold a written value: the memory the prop keeps (scopes only read
    /// keep none).
    pub fn written(&self) -> usize {
        self.cells().len()
    }

    /// The prop's feed, to end subscriptions (e.g. revoke a reader) or read its offset.
    pub fn feed(&self) -> &Feed<Shared<T>, Scope<T>> {
        &self.feed
    }
}

impl<C: Contract> Feeds<C> {
    /// The handle of one prop, e.g. `feeds.prop(Board::settings(), |_| Settings::default())`:
    /// `initial` gives a scope's value before its first write (each handle keeps its own:
    /// give every handle on a prop the same). It runs under the prop's lock, so it must be
    /// quick and must not use the prop itself.
    pub fn prop<T>(
        &self,
        prop: FeedRef<C, Shared<T>, Scope<T>>,
        initial: impl Fn(&str) -> T + Send + Sync + 'static,
    ) -> Prop<T>
    where
        T: Clone + Serialize + DeserializeOwned + Send + Sync + 'static,
    {
        let cells = self.hub().prop_cells::<C, T>(prop.name());
        Prop {
            feed: self.feed(prop),
            cells,
            initial: Arc::new(initial),
        }
    }
}
