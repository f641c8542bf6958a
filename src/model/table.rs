//! The records of one entity kind in key order, packed: what a target held, as read from
//! state, and what a run's roster holds. A table read from state keeps the compressed
//! chunks state stores them in ([`super::chunk`]) and opens them only when read: at 1M
//! pupils state holds 7 million records, 184 MB as chunks, 1.06 GB unpacked, and on this
//! project's machine kind memory touched for the first time costs about 2.5 ms per MiB. A
//! run reads the state while it maps the sources, which is when its memory peaks; the diff
//! and the safety gate then scan the records, a chunk at a time. A roster's table is made
//! in memory, record by record in key order ([`RecordTable::push`]), in open chunks of
//! the same form: about 150 bytes a membership, where a map held two allocations each.
//! The roster's memberships are compressed as each chunk closes ([`RecordTable::sealing`]),
//! as state keeps them.
//!
//! Ways to read a table:
//! - [`RecordTable::scan`] walks every record in key order, opening each chunk in a buffer
//!   used again for the next one: what the diff, the safety gate and the renderers' largest
//!   pass use, so that the whole table is never unpacked at once.
//! - [`Walk`] walks it one record at a time (the diff's other side), over a table it
//!   borrows or one it frees chunk by chunk as it goes.
//! - [`RecordTable::iter`], [`RecordTable::get`] and the rest borrow records from the
//!   table itself: each chunk they reach is unpacked once and kept open.
//!
//! A table is edited only whole: [`RecordTable::retain`] compacts each chunk where it lies,
//! [`RecordTable::edit`] makes the table again with some records' fields replaced. What a
//! target holds after a plan is read through [`crate::diff::Held`], or built as a map for
//! server targets ([`RecordTable::to_map`]).

use super::chunk::{self, Entry, Place};
use super::fields::{Fields, FieldsRef};
use super::record::{Record, RecordRef};
use super::status::Status;
use std::collections::BTreeMap;
use std::sync::OnceLock;

#[derive(Default, Clone)]
pub struct RecordTable {
    chunks: Vec<Chunk>,
    len: usize,
    active: usize,
    /// The last key, which the next record's must come after.
    last: String,
    /// Chunks pushed are compressed as each is closed ([`RecordTable::sealing`]).
    seals: bool,
}

/// Records of the table from `first` (its first key) up to the next chunk's first key.
#[derive(Clone)]
struct Chunk {
    first: Box<str>,
    /// As state stores it; empty for a chunk made in memory, which is open from the start.
    stored: Box<[u8]>,
    open: OnceLock<Open>,
}

/// A chunk unpacked: its bytes, and where each record lies in them.
#[derive(Clone, Default)]
struct Open {
    raw: Vec<u8>,
    places: Vec<Place>,
}

/// Why a stored chunk was refused.
#[derive(Debug, PartialEq)]
pub enum Damage {
    /// The chunk's bytes, or its order against the chunk before.
    Chunk(String),
    /// One record's fields.
    Record { key: String, why: String },
}

impl RecordTable {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// How many records are active (not trashed, archived or pending).
    pub fn active(&self) -> usize {
        self.active
    }

    /// An empty table whose records pushed are kept compressed, as state keeps them: each
    /// chunk is compressed when the next one is started, and the last by
    /// [`RecordTable::seal_last`]. For a large table read only by scans and walks (the
    /// memberships: about 1 GB open at 1M pupils, a fifth of that compressed); a lookup or
    /// an iterator opens the chunks it reaches and keeps them open.
    pub fn sealing() -> RecordTable {
        RecordTable {
            seals: true,
            ..RecordTable::default()
        }
    }

    /// Compresses the last chunk of a sealing table when it was made in memory and is still
    /// open.
    pub fn seal_last(&mut self) {
        if self.seals {
            self.seal_open();
        }
    }

    /// Compresses the last chunk when it was made in memory and is open, and gives back
    /// what it was open in (room for the next chunk).
    fn seal_open(&mut self) -> Option<Open> {
        let chunk = self.chunks.last_mut()?;
        if !chunk.stored.is_empty() {
            return None;
        }
        let open = chunk.open.take()?;
        chunk.stored = chunk::compress(&open.raw).into_boxed_slice();
        Some(open)
    }

