//! The bounds on what crosses the wire: what the server can receive and send.
//!
//! Generated code asks for exactly one of these per type and place, at the user's type
//! (the decoding, the description), so a type that is not a payload gets an error that says
//! what to do, not one per missing serde, schemars and validation trait. rustc reports each
//! unmet supertrait of a blanket impl on its own, so [`IncomingPayload`] is implemented type
//! by type instead: by `#[payload]` and `#[derive(Validate)]`, and here for the standard
//! types.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};

use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::validate::Validate;

/// A type the server can receive: deserialized, validated, described.
///
/// Declare it with [`#[payload]`](crate::payload), or derive
/// [`Validate`](derive@crate::Validate) next to serde's and schemars' derives: both implement
/// it. The standard types (numbers, strings, `Option`, `Vec`, maps, ...) are payloads
/// already. A type with a hand-written `Validate` impl opts in with an empty impl:
///
/// ```
/// use eventwire::{IncomingPayload, Report, Validate, ValidationError};
///
/// #[derive(serde::Deserialize, schemars::JsonSchema)]
/// struct Celsius(f64);
///
/// impl Validate for Celsius {
///     fn validate_into(&self, report: &mut Report) {
///         if self.0 < -273.15 {
///             report.push(ValidationError::new("range", "below absolute zero"));
///         }
///     }
/// }
/// impl IncomingPayload for Celsius {}
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a payload the server can receive",
    label = "not an eventwire payload",
    note = "declare it with `#[eventwire::payload]`, or add `#[derive(eventwire::Validate)]` next to its serde and schemars derives"
)]
pub trait IncomingPayload: DeserializeOwned + Validate + JsonSchema + Send + 'static {}

/// A type the server can send: serialized, described.
///
/// Declare it with [`#[payload]`](crate::payload); any type with serde's `Serialize` and
/// schemars' `JsonSchema` is one. (Unlike [`IncomingPayload`] this is a blanket impl, so
/// that a type sent but never received needs no `Validate`.)
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a payload the server can send",
    label = "not an eventwire payload",
    note = "declare it with `#[eventwire::payload]`, or derive serde's `Serialize` and schemars' `JsonSchema`"
)]
pub trait OutgoingPayload: Serialize + JsonSchema + Send + 'static {}

impl<T: Serialize + JsonSchema + Send + 'static> OutgoingPayload for T {}

// The leaves (numbers, strings, `serde_json::Value`, ...) are payloads where their
// `Validate` is implemented, from the same list (`validate/impls.rs`); the containers here.
impl<T: IncomingPayload> IncomingPayload for Option<T> {}
impl<T: IncomingPayload> IncomingPayload for Box<T> {}
impl<T: IncomingPayload> IncomingPayload for Vec<T> {}
impl<T: IncomingPayload, const N: usize> IncomingPayload for [T; N] where
    Self: DeserializeOwned + JsonSchema
{
}
impl<T: IncomingPayload> IncomingPayload for VecDeque<T> {}
impl<T: IncomingPayload + Ord> IncomingPayload for BTreeSet<T> {}
impl<T: IncomingPayload + Eq + std::hash::Hash> IncomingPayload for HashSet<T> {}
impl<K: Send + 'static, V: IncomingPayload> IncomingPayload for BTreeMap<K, V> where
    Self: DeserializeOwned + Validate + JsonSchema
{
}
impl<K: Send + 'static, V: IncomingPayload> IncomingPayload for HashMap<K, V> where
    Self: DeserializeOwned + Validate + JsonSchema
{
}
