//! A hash map keyed by small integers and the bits of doubles, for numbering a survey's
//! strata, sampling units and distinct weights: a million rows are looked up in turn,
//! and the standard library's SipHash (built to resist crafted keys, which a survey
//! file's numbers need not) spends more time hashing than the look-ups take.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A map whose keys are hashed by [`WordHasher`].
pub(crate) type WordMap<K, V> = HashMap<K, V, BuildHasherDefault<WordHasher>>;

/// An empty [`WordMap`].
pub(crate) fn word_map<K, V>() -> WordMap<K, V> {
    HashMap::with_hasher(BuildHasherDefault::default())
}

/// Multiplies each word in (the mixing of the Fx hash of the Rust compiler), then mixes
/// the result once more so that every bit of the key reaches every bit of the hash.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct WordHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl WordHasher {
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for WordHasher {
    fn finish(&self) -> u64 {
        // The words are mixed into the high bits only (an integer cluster number as a
        // double has its low 40 bits 0): the finalizer of SplitMix64 spreads them over
        // the low bits too, which pick the map's bucket.
        let mut z = self.hash;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_that_differ_map_apart_and_equal_keys_meet() {
        let mut map: WordMap<(usize, u64), usize> = word_map();
        for s in 0..6 {
            for c in 0..1000u64 {
                let next = map.len();
                map.entry((s, (c as f64 * 0.25).to_bits())).or_insert(next);
            }
        }
        assert_eq!(map.len(), 6000);
        assert_eq!(map.get(&(0, 0.0f64.to_bits())), Some(&0));
        assert_eq!(map.get(&(5, 249.75f64.to_bits())), Some(&5999));
        let mut h = WordHasher::default();
        h.write(b"abcdefghij");
        let mut g = WordHasher::default();
        g.write(b"abcdefghik");
        assert_ne!(h.finish(), g.finish());
    }
}
