//! Shared by the compatibility tests (`tests/compatibility.rs`,
//! `tests/upload_compatibility.rs`): versions of one API declared side by side, and the
//! breaking changes between two of them.

use eventwire::compat::{Shape, breaking_changes};
use eventwire::describe::Direction;

/// Declares one version of an API (a contract on `/api`) in its own module, with
/// `Contract` and `payload` in scope.
///
/// ```ignore
/// eventwire_tests::version!(v2 {
///     #[payload] pub struct Item { pub name: String }
///     #[derive(Contract)] #[contract(namespace = "/api")]
///     pub enum Api { #[client] Add(Item) }
/// });
/// ```
#[macro_export]
macro_rules! version {
    ($module:ident { $($item:item)* }) => {
        #[allow(dead_code, unused_imports)]
        mod $module {
            use eventwire::{Contract, payload};
            $($item)*
        }
    };
}

/// The breaking changes from `Old` to `New`, as `(who sends, sentence)`.
pub fn changes<Old: eventwire::Contract, New: eventwire::Contract>() -> Vec<(Direction, String)> {
    breaking_changes(&Shape::of::<Old>(), &Shape::of::<New>())
        .into_iter()
        .map(|change| (change.sent_by, change.to_string()))
        .collect()
}
