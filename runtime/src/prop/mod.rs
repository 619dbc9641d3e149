//! Props: shared state. A prop is one typed value that every reader watches and that
//! clients change through a validated, authorized write with optimistic concurrency.
//!
//! Declared in the contract with `#[prop(value = T, error = E)]` (see
//! [`Contract`](crate::Contract)), a prop is two declarations the rest of eventwire already
//! knows, written for you:
//!
//! - a one-item feed of [`Shared<T>`] (the value, its scope and its version), keyed by
//!   scope, which a client subscribes to like any feed and which resumes or resyncs like
//!   any feed;
//! - a client event `write<Name>` carrying a [`Write<T>`]: the new value and the version
//!   it was made from. It answers the new [`Shared<T>`], or a [`WriteError`]: a
//!   `conflict` carrying the current value when another write came first, or the app's
//!   typed error.
//!
//! A **scope** is which instance of the prop a socket sees: the board keeps one title per
//! workspace, so its scope is the member's workspace. The handler picks it; the client
//! never names it (a filter or write that tries is an `invalid_payload`). A prop with one
//! instance uses the scope `""`.
//!
//! [`Prop`] is the server's handle for a prop kept in memory: it holds each scope's current
//! value, applies writes with compare-and-set, and publishes every new value to the scope's
//! readers, in version order. That value lives in the process: a restart starts every scope
//! again from its initial value (readers resync), and several nodes would each keep their
//! own.
//!
//! A prop that must outlive a restart, or be one value across nodes, lives in the app's
//! database instead: the handlers answer the snapshot from it, write with compare-and-set
//! there (`UPDATE ... WHERE version = ?`, answering [`WriteError::Conflict`] otherwise), and
//! after the commit publish the new value through the prop's feed
//! (`feeds.feed(Board::settings()).updated(next, Some(previous))`), which spans nodes with
//! [`Server::redis`](crate::Server). The board example does this with SQLite.
//!
//! On the wire (these types' serde shapes, which the generated client types):
//!
//! ```
//! use eventwire::feed::{Filter, NoError};
//! use eventwire::prop::{Scope, Shared, Write, WriteError};
//! use serde_json::json;
//!
//! // What a reader holds, and receives on every write.
//! let title = Shared { scope: "acme".to_owned(), version: 3, value: "Sprint 12".to_owned() };
//! assert_eq!(
//!     serde_json::to_value(&title).unwrap(),
//!     json!({ "scope": "acme", "version": 3, "value": "Sprint 12" }),
//! );
//!
//! // What a writer sends.
//! let write: Write<String> =
//!     serde_json::from_value(json!({ "version": 3, "value": "Sprint 13" })).unwrap();
//! assert_eq!((write.version, write.value.as_str()), (3, "Sprint 13"));
//!
//! // What a stale write gets back.
//! let conflict: WriteError<String, NoError> = WriteError::Conflict { current: title.clone() };
//! assert_eq!(
//!     serde_json::to_value(&conflict).unwrap(),
//!     json!({ "code": "conflict", "current": { "scope": "acme", "version": 3, "value": "Sprint 12" } }),
//! );
//!
//! // A reader's filter holds it to the scope the server gave it.
//! assert!(Scope::<String>::of("acme").matches(&title));
//! assert!(!Scope::<String>::of("initech").matches(&title));
//!
//! // In SQL too; a filter whose scope the server did not set selects nothing.
//! use eventwire::feed::Placeholders;
//! assert_eq!(Scope::<String>::of("acme").to_sql(Placeholders::Sqlite).clause, r#""scope" = ?1"#);
//! assert_eq!(Scope::<String>::default().to_sql(Placeholders::Sqlite).clause, "1 = 0");
//! ```

mod handle;

use std::marker::PhantomData;

use serde::{Deserialize, Serialize};

use crate::feed::{Filter, Placeholders, Where, index_text};
use crate::payload;

pub use handle::Prop;