    /// Appends a record after the last one; its key must come after the last key.
    pub fn push(&mut self, key: &str, fields: FieldsRef, status: Status) -> Result<(), String> {
        self.follows(key)?;
        // Records pushed go into a chunk made in memory, open from the start.
        let fits = (self.chunks.last())
            .filter(|c| c.stored.is_empty())
            .and_then(|c| c.open.get())
            .is_some_and(|open| open.raw.len() < chunk::TARGET_SIZE);
        if !fits {
            // A table that seals its chunks opens the next one in the room of the last.
            let sealed = self.seals.then(|| self.seal_open()).flatten();
            // Room for a whole chunk (it closes after the record that reaches the size), and
            // for as many records as the last one held: filled, not doubled on the way.
            let records = self.chunks.last().and_then(|c| c.open.get());
            let open = sealed.map_or_else(
                || Open {
                    raw: Vec::with_capacity(chunk::TARGET_SIZE + chunk::TARGET_SIZE / 16),
                    places: Vec::with_capacity(records.map_or(16, |o| o.places.len() + 8)),
                },
                |mut room| {
                    room.raw.clear();
                    room.places.clear();
                    room
                },
            );
            self.chunks.push(Chunk {
                first: key.into(),
                stored: Box::default(),
                open: OnceLock::from(open),
            });
        }
        let open = (self.chunks.last_mut())
            .and_then(|c| c.open.get_mut())
            .ok_or("a chunk made in memory is open")?;
        let entry = Entry {
            key,
            fields: fields.as_blob(),
            status,
        };
        // A chunk made in memory closes at 32 KiB: its offsets fit.
        open.places.push(entry.encode_placed(&mut open.raw));
        self.counted(key, status);
        Ok(())
    }

    /// Appends the records of `other`, whose keys must all come after this table's.
    pub fn append(&mut self, other: RecordTable) -> Result<(), String> {
        let Some(first) = other.chunks.first() else {
            return Ok(());
        };
        self.follows(&first.first)?;
        self.chunks.extend(other.chunks);
        self.len += other.len;
        self.active += other.active;
        self.last = other.last;
        Ok(())
    }

    /// The last key, when there is one.
    pub fn last_key(&self) -> Option<&str> {
        (self.len > 0).then_some(self.last.as_str())
    }

