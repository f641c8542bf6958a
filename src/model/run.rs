//! A run: mapped records sorted by key, kept in compressed blocks that are freed as the run
//! is read. A block maps its rows into [`super::Packed`] arrivals a segment at a time; each
//! segment is sorted into a run while it is still in the cache, and placement merges the
//! runs of an entity into its table ([`super::RecordTable`]), dropping each block once
//! every record in it is placed. At 1M pupils the six and a half million memberships took
//! about 940 MB as arrivals (a group's id, 36 characters, is in each key and each record's
//! fields) and as much again as a table, both resident at the run's peak; sorted, a run's
//! blocks compress to about a fifth (LZ4, as state's chunks: neighbours share the group).
//!
//! Records with the same key stay in the order they arrived; each keeps its row and its
//! number among the records its part mapped (to report it as a duplicate in arrival order).

use super::fields::FieldsRef;
use super::packed::Packed;
use std::collections::VecDeque;

/// A block is compressed once its keys and fields reach this size. Small enough that
/// little is held open while a merge reads it, large enough to compress well.
const BLOCK_SIZE: usize = 64 * 1024;

/// Records in key order, in compressed blocks: made by [`Run::sorted`], cut in ranges of
/// keys by [`Run::cut`] and read from the front by [`Run::read`].
#[derive(Default, Debug)]
pub struct Run {
    blocks: VecDeque<Sealed>,
    len: usize,
}

/// A block compressed: its first key (where a run can be cut), how many records it holds,
/// and its keys and the rest (fields, then each record's lengths, row and number), each
/// compressed on its own with its length before compression.
#[derive(Debug)]
struct Sealed {
    first: Box<str>,
    count: usize,
    keys: (usize, Box<[u8]>),
    rest: (usize, Box<[u8]>),
}

/// A block open: its records one after another, their keys in one string, their packed
/// fields in one buffer.
#[derive(Default, Debug)]
struct Block {
    keys: String,
    fields: Vec<u8>,
    slots: Vec<Slot>,
}

/// Where a record's key and fields start in its open block (below [`BLOCK_SIZE`] plus one
/// record: a block closes after the record that reaches the size, so a start always fits),
/// its row and its number in its part.
#[derive(Clone, Copy, Debug)]
struct Slot {
    key: u32,
    fields: u32,
    row: u32,
    number: u32,
}

/// One record of a run, borrowed from it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RunRecord<'a> {
    pub key: &'a str,
    pub fields: FieldsRef<'a>,
    pub row: u32,
    /// Its number among the records its part mapped, in the order they arrived.
    pub number: u32,
}

impl Run {
    /// The records of `packed` in key order (and in the order they were added within a key),
    /// numbered from `first`.
    pub fn sorted(packed: &Packed, first: u32) -> Run {
        let mut order: Vec<(u128, u32)> = (0..packed.len() as u32)
            .map(|i| (key_prefix(packed.key(i as usize).as_bytes()), i))
            .collect();
        let key = |i: u32| packed.key(i as usize);
        order.sort_unstable_by(|a, b| {
            (a.0.cmp(&b.0))
                .then_with(|| key(a.1).cmp(key(b.1)))
                .then(a.1.cmp(&b.1))
        });
        let mut run = Run::default();
        let mut block = Block::default();
        for (_, i) in order {
            let i = i as usize;
            let number = first.saturating_add(i as u32);
            block.push(packed.key(i), packed.fields(i), packed.row(i), number);
            if block.size() >= BLOCK_SIZE {
                run.seal(&block);
                block.clear();
            }
        }
        if !block.slots.is_empty() {
            run.seal(&block);
        }
        run
    }

    fn seal(&mut self, block: &Block) {
        self.len += block.slots.len();
        self.blocks.push_back(block.seal());
    }

    /// How many records it holds.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Each block's first key: where a run could be cut.
    pub fn block_keys(&self) -> impl Iterator<Item = &str> {
        self.blocks.iter().map(|b| &*b.first)
    }

