//! [`IdMap`]: a map keyed by subscription id, hashed with foldhash.
//!
//! Publishing a change looks up every candidate subscription by id (W6: four per delivery);
//! with std's default SipHash that was about 300 instructions per delivery. The ids are
//! numbered by the server, never chosen by a client, so the flooding SipHash guards against
//! cannot happen here, and foldhash's fast hash (hashbrown's own default, a few
//! multiplications for a `u64`) is enough.

use std::collections::HashMap;

/// A map from server-assigned subscription ids.
pub(crate) type IdMap<V> = HashMap<u64, V, foldhash::fast::FixedState>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_map_finds_what_it_holds() {
        let mut map = IdMap::default();
        for id in 0..10_000u64 {
            map.insert(id, id * 2);
        }
        assert!((0..10_000u64).all(|id| map.get(&id) == Some(&(id * 2))));
        assert_eq!(map.get(&10_000), None);
    }
}