    /// The keys, in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> + Clone {
        self.iter().map(|(key, _)| key)
    }

    /// Keeps only the records `keep` says yes to, in key order. Each chunk is compacted where
    /// it lies (a stored chunk is opened first), so the table never needs room for a copy
    /// of itself: at 1M pupils the memberships are 1 GB open. A sealing table's stored
    /// chunks stay compressed: one it keeps whole as it was, one it compacts compressed again.
    pub fn retain(&mut self, mut keep: impl FnMut(&str, RecordRef) -> bool) {
        let (mut len, mut active) = (0, 0);
        let mut counts = Vec::with_capacity(self.chunks.len());
        self.last.clear();
        for chunk in &mut self.chunks {
            let was_stored = !chunk.stored.is_empty();
            chunk.opened();
            let Some(open) = chunk.open.get_mut() else {
                counts.push(0);
                continue;
            };
            let (mut write, mut kept) = (0, 0);
            let before = open.places.len();
            for i in 0..before {
                let place = open.places[i];
                let entry = place.entry(&open.raw);
                if !keep(entry.key, record(entry)) {
                    continue;
                }
                let extent = place.extent();
                // Records only move back: `write` is at most where this one starts.
                let by = (extent.start - write) as u32;
                let size = extent.len();
                open.raw.copy_within(extent, write);
                write += size;
                open.places[kept] = place.moved_back(by);
                kept += 1;
                active += usize::from(place.status.is_active());
            }
            open.raw.truncate(write);
            open.places.truncate(kept);
            len += kept;
            if let (Some(first), Some(last)) = (open.places.first(), open.places.last()) {
                chunk.first = first.entry(&open.raw).key.into();
                self.last.clear();
                self.last.push_str(last.entry(&open.raw).key);
            }
            counts.push(kept);
            if self.seals && was_stored {
                // Compressed again only when it changed; the open form is let go either way.
                if kept < before {
                    chunk.stored = chunk::compress(&open.raw).into_boxed_slice();
                }
                chunk.open = OnceLock::new();
            } else {
                // What is open is now what the chunk holds.
                chunk.stored = Box::default();
            }
        }
        // `retain` visits the chunks in order, as they were counted.
        let mut counts = counts.into_iter();
        self.chunks.retain(|_| counts.next().is_some_and(|n| n > 0));
        self.len = len;
        self.active = active;
    }

    /// Gives each record the fields `edit` returns for it, where it returns any (the table
    /// is made again, in memory).
    pub fn edit(&mut self, mut edit: impl FnMut(&str, RecordRef) -> Option<Fields>) {
        let mut out = RecordTable::default();
        self.scan(|key, record| {
            let pushed = match edit(key, record) {
                None => out.push(key, record.fields, record.status),
                Some(fields) => out.push(key, fields.view(), record.status),
            };
            // In the order they were in: a push cannot fail.
            debug_assert!(pushed.is_ok(), "{pushed:?}");
        });
        *self = out;
    }

    /// Appends a chunk as state stores it, after checking all of it: its bytes, each
    /// record's fields, and that its keys come after the last key. `scratch` is room to
    /// unpack it in, used again for the next chunk.
    pub fn push_stored(&mut self, stored: Vec<u8>, scratch: &mut Vec<u8>) -> Result<(), Damage> {
        chunk::uncompress(&stored, scratch).map_err(Damage::Chunk)?;
        let places = chunk::places(scratch).map_err(Damage::Chunk)?;
        let Some(first) = places.first() else {
            return Ok(());
        };
        let first = first.entry(scratch).key;
        self.follows(first).map_err(Damage::Chunk)?;
        let first: Box<str> = first.into();
        for place in &places {
            let entry = place.entry(scratch);
            if let Err(why) = FieldsRef::checked(entry.fields) {
                let key = entry.key.to_string();
                return Err(Damage::Record { key, why });
            }
        }
        if let Some(last) = places.last() {
            self.last.clear();
            self.last.push_str(last.entry(scratch).key);
        }
        self.len += places.len();
        self.active += places.iter().filter(|p| p.status.is_active()).count();
        self.chunks.push(Chunk {
            first,
            stored: stored.into_boxed_slice(),
            open: OnceLock::new(),
        });
        Ok(())
    }

    /// Calls `f` with every record in key order. A chunk not open yet is unpacked in a
    /// buffer used again for the next, and not kept.
    pub fn scan(&self, mut f: impl FnMut(&str, RecordRef)) {
        let mut scratch = Vec::new();
        let mut places = Vec::new();
        for chunk in &self.chunks {
            let (raw, places) = match chunk.open.get() {
                Some(open) => (&open.raw, &open.places),
                None => {
                    unpack(&chunk.stored, &mut scratch);
                    places.clear();
                    chunk::each_checked(&scratch, |p| places.push(p));
                    (&scratch, &places)
                }
            };
            for place in places {
                let entry = place.entry(raw);
                f(entry.key, record(entry));
            }
        }
    }

    /// The records with their keys, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, RecordRef<'_>)> + Clone {
        self.iter_at(0, 0)
    }

    /// The records in up to `n` runs of whole chunks, in key order: to share a walk over
    /// the table between cores, each run read from its own start.
    pub fn parts(&self, n: usize) -> Vec<impl Iterator<Item = (&str, RecordRef<'_>)> + Clone> {
        let per = self.chunks.len().div_ceil(n.max(1)).max(1);
        self.chunks
            .chunks(per)
            .map(|run| records_of(run, 0))
            .collect()
    }

    /// The records whose keys come at or after `key`, in key order.
    pub fn iter_from(&self, key: &str) -> impl Iterator<Item = (&str, RecordRef<'_>)> {
        let (chunk, at) = match self.find(key) {
            Some((chunk, Ok(at) | Err(at))) => (chunk, at),
            None => (0, 0),
        };
        self.iter_at(chunk, at)
    }

    /// The record kept under `key`.
    pub fn get(&self, key: &str) -> Option<RecordRef<'_>> {
        let (chunk, Ok(at)) = self.find(key)? else {
            return None;
        };
        let open = self.chunks[chunk].opened();
        Some(record(open.places[at].entry(&open.raw)))
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// The records as a map of their own (for code that edits them).
    pub fn to_map(&self) -> BTreeMap<String, Record> {
        self.iter()
            .map(|(key, record)| (key.to_string(), record.to_record()))
            .collect()
    }

    /// Records from the `at`th of chunk `chunk` on.
    fn iter_at(
        &self,
        chunk: usize,
        at: usize,
    ) -> impl Iterator<Item = (&str, RecordRef<'_>)> + Clone {
        records_of(self.chunks.get(chunk..).unwrap_or_default(), at)
    }

    /// The chunk a key belongs in, and the key's place in it (`Err`: where it would go);
    /// `None` when it comes before every key.
    fn find(&self, key: &str) -> Option<(usize, Result<usize, usize>)> {
        let chunk = self
            .chunks
            .partition_point(|c| &*c.first <= key)
            .checked_sub(1)?;
        let open = self.chunks[chunk].opened();
        let at = open
            .places
            .binary_search_by(|p| p.key_bytes(&open.raw).cmp(key.as_bytes()));
        Some((chunk, at))
    }

    fn follows(&self, key: &str) -> Result<(), String> {
        if self.len > 0 && self.last.as_str() >= key {
            return Err(format!("key `{key}` is out of order"));
        }
        Ok(())
    }

    fn counted(&mut self, key: &str, status: Status) {
        self.last.clear();
        self.last.push_str(key);
        self.len += 1;
        self.active += usize::from(status.is_active());
    }
}

