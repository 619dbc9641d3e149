//! Handshake authentication: decoding the client's `auth`, refusing a connection, the
//! identity of an accepted one and its expiry, and ready-made JWT verification.

mod handshake;
#[cfg(feature = "jwt")]
#[cfg_attr(docsrs, doc(cfg(feature = "jwt")))]
pub mod jwt;

pub use handshake::decode_auth;

use crate::contract::Contract;
use crate::validate::Issue;

crate::wire::message::message_error! {
    /// Why a connection is refused. The client receives `connect_error` with this message.
    ///
    /// ```
    /// use eventwire::Refusal;
    ///
    /// let refusal = Refusal::new("the token has expired");
    /// assert_eq!(refusal.to_string(), "the token has expired");
    /// ```
    Refusal,
    new = "A refusal with a message for the client."
}

impl Refusal {
    /// The auth payload did not parse or validate: lists every problem.
    pub(crate) fn invalid_auth(issues: Vec<Issue>) -> Self {
        Self::new(format!("invalid auth: {}", Issue::list(&issues)))
    }
}

/// The identity `authenticate` gave a socket of contract `C`, kept in its extensions.
pub(crate) struct Authenticated<C: Contract>(pub(crate) C::Identity);

impl<C: Contract> Clone for Authenticated<C> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

/// An identity that stops being valid at some time. With `#[contract(expiring)]`, a socket
/// whose identity expires while connected is disconnected then.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use eventwire::Expiring;
///
/// #[derive(Clone)]
/// struct Session { until: SystemTime }
///
/// impl Expiring for Session {
///     fn expires_at(&self) -> Option<SystemTime> {
///         Some(self.until)
///     }
/// }
/// # let _ = Session { until: SystemTime::now() + Duration::from_secs(60) }.expires_at();
/// ```
pub trait Expiring {
    /// When the identity stops being valid; `None` for never.
    fn expires_at(&self) -> Option<std::time::SystemTime>;
}

/// The pending disconnect of a socket whose identity expires; aborted if it leaves first.
#[derive(Clone)]
pub(crate) struct ExpiryTimer(pub(crate) tokio::task::AbortHandle);