    /// The run cut before its first key at or after each of `at` (in order): the records
    /// with keys before `at[0]`, then those from `at[0]` up to `at[1]`, and so on.
    pub fn cut(mut self, at: &[&str]) -> Vec<Run> {
        let mut parts = Vec::with_capacity(at.len() + 1);
        for key in at {
            let rest = self.split_off(key);
            parts.push(self);
            self = rest;
        }
        parts.push(self);
        parts
    }

    /// The records from the first key at or after `key` on, taken off this run.
    fn split_off(&mut self, key: &str) -> Run {
        // Blocks before `b` start before `key`: the last of them may hold the cut.
        let b = self.blocks.partition_point(|b| &*b.first < key);
        let mut rest = Run {
            blocks: self.blocks.split_off(b),
            len: 0,
        };
        if let Some(last) = self.blocks.back_mut() {
            let mut open = Block::default();
            last.open(&mut open);
            // Its first key is before `key`: what moves is never the whole block.
            if let Some(i) = (1..open.slots.len()).find(|&i| open.key(i) >= key) {
                let moved = open.split_off(i);
                *last = open.seal();
                rest.blocks.push_front(moved.seal());
            }
        }
        rest.len = rest.blocks.iter().map(|b| b.count).sum();
        self.len -= rest.len;
        rest
    }

    /// The run read from its first record on.
    pub fn read(self) -> Reader {
        let mut reader = Reader {
            blocks: self.blocks,
            open: Block::default(),
            next: 0,
            len: self.len,
        };
        reader.open_next();
        reader
    }
}

/// A run being read: its first block not yet passed is open, the rest compressed; each is
/// freed once passed.
#[derive(Debug)]
pub struct Reader {
    blocks: VecDeque<Sealed>,
    open: Block,
    /// The place of the next record in the open block.
    next: usize,
    len: usize,
}

impl Reader {
    /// How many records are left to read.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The next record, when there is one.
    pub fn head(&self) -> Option<RunRecord<'_>> {
        (self.next < self.open.slots.len()).then(|| self.open.record(self.next))
    }

    /// Moves past the next record; the block it was in is freed once it is passed.
    pub fn advance(&mut self) {
        if self.next >= self.open.slots.len() {
            return;
        }
        self.len -= 1;
        self.next += 1;
        if self.next == self.open.slots.len() {
            self.open_next();
        }
    }

    /// Opens the next compressed block (in the open one's room), or leaves none open.
    fn open_next(&mut self) {
        self.next = 0;
        match self.blocks.pop_front() {
            Some(sealed) => sealed.open(&mut self.open),
            None => self.open = Block::default(),
        }
    }
}

impl Sealed {
    /// Its records, open in `into` (whose room is used again).
    fn open(&self, into: &mut Block) {
        let (keys_len, keys) = &self.keys;
        let (rest_len, rest) = &self.rest;
        let mut raw = std::mem::take(&mut into.keys).into_bytes();
        uncompress(keys, *keys_len, &mut raw);
        // Keys compressed from a `String` (`Block::seal`).
        into.keys = String::from_utf8(raw).expect("a run's keys unpack as they were packed");
        uncompress(rest, *rest_len, &mut into.fields);
        // The slots follow the fields, sixteen bytes each (`Block::seal`).
        let fields_len = into.fields.len() - self.count * SLOT_BYTES;
        into.slots.clear();
        into.slots.extend(
            into.fields[fields_len..]
                .chunks_exact(SLOT_BYTES)
                .map(Slot::from_bytes),
        );
        into.fields.truncate(fields_len);
    }
}

/// `bytes` uncompressed into `raw`, which is `len` long after.
fn uncompress(bytes: &[u8], len: usize, raw: &mut Vec<u8>) {
    raw.clear();
    raw.resize(len, 0);
    let n = lz4_flex::block::decompress_into(bytes, raw);
    assert!(
        n.is_ok_and(|n| n == len),
        "a run's block unpacks as it was packed"
    );
}

const SLOT_BYTES: usize = 16;

impl Slot {
    fn to_bytes(self) -> [u8; SLOT_BYTES] {
        let mut out = [0u8; SLOT_BYTES];
        let parts = [self.key, self.fields, self.row, self.number];
        for (to, part) in out.chunks_exact_mut(4).zip(parts) {
            to.copy_from_slice(&part.to_le_bytes());
        }
        out
    }