/// A walk over a table's records in key order, one record at a time: over a table it
/// borrows, or over one it was given, whose chunks are freed as the walk leaves them (a
/// diff whose roster is not read again frees it as it goes, making room for the changes).
pub struct Walk<'t> {
    /// How many records the table holds.
    pub len: usize,
    chunks: Chunks<'t>,
    current: Option<Current<'t>>,
    at: usize,
}

enum Chunks<'t> {
    Borrowed(std::slice::Iter<'t, Chunk>),
    Owned(std::vec::IntoIter<Chunk>),
}

enum Current<'t> {
    Borrowed(&'t Open),
    Owned(Open),
}

impl<'t> Walk<'t> {
    pub fn borrowed(table: &'t RecordTable) -> Walk<'t> {
        Walk::of(table.len, Chunks::Borrowed(table.chunks.iter()))
    }

    pub fn owned(table: RecordTable) -> Walk<'t> {
        Walk::of(table.len, Chunks::Owned(table.chunks.into_iter()))
    }

    fn of(len: usize, chunks: Chunks<'t>) -> Walk<'t> {
        Walk {
            len,
            chunks,
            current: None,
            at: 0,
        }
    }

    /// The record the walk is at, unless it is done.
    pub fn peek(&mut self) -> Option<(&str, RecordRef<'_>)> {
        while self
            .current
            .as_ref()
            .is_none_or(|c| self.at >= c.open().places.len())
        {
            // The chunk left behind is freed here when the walk owns it.
            self.current = Some(match &mut self.chunks {
                Chunks::Borrowed(chunks) => Current::Borrowed(chunks.next()?.opened()),
                Chunks::Owned(chunks) => Current::Owned(chunks.next()?.into_open()),
            });
            self.at = 0;
        }
        let open = self.current.as_ref()?.open();
        let entry = open.places[self.at].entry(&open.raw);
        Some((entry.key, record(entry)))
    }

    /// Moves on from the record [`Walk::peek`] gave.
    pub fn advance(&mut self) {
        self.at += 1;
    }
}

impl Current<'_> {
    fn open(&self) -> &Open {
        match self {
            Current::Borrowed(open) => open,
            Current::Owned(open) => open,
        }
    }
}

