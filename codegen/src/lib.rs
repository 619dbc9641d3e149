//! TypeScript and JSON Schema generation for eventwire contracts.
//!
//! Not implemented yet: contracts already describe themselves with
//! [`eventwire::describe`], which this crate will turn into TypeScript.
