//! [`IdMap`]: a map keyed by subscription id, with a hash of one multiplication.
//!
//! Publishing a change looks up every candidate subscription by id (W6: four per delivery);
//! with std's default SipHash that was about 300 instructions per delivery. The ids are
//! numbered by the server, never chosen by a client, so the flooding SipHash guards against
//! cannot happen here, and Fibonacci hashing (the id times 2^64 / φ) spreads consecutive
//! ids over the table's high bits, which hashbrown's probing reads.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A map from server-assigned subscription ids.
pub(crate) type IdMap<V> = HashMap<u64, V, BuildHasherDefault<IdHasher>>;

/// Hashes one `u64` by multiplying it with 2^64 / φ.
#[derive(Default)]
pub(crate) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `u64` keys use this hasher; any other input still hashes, byte by byte.
        for &byte in bytes {
            self.write_u64(self.0 ^ u64::from(byte));
        }
    }

    fn write_u64(&mut self, id: u64) {
        self.0 = id.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consecutive_ids_differ_in_their_high_bits() {
        let top = |id: u64| {
            let mut hasher = IdHasher::default();
            hasher.write_u64(id);
            hasher.finish() >> 57
        };
        let distinct: std::collections::HashSet<u64> = (0..128).map(top).collect();
        // hashbrown files entries by their top 7 bits: 128 ids, spread over most of them.
        assert!(distinct.len() > 64, "{} distinct", distinct.len());
    }

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