/// The records of `chunks` in key order, from the `at`th of the first (each chunk opened
/// and kept open).
fn records_of(chunks: &[Chunk], at: usize) -> impl Iterator<Item = (&str, RecordRef<'_>)> + Clone {
    chunks.iter().enumerate().flat_map(move |(i, c)| {
        let open = c.opened();
        let from = if i == 0 { at } else { 0 };
        let places = open.places.get(from..).unwrap_or_default();
        places.iter().map(|p| {
            let entry = p.entry(&open.raw);
            (entry.key, record(entry))
        })
    })
}

impl Chunk {
    /// The chunk's records, unpacked unless they are.
    fn into_open(self) -> Open {
        self.opened();
        self.open.into_inner().unwrap_or_default()
    }

    /// The chunk's records, unpacked the first time they are asked for.
    fn opened(&self) -> &Open {
        self.open.get_or_init(|| {
            let mut raw = Vec::new();
            unpack(&self.stored, &mut raw);
            let places = chunk::places(&raw).expect("a chunk accepted once reads alike again");
            Open { raw, places }
        })
    }
}

/// Unpacks a chunk that [`RecordTable::push_stored`] accepted.
fn unpack(stored: &[u8], raw: &mut Vec<u8>) {
    chunk::uncompress(stored, raw).expect("a chunk accepted once unpacks alike again");
}

fn record(entry: Entry) -> RecordRef {
    RecordRef {
        // Checked when the chunk was accepted, or pushed checked.
        fields: FieldsRef::trusted(entry.fields),
        status: entry.status,
    }
}

impl PartialEq for RecordTable {
    fn eq(&self, other: &RecordTable) -> bool {
        self.len == other.len && self.iter().eq(other.iter())
    }
}

impl std::fmt::Debug for RecordTable {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
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

    /// Chunks as state stores them, of about `limit` bytes each, from records in key order.
    fn stored_chunks(map: &BTreeMap<String, Record>, limit: usize) -> Vec<Vec<u8>> {
        let mut builder = chunk::Builder::with_limit(limit);
        let mut chunks = Vec::new();
        for (key, record) in map {
            let entry = Entry {
                key,
                fields: record.fields.as_blob(),
                status: record.status,
            };
            if builder.push(&entry) {
                chunks.extend(builder.take().map(|(_, c)| c));
            }
        }
        chunks.extend(builder.take().map(|(_, c)| c));
        chunks
    }

    fn table_of(chunks: Vec<Vec<u8>>) -> Result<RecordTable, Damage> {
        let mut table = RecordTable::default();
        let mut scratch = Vec::new();
        for stored in chunks {
            table.push_stored(stored, &mut scratch)?;
        }
        Ok(table)
    }

    fn scanned(table: &RecordTable) -> Vec<(String, Record)> {
        let mut out = Vec::new();
        table.scan(|key, r| out.push((key.to_string(), r.to_record())));
        out
    }

