//! A set of sync keys to look keys up in, millions of times: a key of up to 15 bytes (a
//! personnummer, a group id) is kept in the table itself, so a lookup reads one slot and
//! not also the key's text from wherever it was allocated. Longer keys are kept as text.

/// Keys of at most this many bytes are kept inline.
const INLINE: usize = 15;

#[derive(Default)]
pub struct KeySet<'k> {
    short: foldhash::HashSet<u128>,
    long: foldhash::HashSet<&'k str>,
}

impl<'k> KeySet<'k> {
    /// A set of `count` keys (room for them is made at once).
    pub fn new(count: usize, keys: impl Iterator<Item = &'k str>) -> Self {
        let mut set = KeySet::default();
        set.short.reserve(count);
        for key in keys {
            match inline(key) {
                Some(bits) => set.short.insert(bits),
                None => set.long.insert(key),
            };
        }
        set
    }

    pub fn contains(&self, key: &str) -> bool {
        match inline(key) {
            Some(bits) => self.short.contains(&bits),
            None => self.long.contains(key),
        }
    }
}

/// A short key's bytes and its length in one number: `ab` and `ab\0` differ.
pub(super) fn inline(key: &str) -> Option<u128> {
    let bytes = key.as_bytes();
    if bytes.len() > INLINE {
        return None;
    }
    let mut packed = [0u8; 16];
    packed[..bytes.len()].copy_from_slice(bytes);
    packed[INLINE] = bytes.len() as u8;
    Some(u128::from_le_bytes(packed))
}

#[cfg(test)]
mod tests {
    use super::KeySet;
    use proptest::prelude::*;
    use std::collections::HashSet;

    proptest! {
        /// The set answers as a set of the keys' text does, for keys around the inline
        /// length and keys that differ only by trailing NUL bytes.
        #[test]
        fn answers_as_a_set_of_strings(
            keys in prop::collection::vec("[a\\x00]{0,3}[0-9]{0,17}\\x00{0,2}", 0..40),
            probes in prop::collection::vec("[a\\x00]{0,3}[0-9]{0,17}\\x00{0,2}", 0..40),
        ) {
            let set = KeySet::new(keys.len(), keys.iter().map(String::as_str));
            let plain: HashSet<&str> = keys.iter().map(String::as_str).collect();
            for probe in probes.iter().chain(&keys) {
                prop_assert_eq!(set.contains(probe), plain.contains(probe.as_str()), "{:?}", probe);
            }
        }
    }

    #[test]
    fn a_trailing_nul_is_another_key() {
        let set = KeySet::new(2, ["ab", "201001011234567"].into_iter());
        assert!(set.contains("ab"));
        assert!(!set.contains("ab\0"));
        assert!(!set.contains("a"));
        assert!(set.contains("201001011234567"));
        assert!(!set.contains("2010010112345678"));
    }
}
