//! Records packed one after another, in the order they were added: what a block maps its
//! rows into, a segment at a time, before they are sorted into runs ([`super::Run`]; groups
//! are placed in this order). Keys go into one string, fields into one
//! byte buffer, and each record takes where its key and fields start and the row it came
//! from: no allocation per record. At 1M pupils a block maps seven million memberships;
//! as a key and fields of their own each, they took 180 bytes apiece, packed about 100.

use super::fields::{Fields, FieldsRef};

/// After this many records, room is made for the rest ([`Packed::with_capacity`]).
const SAMPLE: usize = 1024;

#[derive(Default, Debug)]
pub struct Packed {
    keys: String,
    fields: Vec<u8>,
    records: Vec<At>,
}

/// Where one record's key and fields start, and the row it came from.
#[derive(Debug, Clone, Copy)]
struct At {
    key: usize,
    fields: usize,
    row: u32,
}

impl Packed {
    /// Room for `n` records.
    pub fn with_capacity(n: usize) -> Packed {
        Packed {
            records: Vec::with_capacity(n),
            ..Packed::default()
        }
    }

    /// Adds a record: its key, its field values in schema order, and its row.
    pub fn push<'a, I>(&mut self, key: &str, values: I, row: u32)
    where
        I: IntoIterator<Item = Option<&'a str>>,
        I::IntoIter: ExactSizeIterator + Clone,
    {
        if self.records.len() == SAMPLE {
            self.reserve_like_the_first();
        }
        self.records.push(At {
            key: self.keys.len(),
            fields: self.fields.len(),
            row,
        });
        self.keys.push_str(key);
        Fields::pack_into(values, &mut self.fields);
    }

    /// Room for as many records as room was made for, as large as the first ones: the
    /// text of millions of records is then not copied each time its buffer doubles (nor
    /// held twice while it is). Room reserved and never written is never touched.
    fn reserve_like_the_first(&mut self) {
        let rest = self.records.capacity().saturating_sub(self.records.len());
        let room = |used: usize| (used / SAMPLE + 1).saturating_mul(rest) / 8 * 9;
        self.keys.reserve(room(self.keys.len()));
        self.fields.reserve(room(self.fields.len()));
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// No records, with the room they took kept for the next ones.
    pub fn clear(&mut self) {
        self.keys.clear();
        self.fields.clear();
        self.records.clear();
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The key of record `i` (`i` below [`Packed::len`]).
    pub fn key(&self, i: usize) -> &str {
        let end = self.records.get(i + 1).map_or(self.keys.len(), |n| n.key);
        &self.keys[self.records[i].key..end]
    }

    /// The fields of record `i`.
    pub fn fields(&self, i: usize) -> FieldsRef<'_> {
        let end = (self.records.get(i + 1)).map_or(self.fields.len(), |n| n.fields);
        // Packed by `push`, whole.
        FieldsRef::trusted(&self.fields[self.records[i].fields..end])
    }

    /// The row record `i` came from.
    pub fn row(&self, i: usize) -> u32 {
        self.records[i].row
    }

    /// Each record's key, fields and row, in the order they were added.
    pub fn iter(&self) -> impl Iterator<Item = (&str, FieldsRef<'_>, u32)> {
        (0..self.len()).map(|i| (self.key(i), self.fields(i), self.row(i)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_read_back_as_they_were_added() {
        let mut packed = Packed::with_capacity(2);
        packed.push("b/å", [Some("Åsa"), None, Some("")], 7);
        packed.push("", std::iter::empty(), 0);
        packed.push("a", [None], 3);
        let read: Vec<(&str, Vec<Option<&str>>, u32)> = packed
            .iter()
            .map(|(k, f, row)| (k, f.iter().collect(), row))
            .collect();
        assert_eq!(
            read,
            [
                ("b/å", vec![Some("Åsa"), None, Some("")], 7),
                ("", vec![], 0),
                ("a", vec![None], 3)
            ]
        );
        assert_eq!(
            packed.fields(0),
            Fields::new([Some("Åsa"), None, Some("")]).view()
        );
        assert_eq!(packed.fields(1), Fields::default().view());
        assert_eq!(packed.len(), 3);
    }
}
