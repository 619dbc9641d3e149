//! `#[derive(Contract)]`: [`attr`] → (`prop`, which desugars props) → [`ast`] → [`check`] →
//! [`expand`].

pub(crate) mod ast;
pub(crate) mod attr;
pub(crate) mod check;
pub(crate) mod client_only;
mod download_expand;
pub(crate) mod expand;
mod feed_expand;
mod prop;
mod transfer_expand;
mod upload_expand;