    proptest::proptest! {
        /// A table of stored chunks reads, finds, ranges and scans as the map the chunks
        /// were made from, whichever chunks lookups have opened before a scan.
        #[test]
        fn a_table_of_stored_chunks_reads_as_its_map(
            records in proptest::collection::btree_map("[a-c]{0,4}", (0u8..5, 0u8..4), 0..60),
            probes in proptest::collection::vec("[a-c]{0,4}", 0..10),
            limit in 1usize..200,
        ) {
            let status = |s: u8| match s {
                0 => Status::Active,
                1 => Status::Trashed,
                2 => Status::Archived,
                _ => Status::Pending { due: chrono::NaiveDate::MIN },
            };
            let map: BTreeMap<String, Record> = records
                .iter()
                .map(|(k, (v, s))| (k.clone(), record(&v.to_string(), status(*s))))
                .collect();
            let table = table_of(stored_chunks(&map, limit)).unwrap();
            let want: Vec<(String, Record)> = map.clone().into_iter().collect();
            proptest::prop_assert_eq!(table.len(), map.len());
            let active = map.values().filter(|r| r.status.is_active()).count();
            proptest::prop_assert_eq!(table.active(), active);
            proptest::prop_assert_eq!(&scanned(&table), &want, "scanned with no chunk open");
            for probe in &probes {
                let found = map.get(probe).map(RecordRef::from);
                proptest::prop_assert_eq!(table.get(probe), found);
                let from: Vec<&str> = table.iter_from(probe).map(|(k, _)| k).collect();
                let range: Vec<&str> = map.range(probe.clone()..).map(|(k, _)| k.as_str()).collect();
                proptest::prop_assert_eq!(from, range);
            }
            proptest::prop_assert_eq!(&scanned(&table), &want, "scanned with some chunks open");
            proptest::prop_assert_eq!(&table.to_map(), &map);
            proptest::prop_assert_eq!(&table, &map.iter().map(|(k, r)| (k.clone(), r.clone())).collect());
        }
    }

    proptest::proptest! {
        /// Keeping some records, where the table lies (in memory or stored chunks), leaves
        /// what a map's `retain` does; editing some gives what a map's edit does; and the
        /// table reads, finds and takes further records as one made that way.
        #[test]
        fn retain_and_edit_are_a_map_s(
            records in proptest::collection::btree_map("[a-c]{0,4}", (0u8..5, proptest::bool::ANY, 0u8..3), 0..60),
            limit in 1usize..200,
            stored in proptest::bool::ANY,
        ) {
            let map: BTreeMap<String, Record> = records
                .iter()
                .map(|(k, (v, _, _))| (k.clone(), record(&v.to_string(), Status::Active)))
                .collect();
            let mut table = match stored {
                true => table_of(stored_chunks(&map, limit)).unwrap(),
                false => RecordTable::from(&map),
            };
            table.retain(|key, _| records[key].1);
            let mut want = map.clone();
            want.retain(|key, _| records[key].1);
            proptest::prop_assert_eq!(&table.to_map(), &want);
            proptest::prop_assert_eq!(&scanned(&table), &want.clone().into_iter().collect::<Vec<_>>());
            proptest::prop_assert_eq!((table.len(), table.active()), (want.len(), want.len()));
            for key in map.keys() {
                proptest::prop_assert_eq!(table.get(key).is_some(), want.contains_key(key));
            }
            proptest::prop_assert_eq!(table.last_key(), want.keys().next_back().map(String::as_str));

            let edited = |key: &str, fields: FieldsRef| match records[key].2 {
                0 => None,
                n => Some(fields.with(1, Some(&n.to_string()))),
            };
            table.edit(|key, r| edited(key, r.fields));
            for (key, r) in want.iter_mut() {
                if let Some(fields) = edited(key, r.fields.view()) {
                    r.fields = fields;
                }
            }
            proptest::prop_assert_eq!(&table.to_map(), &want);

            let after = "d".to_string();
            table.push(&after, Fields::new([Some("x")]).view(), Status::Active).unwrap();
            want.insert(after.clone(), Record::active(vec![Some("x".to_string())]));
            proptest::prop_assert_eq!(&table.to_map(), &want);
            proptest::prop_assert!(table.push("a", Fields::default().view(), Status::Active).is_err());
        }
    }

    #[test]
    fn a_table_made_in_memory_scans_as_it_iterates() {
        let map: BTreeMap<String, Record> = (0..5000)
            .map(|i| {
                (
                    format!("k{i:05}"),
                    record(&"x".repeat(i % 40), Status::Active),
                )
            })
            .collect();
        let table = RecordTable::from(&map);
        assert!(table.chunks.len() > 1, "more than one chunk's worth");
        let iterated: Vec<(String, Record)> = table
            .iter()
            .map(|(k, r)| (k.to_string(), r.to_record()))
            .collect();
        assert_eq!(scanned(&table), iterated);
        assert_eq!(iterated, map.into_iter().collect::<Vec<_>>());
    }