    fn from_bytes(bytes: &[u8]) -> Slot {
        let part = |i: usize| {
            let mut four = [0u8; 4];
            four.copy_from_slice(&bytes[i * 4..i * 4 + 4]);
            u32::from_le_bytes(four)
        };
        Slot {
            key: part(0),
            fields: part(1),
            row: part(2),
            number: part(3),
        }
    }
}

impl Block {
    fn push(&mut self, key: &str, fields: FieldsRef, row: u32, number: u32) {
        self.slots.push(Slot {
            key: self.keys.len() as u32,
            fields: self.fields.len() as u32,
            row,
            number,
        });
        self.keys.push_str(key);
        self.fields.extend_from_slice(fields.as_blob());
    }

    fn clear(&mut self) {
        self.keys.clear();
        self.fields.clear();
        self.slots.clear();
    }

    /// The bytes its keys and fields take.
    fn size(&self) -> usize {
        self.keys.len() + self.fields.len()
    }

    /// Its records compressed: the keys, and the fields followed by the slots.
    fn seal(&self) -> Sealed {
        let mut rest = Vec::with_capacity(self.fields.len() + self.slots.len() * SLOT_BYTES);
        rest.extend_from_slice(&self.fields);
        for slot in &self.slots {
            rest.extend_from_slice(&slot.to_bytes());
        }
        let packed = |raw: &[u8]| (raw.len(), lz4_flex::block::compress(raw).into_boxed_slice());
        Sealed {
            first: self.slots.first().map_or("", |_| self.key(0)).into(),
            count: self.slots.len(),
            keys: packed(self.keys.as_bytes()),
            rest: packed(&rest),
        }
    }

    fn key(&self, i: usize) -> &str {
        let end = (self.slots.get(i + 1)).map_or(self.keys.len(), |s| s.key as usize);
        &self.keys[self.slots[i].key as usize..end]
    }

    fn record(&self, i: usize) -> RunRecord<'_> {
        let slot = &self.slots[i];
        let end = (self.slots.get(i + 1)).map_or(self.fields.len(), |s| s.fields as usize);
        RunRecord {
            key: self.key(i),
            // Copied from a `FieldsRef` whole (`Block::push`).
            fields: FieldsRef::trusted(&self.fields[slot.fields as usize..end]),
            row: slot.row,
            number: slot.number,
        }
    }

    /// The records from `i` on (`i` below the count), moved to a block of their own.
    fn split_off(&mut self, i: usize) -> Block {
        let (key, fields) = (self.slots[i].key, self.slots[i].fields);
        Block {
            keys: self.keys.split_off(key as usize),
            fields: self.fields.split_off(fields as usize),
            slots: (self.slots.split_off(i).into_iter())
                .map(|s| Slot {
                    key: s.key - key,
                    fields: s.fields - fields,
                    ..s
                })
                .collect(),
        }
    }
}

