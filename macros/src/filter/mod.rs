//! `#[derive(Filter)]`: [`attr`] → [`ast`] → [`check`] → [`expand`].

pub(crate) mod ast;
pub(crate) mod attr;
pub(crate) mod check;
pub(crate) mod expand;
pub(crate) mod schema;