    /// A sealing table keeps every chunk compressed once it is closed, the last one too
    /// once sealed, and reads (scan, walk, lookups) as the same table kept open.
    #[test]
    fn a_sealing_table_keeps_its_chunks_compressed_and_reads_as_an_open_one() {
        let records: Vec<(String, Record)> = (0..5000)
            .map(|i| {
                (
                    format!("k{i:05}"),
                    record(&"x".repeat(i % 40), Status::Active),
                )
            })
            .collect();
        let (mut open, mut sealed) = (RecordTable::default(), RecordTable::sealing());
        for (key, r) in &records {
            open.push(key, r.fields.view(), r.status).unwrap();
            sealed.push(key, r.fields.view(), r.status).unwrap();
        }
        sealed.seal_last();
        assert!(sealed.chunks.len() > 1, "more than one chunk's worth");
        for chunk in &sealed.chunks {
            assert!(!chunk.stored.is_empty() && chunk.open.get().is_none());
        }
        assert_eq!(scanned(&sealed), records);
        let mut walk = Walk::borrowed(&sealed);
        let mut walked = Vec::new();
        while let Some((key, r)) = walk.peek() {
            walked.push((key.to_string(), r.to_record()));
            walk.advance();
        }
        assert_eq!(walked, records);
        assert_eq!(
            sealed.get("k04321").map(|r| r.to_record()),
            Some(records[4321].1.clone())
        );
        assert!(sealed == open);
        // Compacted, its chunks stay compressed (the first ones, wholly dropped, are gone).
        let keep = |key: &str, _: RecordRef| key >= "k02500" && !key.ends_with('7');
        let chunks = sealed.chunks.len();
        sealed.retain(keep);
        open.retain(keep);
        assert!(sealed.chunks.len() < chunks);
        for chunk in &sealed.chunks {
            assert!(!chunk.stored.is_empty() && chunk.open.get().is_none());
        }
        assert!(sealed == open);
        assert_eq!(
            (sealed.len(), sealed.last_key()),
            (open.len(), Some("k04999"))
        );
        assert_eq!(scanned(&sealed), scanned(&open));
        sealed.retain(|_, _| true);
        assert!(sealed == open);
        // A table that does not seal is left open by `seal_last`.
        open.seal_last();
        assert!(open.chunks.iter().all(|c| c.stored.is_empty()));
    }

    /// A stored chunk is checked whole before it is kept: its bytes, its records' fields
    /// and its order against the chunk before. Nothing of a refused chunk is kept.
    #[test]
    fn damaged_stored_chunks_are_refused() {
        let map: BTreeMap<String, Record> = ["a", "b", "c", "d"]
            .into_iter()
            .map(|k| (k.to_string(), record(k, Status::Active)))
            .collect();
        let mut chunks = stored_chunks(&map, 1);
        assert_eq!(chunks.len(), 4, "one record a chunk");
        chunks.swap(1, 2);
        let err = table_of(chunks.clone()).unwrap_err();
        assert_eq!(err, Damage::Chunk("key `b` is out of order".into()));

        let mut table = table_of(chunks[..1].to_vec()).unwrap();
        let mut cut = chunks[1].clone();
        cut.pop();
        assert!(matches!(
            table.push_stored(cut, &mut Vec::new()),
            Err(Damage::Chunk(_))
        ));

        // Fields of an encoding (9) that does not exist.
        let mut builder = chunk::Builder::with_limit(1 << 20);
        builder.push(&Entry {
            key: "e",
            fields: &[9, 1, 2, b'x'],
            status: Status::Active,
        });
        let stored = builder.take().unwrap().1;
        match table.push_stored(stored, &mut Vec::new()) {
            Err(Damage::Record { key, why }) => {
                assert_eq!(key, "e");
                assert!(why.contains("encoding"), "{why}");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(table.len(), 1, "only the first chunk was kept");
        assert_eq!(table.iter().map(|(k, _)| k).collect::<Vec<_>>(), ["a"]);
    }
}
