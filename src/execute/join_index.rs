//! A join's index: the joined dataset's rows by their value of the join's build side. A key
//! of up to 15 bytes (a personnummer, an employee number) is kept in the table itself, as
//! in [`super::key_set`], and a key's one row beside it: an index of a million AD accounts
//! is then one table, not a string and a list allocated per account.

use super::key_set::inline;

#[derive(Default)]
pub struct JoinIndex {
    short: foldhash::HashMap<u128, Rows>,
    long: foldhash::HashMap<String, Rows>,
}

/// The rows of one key, in row order: most keys have one.
pub enum Rows {
    One(u32),
    Many(Vec<u32>),
}

impl Rows {
    pub fn as_slice(&self) -> &[u32] {
        match self {
            Rows::One(row) => std::slice::from_ref(row),
            Rows::Many(rows) => rows,
        }
    }

    fn push(&mut self, row: u32) {
        match self {
            Rows::One(first) => *self = Rows::Many(vec![*first, row]),
            Rows::Many(rows) => rows.push(row),
        }
    }
}

impl JoinIndex {
    /// Room for `n` keys.
    pub fn with_capacity(n: usize) -> JoinIndex {
        JoinIndex {
            short: foldhash::HashMap::with_capacity_and_hasher(n, Default::default()),
            long: foldhash::HashMap::default(),
        }
    }

    /// Adds `row` under `key`, after the rows added before it.
    pub fn push(&mut self, key: &str, row: u32) {
        let rows = match inline(key) {
            Some(bits) => self.short.entry(bits),
            None => return self.push_long(key, row),
        };
        rows.and_modify(|r| r.push(row)).or_insert(Rows::One(row));
    }

    fn push_long(&mut self, key: &str, row: u32) {
        match self.long.get_mut(key) {
            Some(rows) => rows.push(row),
            None => {
                self.long.insert(key.to_string(), Rows::One(row));
            }
        }
    }

    /// How many keys are indexed.
    pub fn len(&self) -> usize {
        self.short.len() + self.long.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The rows under `key`, in the order they were added.
    pub fn get(&self, key: &str) -> Option<&[u32]> {
        let rows = match inline(key) {
            Some(bits) => self.short.get(&bits),
            None => self.long.get(key),
        };
        rows.map(Rows::as_slice)
    }

    /// The rows of each key with more than one.
    pub fn several(&mut self) -> impl Iterator<Item = &mut Rows> {
        (self.short.values_mut())
            .chain(self.long.values_mut())
            .filter(|r| matches!(r, Rows::Many(_)))
    }
}

#[cfg(test)]
mod tests {
    use super::JoinIndex;
    use proptest::prelude::*;
    use std::collections::HashMap;

    proptest! {
        /// The index answers as a map of the keys' text to their rows in order does, for
        /// keys around the inline length.
        #[test]
        fn answers_as_a_map_of_strings(
            keys in prop::collection::vec("[a\\x00]{0,2}[0-9]{0,17}", 0..60),
            probes in prop::collection::vec("[a\\x00]{0,2}[0-9]{0,17}", 0..20),
        ) {
            let mut index = JoinIndex::with_capacity(keys.len());
            let mut want: HashMap<&str, Vec<u32>> = HashMap::new();
            for (row, key) in keys.iter().enumerate() {
                index.push(key, row as u32);
                want.entry(key).or_default().push(row as u32);
            }
            for key in keys.iter().chain(&probes) {
                prop_assert_eq!(index.get(key), want.get(key.as_str()).map(Vec::as_slice));
            }
            prop_assert_eq!(index.len(), want.len());
            let several = want.values().filter(|r| r.len() > 1).count();
            prop_assert_eq!(index.several().count(), several);
        }
    }
}
