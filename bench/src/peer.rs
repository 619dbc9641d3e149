//! The peers compared.

use std::fmt;
use std::str::FromStr;

/// A server under test (see [`servers`](crate::servers)).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub enum Peer {
    /// eventwire: typed and validated, typed acks.
    Eventwire,
    /// socketioxide by hand: `TryData<T>`, checks by hand, `AckSender`.
    Raw,
    /// Node's socket.io 4.8.
    Node,
    /// tokio-tungstenite answering frames without parsing JSON: the ceiling.
    Echo,
}

impl Peer {
    /// Every peer, in report order.
    pub const ALL: [Peer; 4] = [Peer::Eventwire, Peer::Raw, Peer::Node, Peer::Echo];

    /// Its name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Peer::Eventwire => "eventwire",
            Peer::Raw => "raw",
            Peer::Node => "node",
            Peer::Echo => "echo",
        }
    }

    /// What the report calls it.
    pub fn label(self) -> &'static str {
        match self {
            Peer::Eventwire => "eventwire",
            Peer::Raw => "raw socketioxide",
            Peer::Node => "Node socket.io",
            Peer::Echo => "tungstenite echo",
        }
    }

    /// Whether it is one of the Rust servers (which can use more than one thread).
    pub fn is_rust(self) -> bool {
        self != Peer::Node
    }
}

impl fmt::Display for Peer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Peer {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Peer::ALL
            .into_iter()
            .find(|peer| peer.name() == s)
            .ok_or_else(|| format!("unknown peer `{s}` (expected eventwire, raw, node or echo)"))
    }
}