/// A prop's value in one scope, as every reader receives it.
#[payload]
#[derive(Debug, Clone, PartialEq)]
pub struct Shared<T> {
    /// Which instance of the prop: e.g. the workspace; `""` for a prop with one.
    pub scope: String,
    /// How many writes made it: 0 is the initial value.
    #[validate(range(max = 9_007_199_254_740_991_u64))]
    pub version: u64,
    /// The value.
    pub value: T,
}

/// A client's write: the new value, and the version of the value it was made from.
#[payload]
#[derive(Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct Write<T> {
    /// The version the client read; the write applies only if it is still the current one.
    #[validate(range(max = 9_007_199_254_740_991_u64))]
    pub version: u64,
    /// The new value (its `#[validate]` rules have run when the handler gets it).
    #[validate(nested)]
    pub value: T,
}

/// Why a write was not applied: another write came first (`conflict`, with the current
/// value), or the app refused it (`refused`, with its error).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(tag = "code", rename_all = "camelCase")]
#[schemars(rename = "WriteErrorOf_{T}_And_{E}")]
pub enum WriteError<T, E> {
    /// Another write came first: the value is at another version than the one the write
    /// named. The client may retry from `current`.
    Conflict {
        /// The prop's value now.
        current: Shared<T>,
    },
    /// The app refused the write (its `error = E`).
    Refused {
        /// The app's typed error.
        error: E,
    },
}

impl<T, E> WriteError<T, E> {
    /// The app refuses the write with `error`.
    pub fn refused(error: E) -> Self {
        Self::Refused { error }
    }
}

/// The filter of a prop's feed: the server sets its scope; the client sends `{}`.
#[derive(Debug, Deserialize, schemars::JsonSchema, crate::Validate)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "PropScope")]
pub struct Scope<T> {
    #[serde(skip)]
    #[schemars(skip)]
    scope: Option<String>,
    #[serde(skip)]
    #[schemars(skip)]
    _value: PhantomData<fn() -> T>,
}

impl<T> Scope<T> {
    /// The filter holding a subscriber to `scope`.
    pub fn of(scope: impl Into<String>) -> Self {
        Self {
            scope: Some(scope.into()),
            _value: PhantomData,
        }
    }

    /// The scope the server set; `None` before it did.
    pub fn scope(&self) -> Option<&str> {
        self.scope.as_deref()
    }
}

impl<T> Default for Scope<T> {
    fn default() -> Self {
        Self {
            scope: None,
            _value: PhantomData,
        }
    }
}

impl<T> Clone for Scope<T> {
    fn clone(&self) -> Self {
        Self {
            scope: self.scope.clone(),
            _value: PhantomData,
        }
    }
}

impl<T> Filter for Scope<T>
where
    T: Send + 'static,
{
    type Item = Shared<T>;
    const HAS_CUSTOM: bool = false;
    const EQ_FIELDS: usize = 1;

    /// A scope the server did not set matches nothing: a subscriber sees only the scope it
    /// was given.
    fn matches(&self, item: &Shared<T>) -> bool {
        self.scope.as_deref() == Some(item.scope.as_str())
    }

    fn to_sql_from(&self, style: Placeholders, first: usize) -> Where {
        let mut clause = Where::new(style, first);
        match &self.scope {
            Some(scope) => clause.compare("scope", "=", scope.as_str()),
            // No scope set: nothing, as `matches` says (never the `""` scope).
            None => clause.one_of::<String>("scope", &[]),
        }
        clause.finish()
    }

    fn index_entry(&self) -> Option<(usize, String)> {
        self.scope.as_ref().map(|scope| (0, index_text(scope)))
    }

    fn index_values(item: &Shared<T>) -> Vec<String> {
        vec![index_text(&item.scope)]
    }

    /// Readers of one scope share its frames: the SQL says all `matches` does.
    fn share_key(&self) -> Option<String> {
        crate::feed::sql_share_key(self)
    }
}