/// A key's first sixteen bytes as a number that sorts as the bytes do (shorter keys padded
/// with zeros, so a tie falls back to comparing the whole keys). Sixteen, not eight: a
/// membership key such as `G0000123/20100101...` shares its first eight bytes with the
/// group's other members.
pub fn key_prefix(key: &[u8]) -> u128 {
    let mut bytes = [0u8; 16];
    let n = key.len().min(16);
    bytes[..n].copy_from_slice(&key[..n]);
    u128::from_be_bytes(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// `keys` packed with a value each (long enough for a few blocks when there are
    /// thousands), rows from 100.
    fn packed(keys: &[String]) -> Packed {
        let mut packed = Packed::default();
        for (i, k) in keys.iter().enumerate() {
            let value = format!("{k}:{i:040}");
            packed.push(k, [Some(value.as_str()), None], 100 + i as u32);
        }
        packed
    }

    /// Key, value, row and number of each record, reading the run to its end.
    fn read(run: Run) -> Vec<(String, String, u32, u32)> {
        let mut out = Vec::new();
        let mut reader = run.read();
        while let Some(r) = reader.head() {
            let value = r.fields.get(0).unwrap_or_default().to_string();
            out.push((r.key.to_string(), value, r.row, r.number));
            reader.advance();
        }
        assert!(reader.is_empty() && reader.blocks.is_empty());
        assert!(reader.open.slots.is_empty());
        out
    }

    #[test]
    fn a_run_reads_in_key_order_and_in_arrival_order_within_a_key() {
        let keys: Vec<String> = ["b", "a", "b", "", "å", "a"].map(String::from).to_vec();
        let run = Run::sorted(&packed(&keys), 10);
        assert_eq!(run.len(), 6);
        let got: Vec<(String, u32, u32)> = read(run)
            .into_iter()
            .map(|(k, _, row, n)| (k, row, n))
            .collect();
        let expected = [
            ("", 103, 13),
            ("a", 101, 11),
            ("a", 105, 15),
            ("b", 100, 10),
        ];
        let expected: Vec<(String, u32, u32)> = (expected.iter())
            .chain(&[("b", 102, 12), ("å", 104, 14)])
            .map(|&(k, row, n)| (k.to_string(), row, n))
            .collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn a_long_run_spans_blocks_and_each_is_freed_when_passed() {
        let keys: Vec<String> = (0..5000)
            .map(|i| format!("k{:05}", (i * 7919) % 5000))
            .collect();
        let run = Run::sorted(&packed(&keys), 0);
        let blocks = run.blocks.len();
        assert!(blocks >= 3, "{blocks} blocks");
        // Compressed: the keys and values repeat much of their neighbours'.
        let stored: usize = (run.blocks.iter())
            .map(|b| b.keys.1.len() + b.rest.1.len())
            .sum();
        let open: usize = (run.blocks.iter()).map(|b| b.keys.0 + b.rest.0).sum();
        assert!(stored * 2 < open, "{stored} of {open} bytes");
        let in_first = run.blocks[0].count;
        let mut reader = run.read();
        // The first block is open, the rest compressed.
        assert_eq!(reader.blocks.len(), blocks - 1);
        for _ in 0..in_first {
            reader.advance();
        }
        assert_eq!(reader.blocks.len(), blocks - 2);
        assert_eq!(reader.len(), 5000 - in_first);
        let next = format!("k{in_first:05}");
        assert_eq!(reader.head().map(|r| r.key), Some(next.as_str()));
    }

    proptest! {
        /// Cut anywhere, a run's parts hold its records in order, each part only the keys of
        /// its range, and records of one key never in two parts.
        #[test]
        fn cut_parts_are_the_run_in_ranges(
            keys in prop::collection::vec(0u16..3000, 0..4000),
            cuts in prop::collection::vec(0u16..3100, 0..4),
        ) {
            let keys: Vec<String> = keys.iter().map(|k| format!("k{k:04}")).collect();
            let whole = read(Run::sorted(&packed(&keys), 0));
            let mut cuts: Vec<String> = cuts.iter().map(|c| format!("k{c:04}")).collect();
            cuts.sort();
            let at: Vec<&str> = cuts.iter().map(String::as_str).collect();
            let parts = Run::sorted(&packed(&keys), 0).cut(&at);
            prop_assert_eq!(parts.len(), at.len() + 1);
            let mut joined = Vec::new();
            for (i, part) in parts.into_iter().enumerate() {
                let len = part.len();
                let read = read(part);
                prop_assert_eq!(read.len(), len);
                for (key, ..) in &read {
                    prop_assert!(i == 0 || key.as_str() >= at[i - 1]);
                    prop_assert!(i == at.len() || key.as_str() < at[i]);
                }
                joined.extend(read);
            }
            prop_assert_eq!(joined, whole);
        }

        /// Prefixes never order two keys against the order of their bytes.
        #[test]
        fn prefixes_sort_as_the_keys_do(a in ".{0,20}", b in ".{0,20}") {
            let (pa, pb) = (key_prefix(a.as_bytes()), key_prefix(b.as_bytes()));
            if pa != pb {
                prop_assert_eq!(pa.cmp(&pb), a.as_bytes().cmp(b.as_bytes()));
            }
        }
    }
}
