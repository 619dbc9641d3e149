//! Who may connect: the origin allow-list and connection caps, checked when a socket
//! connects to a namespace (every transport passes there), and the CORS headers that let
//! allowed browser origins use HTTP long-polling.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::ConnectInfo;
use http::HeaderValue;
use http::request::Parts;

use crate::auth::Refusal;

/// Which browser origins may connect.
///
/// A request without an `Origin` header (a server-side client) is always allowed: the check
/// protects browsers' users from pages of other sites (cross-site WebSocket hijacking, which
/// CORS does not cover).
///
/// ```
/// use eventwire::Origins;
///
/// let origins = Origins::list(["https://app.example.com"]);
/// # let _ = origins;
/// ```
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub enum Origins {
    /// Only pages served from the same host and port (the `Origin` matches `Host`). The
    /// default.
    #[default]
    SameOrigin,
    /// Only these origins (`scheme://host[:port]`), and the same origin.
    List(Vec<String>),
    /// Any origin. For public APIs whose clients authenticate with tokens, not cookies.
    Any,
}

impl Origins {
    /// Only these origins, and the same origin.
    pub fn list<I: IntoIterator<Item = S>, S: Into<String>>(origins: I) -> Self {
        Self::List(origins.into_iter().map(Into::into).collect())
    }

    fn allows(&self, request: &Parts) -> bool {
        let Some(origin) = request
            .headers
            .get(http::header::ORIGIN)
            .and_then(|o| o.to_str().ok())
        else {
            return true;
        };
        match self {
            Self::Any => true,
            Self::List(list) if list.iter().any(|allowed| allowed == origin) => true,
            Self::SameOrigin | Self::List(_) => {
                let host = request
                    .headers
                    .get(http::header::HOST)
                    .and_then(|h| h.to_str().ok());
                let origin_host = origin.split_once("://").map(|(_, rest)| rest);
                host.is_some() && origin_host == host
            }
        }
    }

    /// CORS response headers for HTTP long-polling from the allowed origins.
    pub(crate) fn cors(&self) -> tower_http::cors::CorsLayer {
        use tower_http::cors::{AllowOrigin, CorsLayer};
        match self {
            Self::SameOrigin => CorsLayer::new(),
            Self::List(list) => {
                let origins: Vec<HeaderValue> = list
                    .iter()
                    .filter_map(|o| HeaderValue::from_str(o).ok())
                    .collect();
                CorsLayer::new()
                    .allow_origin(AllowOrigin::list(origins))
                    .allow_credentials(true)
            }
            Self::Any => CorsLayer::new().allow_origin(AllowOrigin::mirror_request()),
        }
        .allow_methods([http::Method::GET, http::Method::POST])
    }
}

/// Counts live connections, in all and per client IP.
#[derive(Debug, Default)]
pub(crate) struct Connections {
    total: AtomicUsize,
    per_ip: Mutex<HashMap<IpAddr, usize>>,
}

/// What a connection holds until it ends: its place in the counts, given back on drop.
///
/// Deliberately not `Clone`: each value gives back one place, so a copy would give it back
/// twice. The socket keeps it behind an `Arc` (extensions must be `Clone`); the last
/// `Arc` to go releases it once.
pub(crate) struct Admission {
    connections: Arc<Connections>,
    ip: Option<IpAddr>,
}

impl Admission {
    /// Takes a place in the total count.
    fn new(connections: &Arc<Connections>) -> (Self, usize) {
        let total = connections.total.fetch_add(1, Ordering::Relaxed) + 1;
        let admission = Self {
            connections: connections.clone(),
            ip: None,
        };
        (admission, total)
    }
}

impl Drop for Admission {
    fn drop(&mut self) {
        self.connections.total.fetch_sub(1, Ordering::Relaxed);
        if let Some(ip) = self.ip {
            let mut per_ip = self
                .connections
                .per_ip
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            if let Some(count) = per_ip.get_mut(&ip) {
                *count -= 1;
                if *count == 0 {
                    per_ip.remove(&ip);
                }
            }
        }
    }
}

/// Why [`Access::admit`] refused a connection.
#[derive(Debug)]
pub(crate) struct Denied {
    /// The rule, as logs and metrics name it: `origin` or `capacity`.
    pub(crate) reason: &'static str,
    /// What the client is told.
    pub(crate) refusal: Refusal,
}

impl Denied {
    fn new(reason: &'static str, message: &'static str) -> Self {
        Self {
            reason,
            refusal: Refusal::new(message),
        }
    }
}

/// The connection rules of a server.
#[derive(Debug, Clone)]
pub(crate) struct Access {
    pub(crate) origins: Origins,
    pub(crate) max_connections: Option<usize>,
    pub(crate) max_connections_per_ip: Option<usize>,
    pub(crate) connections: Arc<Connections>,
    /// Earlier `<stem>.schema.json` documents whose compatible clients are accepted.
    pub(crate) earlier_contracts: Arc<Vec<String>>,
}

