//! `#[derive(Validate)]`: attribute model in [`attr`], generation in [`expand`].

pub(crate) mod attr;
pub(crate) mod expand;
