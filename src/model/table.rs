//! The records of one entity kind that a target held, as read from state: in key order,
//! packed into a few large buffers (all keys one after another, all fields one after
//! another) instead of a tree with two allocations per record. At 1M pupils state holds 7
//! million records; as a tree they took about 1.2 GB, which is both memory and time on a
//! machine where memory touched for the first time costs about 2.5 ms per MiB.
//!
//! A table is read, walked in key order and looked up by key (binary search); it is not
//! edited. What a target holds after a plan is read through [`crate::diff::Held`], or built
//! as a map for server targets ([`RecordTable::to_map`]).

use super::fields::FieldsRef;
use super::record::{Record, RecordRef};
use super::status::Status;
use std::collections::BTreeMap;

#[derive(Debug, Default, Clone, PartialEq)]
pub struct RecordTable {
    /// Every key, one after another.
    keys: String,
    /// Every record's packed fields, one after another.
    fields: Vec<u8>,
    slots: Vec<Slot>,
}

/// Where a record's key and fields end, and its status.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Slot {
    key_end: usize,
    fields_end: usize,
    status: Status,
}

impl RecordTable {
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Appends a record after the last one; its key must come after the last key.
    pub fn push(&mut self, key: &str, fields: FieldsRef, status: Status) -> Result<(), String> {
        if self.slots.last().is_some() && self.key(self.len() - 1) >= key {
            return Err(format!("key `{key}` is out of order"));
        }
        self.keys.push_str(key);
        self.fields.extend_from_slice(fields.as_blob());
        self.slots.push(Slot {
            key_end: self.keys.len(),
            fields_end: self.fields.len(),
            status,
        });
        Ok(())
    }

    /// The records with their keys, in key order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, RecordRef<'_>)> + Clone {
        (0..self.len()).map(|i| (self.key(i), self.record(i)))
    }

    /// The records whose keys come at or after `key`, in key order.
    pub fn iter_from(&self, key: &str) -> impl Iterator<Item = (&str, RecordRef<'_>)> {
        let start = self.find(key).unwrap_or_else(|i| i);
        (start..self.len()).map(|i| (self.key(i), self.record(i)))
    }

    /// The records, in key order.
    pub fn values(&self) -> impl Iterator<Item = RecordRef<'_>> {
        (0..self.len()).map(|i| self.record(i))
    }

    /// The record kept under `key`.
    pub fn get(&self, key: &str) -> Option<RecordRef<'_>> {
        self.find(key).ok().map(|i| self.record(i))
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.find(key).is_ok()
    }

    /// The records as a map of their own (for code that edits them).
    pub fn to_map(&self) -> BTreeMap<String, Record> {
        self.iter()
            .map(|(key, record)| (key.to_string(), record.to_record()))
            .collect()
    }

    fn find(&self, key: &str) -> Result<usize, usize> {
        let mut range = 0..self.len();
        // A binary search by position: the keys are not an array of their own.
        while range.start < range.end {
            let mid = range.start + (range.end - range.start) / 2;
            match self.key(mid).cmp(key) {
                std::cmp::Ordering::Less => range.start = mid + 1,
                std::cmp::Ordering::Greater => range.end = mid,
                std::cmp::Ordering::Equal => return Ok(mid),
            }
        }
        Err(range.start)
    }

    fn key(&self, i: usize) -> &str {
        let start = i.checked_sub(1).map_or(0, |p| self.slots[p].key_end);
        &self.keys[start..self.slots[i].key_end]
    }

    fn record(&self, i: usize) -> RecordRef<'_> {
        let start = i.checked_sub(1).map_or(0, |p| self.slots[p].fields_end);
        RecordRef {
            // Only checked fields are pushed.
            fields: FieldsRef::trusted(&self.fields[start..self.slots[i].fields_end]),
            status: self.slots[i].status,
        }
    }
}