impl Access {
    /// Admits a connecting socket or says why not. The admission is released when dropped
    /// (it is kept in the socket's extensions, which die with it).
    pub(crate) fn admit(&self, request: &Parts) -> Result<Arc<Admission>, Denied> {
        if !self.origins.allows(request) {
            return Err(Denied::new("origin", "this origin is not allowed"));
        }
        // From here on, dropping `admission` undoes the counting.
        let (mut admission, total) = Admission::new(&self.connections);
        if self.max_connections.is_some_and(|max| total > max) {
            return Err(Denied::new(
                "capacity",
                "the server has too many connections; try again later",
            ));
        }
        let ip = request
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| info.0.ip());
        if self.max_connections_per_ip.is_some() && ip.is_none() {
            // Serving without connect-info would silently lift the cap: refuse instead.
            tracing::error!(
                "refusing a connection: `max_connections_per_ip` is set but the request carries \
                 no peer address; serve with `into_make_service_with_connect_info::<SocketAddr>()`"
            );
            return Err(Denied::new(
                "capacity",
                "the server cannot see the client's address",
            ));
        }
        if let (Some(max), Some(ip)) = (self.max_connections_per_ip, ip) {
            let mut per_ip = self
                .connections
                .per_ip
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            let count = per_ip.entry(ip).or_default();
            if *count >= max {
                return Err(Denied::new(
                    "capacity",
                    "too many connections from this address",
                ));
            }
            *count += 1;
            admission.ip = Some(ip);
        }
        Ok(Arc::new(admission))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(origin: Option<&str>, host: &str) -> Parts {
        let mut builder = http::Request::builder().header(http::header::HOST, host);
        if let Some(origin) = origin {
            builder = builder.header(http::header::ORIGIN, origin);
        }
        builder.body(()).expect("a request").into_parts().0
    }

    #[test]
    fn origins() {
        let same = Origins::SameOrigin;
        assert!(same.allows(&request(None, "chat.example:3000")));
        assert!(same.allows(&request(
            Some("http://chat.example:3000"),
            "chat.example:3000"
        )));
        assert!(!same.allows(&request(Some("http://evil.example"), "chat.example:3000")));
        assert!(!same.allows(&request(
            Some("http://chat.example:3001"),
            "chat.example:3000"
        )));
        let list = Origins::list(["https://app.example"]);
        assert!(list.allows(&request(Some("https://app.example"), "api.example")));
        assert!(!list.allows(&request(Some("https://app.example.evil"), "api.example")));
        assert!(Origins::Any.allows(&request(Some("http://anything"), "api.example")));
    }

    #[test]
    fn caps_count_live_connections_and_release_them() {
        let access = Access {
            origins: Origins::Any,
            max_connections: Some(2),
            max_connections_per_ip: None,
            connections: Arc::default(),
            earlier_contracts: Arc::default(),
        };
        let parts = request(None, "h");
        let a = access.admit(&parts).expect("first");
        let _b = access.admit(&parts).expect("second");
        assert!(access.admit(&parts).is_err(), "third is over the cap");
        drop(a);
        assert!(access.admit(&parts).is_ok(), "a slot came back");
    }

    impl Connections {
        fn counts(&self) -> (usize, usize) {
            let per_ip = self.per_ip.lock().expect("not poisoned");
            (self.total.load(Ordering::Relaxed), per_ip.values().sum())
        }
    }

    // An admission gives back one place when dropped, so it must not be `Clone`: this
    // does not compile if it is (the two impls below both apply to a `Clone` type and
    // make `_` ambiguous).
    trait AmbiguousIfClone<Marker> {
        fn check() {}
    }
    impl<T: ?Sized> AmbiguousIfClone<()> for T {}
    impl<T: Clone> AmbiguousIfClone<u8> for T {}
    const _: fn() = || <Admission as AmbiguousIfClone<_>>::check();

    #[test]
    fn every_admission_is_given_back_once_whatever_refused_it() {
        let access = Access {
            origins: Origins::Any,
            max_connections: Some(3),
            max_connections_per_ip: Some(2),
            connections: Arc::default(),
            earlier_contracts: Arc::default(),
        };
        let mut parts = request(None, "h");
        parts
            .extensions
            .insert(ConnectInfo(SocketAddr::from(([10, 0, 0, 1], 1000))));
        let first = access.admit(&parts).expect("first");
        // Shared like the socket's extensions share it.
        let shared = [first.clone(), first.clone()];
        let second = access.admit(&parts).expect("second");
        assert!(access.admit(&parts).is_err(), "over the per-address cap");
        assert_eq!(access.connections.counts(), (2, 2));
        let mut elsewhere = request(None, "h");
        elsewhere
            .extensions
            .insert(ConnectInfo(SocketAddr::from(([10, 0, 0, 2], 1000))));
        let other = access.admit(&elsewhere).expect("another address");
        assert!(access.admit(&elsewhere).is_err(), "over the total cap");
        assert_eq!(access.connections.counts(), (3, 3));
        drop((first, shared, second, other));
        assert_eq!(access.connections.counts(), (0, 0));
        assert!(
            access
                .connections
                .per_ip
                .lock()
                .expect("not poisoned")
                .is_empty()
        );
    }

    #[test]
    fn per_ip_caps_use_the_peer_address() {
        let access = Access {
            origins: Origins::Any,
            max_connections: None,
            max_connections_per_ip: Some(1),
            connections: Arc::default(),
            earlier_contracts: Arc::default(),
        };
        let from = |ip: [u8; 4]| {
            let mut parts = request(None, "h");
            parts
                .extensions
                .insert(ConnectInfo(SocketAddr::from((ip, 1000))));
            parts
        };
        let first = access.admit(&from([10, 0, 0, 1])).expect("first from .1");
        assert!(access.admit(&from([10, 0, 0, 1])).is_err());
        assert!(
            access.admit(&from([10, 0, 0, 2])).is_ok(),
            "another address has its own cap"
        );
        drop(first);
        assert!(access.admit(&from([10, 0, 0, 1])).is_ok());
        // Without connect-info the cap cannot hold: refused, not waved through.
        let refused = access.admit(&request(None, "h")).err().expect("refused");
        assert_eq!(
            refused.refusal.to_string(),
            "the server cannot see the client's address"
        );
    }
}