/// A table of records given in any order; of two records under one key the later is kept,
/// as in a map.
impl FromIterator<(String, Record)> for RecordTable {
    fn from_iter<I: IntoIterator<Item = (String, Record)>>(records: I) -> Self {
        let sorted: BTreeMap<String, Record> = records.into_iter().collect();
        RecordTable::from(&sorted)
    }
}

/// A table of a map's records (already in key order: not sorted again).
impl From<&BTreeMap<String, Record>> for RecordTable {
    fn from(sorted: &BTreeMap<String, Record>) -> Self {
        let mut table = RecordTable::default();
        for (key, record) in sorted {
            // In key order and without repeats: a push cannot fail.
            let _ = table.push(key, record.fields.view(), record.status);
        }
        table
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Fields;

    fn record(name: &str, status: Status) -> Record {
        Record {
            fields: Fields::new([Some(name), None]),
            status,
        }
    }

    #[test]
    fn records_come_back_in_key_order_and_are_found_by_key() {
        let table: RecordTable = [
            ("b".to_string(), record("Bo", Status::Active)),
            ("a".to_string(), record("Åsa", Status::Trashed)),
            ("c".to_string(), record("Cia", Status::Archived)),
            ("b".to_string(), record("Bea", Status::Active)),
        ]
        .into_iter()
        .collect();
        let read: Vec<(&str, Option<&str>, Status)> = table
            .iter()
            .map(|(key, r)| (key, r.fields.get(0), r.status))
            .collect();
        assert_eq!(
            read,
            [
                ("a", Some("Åsa"), Status::Trashed),
                ("b", Some("Bea"), Status::Active),
                ("c", Some("Cia"), Status::Archived)
            ]
        );
        for (key, want) in [("a", Some("Åsa")), ("b", Some("Bea")), ("c", Some("Cia"))] {
            assert_eq!(table.get(key).and_then(|r| r.fields.get(0)), want);
        }
        for missing in ["", "0", "aa", "bb", "d"] {
            assert!(table.get(missing).is_none() && !table.contains_key(missing));
        }
        let from = |key| table.iter_from(key).map(|(k, _)| k).collect::<Vec<_>>();
        assert_eq!(
            (from("b"), from("ab"), from("d")),
            (vec!["b", "c"], vec!["b", "c"], vec![])
        );
        assert_eq!(table.to_map().len(), 3);
        assert_eq!(table.to_map()["b"], record("Bea", Status::Active));
    }

    proptest::proptest! {
        /// A table reads, finds and ranges as the map it was made from.
        #[test]
        fn a_table_reads_as_its_map(
            records in proptest::collection::btree_map("[a-c]{0,3}", 0u8..5, 0..30),
            probes in proptest::collection::vec("[a-c]{0,3}", 0..10),
        ) {
            let map: BTreeMap<String, Record> = records
                .iter()
                .map(|(k, v)| (k.clone(), record(&v.to_string(), Status::Active)))
                .collect();
            let table: RecordTable = map.clone().into_iter().collect();
            proptest::prop_assert_eq!(&table.to_map(), &map);
            for probe in &probes {
                let want = map.get(probe).map(RecordRef::from);
                proptest::prop_assert_eq!(table.get(probe), want);
                let from: Vec<&str> = table.iter_from(probe).map(|(k, _)| k).collect();
                let want: Vec<&str> = map.range(probe.clone()..).map(|(k, _)| k.as_str()).collect();
                proptest::prop_assert_eq!(from, want);
            }
        }
    }

    #[test]
    fn a_key_out_of_order_is_refused() {
        let fields = Fields::new([Some("x")]);
        let mut table = RecordTable::default();
        table.push("b", fields.view(), Status::Active).unwrap();
        assert!(table.push("a", fields.view(), Status::Active).is_err());
        assert!(table.push("b", fields.view(), Status::Active).is_err());
        assert_eq!(table.len(), 1);
    }
}
