//! Places the mapped records of an entity in the roster, all at once: sorted by key (stably,
//! so rows keep their order within a key), the first record of each key is kept, and each
//! later one is folded in by the entity's `merge` or reported as a duplicate. Sorting once and
//! appending to the key-ordered table is linear in practice, where inserting record by
//! record in a map compared each key with a dozen others and missed the cache at every level.
//! The records arrive packed ([`crate::model::Packed`]) and are copied into the table's
//! chunks; the arrivals are freed when all are placed.

use super::block::{Mapped, Origin};
use super::merge::{Merging, Pending};
use crate::diagnostic::Span;
use crate::model::{EntityKind, Record, RecordTable, Status};
use std::hash::BuildHasher;

/// The records one block mapped (one part of them, as one core mapped it), waiting to be
/// placed with the other blocks of their entity: the arrival number of its first record in the
/// run (to report duplicates in the order rows were read) and the block's key span.
pub struct Batch {
    pub mapped: Mapped,
    pub first_seq: usize,
    pub key_span: Span,
}

/// Entity, key, where it was first seen, where again, and the block's key span.
pub type Duplicate = (EntityKind, String, String, String, Span);

/// Where placing puts what is not a plain new record.
pub struct Folds<'a> {
    pub pending: &'a mut Pending,
    /// With the arrival number of the second record.
    pub duplicates: &'a mut Vec<(usize, Duplicate)>,
}

pub fn place_all(
    entity: EntityKind,
    batches: Vec<Batch>,
    merges: bool,
    folds: Folds,
    (at, threads): (impl Fn(Origin) -> String, usize),
) -> RecordTable {
    let arrived = Arrived::new(batches);
    let order = key_order(&arrived, threads);
    // The tables of consecutive runs of keys are made on up to `threads` cores and joined.
    let runs = runs_of_keys(&order, threads);
    let runs: Vec<&[(u32, bool)]> = runs.into_iter().map(|r| &order[r]).collect();
    let placed = super::parts::each(&runs, |run| place_run(&arrived, run));
    let mut kept = RecordTable::default();
    for Placed { table, again } in placed {
        // The runs follow each other in key order: joining them cannot fail.
        let joined = kept.append(table);
        debug_assert!(joined.is_ok(), "{joined:?}");
        for a in again {
            let batch = &arrived.batches[a.batch];
            let id = (entity, a.key);
            if merges {
                let merging = folds.pending.entry(id).or_insert_with(|| Merging {
                    first_at: at(a.first),
                    others: Vec::new(),
                });
                merging.others.push((a.record, at(a.origin)));
            } else {
                folds.duplicates.push((
                    batch.first_seq + a.at,
                    (entity, id.1, at(a.first), at(a.origin), batch.key_span),
                ));
            }
        }
    }
    kept
}

/// Below this many records per core an entity is placed on one.
const PER_WORKER: usize = 100_000;

/// `order` cut in up to `threads` runs of about the same length, never between two records
/// that may share a key.
fn runs_of_keys(order: &[(u32, bool)], threads: usize) -> Vec<std::ops::Range<usize>> {
    let workers = threads.min(order.len() / PER_WORKER).max(1);
    let mut runs = Vec::with_capacity(workers);
    let mut start = 0;
    for w in 1..=workers {
        let mut end = (order.len() * w / workers).max(start);
        while end < order.len() && order[end].1 {
            end += 1;
        }
        if end > start {
            runs.push(start..end);
        }
        start = end;
    }
    runs
}

/// One run's records as a table, and the later records of keys seen before in the run.
struct Placed {
    table: RecordTable,
    again: Vec<Again>,
}

/// A record under a key already placed: its key, its record, where it and the first one
/// came from, and its batch and place in it.
struct Again {
    key: String,
    record: Record,
    origin: Origin,
    first: Origin,
    batch: usize,
    at: usize,
}

fn place_run(arrived: &Arrived, run: &[(u32, bool)]) -> Placed {
    let mut out = Placed {
        table: RecordTable::default(),
        again: Vec::new(),
    };
    let mut first: Origin = (0, 0);
    for &(i, maybe_again) in run {
        let (b, j) = arrived.locate(i);
        let mapped = &arrived.batches[b].mapped;
        let (key, fields) = (mapped.records.key(j), mapped.records.fields(j));
        if maybe_again && out.table.last_key() == Some(key) {
            out.again.push(Again {
                key: key.to_string(),
                record: Record::active(fields.to_fields()),
                origin: mapped.origin(j),
                first,
                batch: b,
                at: j,
            });
            continue;
        }
        first = mapped.origin(j);
        // In key order, each key once: a push cannot fail.
        let pushed = out.table.push(key, fields, Status::Active);
        debug_assert!(pushed.is_ok(), "{pushed:?}");
    }
    out
}

/// The batches of an entity as one list, numbered across them.
struct Arrived {
    batches: Vec<Batch>,
    /// The number of each batch's first record.
    starts: Vec<u32>,
}

impl Arrived {
    fn new(batches: Vec<Batch>) -> Arrived {
        let batches: Vec<Batch> = batches
            .into_iter()
            .filter(|b| !b.mapped.records.is_empty())
            .collect();
        let starts = batches
            .iter()
            .scan(0u32, |next, b| {
                let start = *next;
                *next += b.mapped.records.len() as u32;
                Some(start)
            })
            .collect();
        Arrived { batches, starts }
    }

    /// Every record's key, in the order of their numbers.
    fn keys(&self) -> impl Iterator<Item = &[u8]> {
        self.batches
            .iter()
            .flat_map(|b| b.mapped.records.iter().map(|(key, _, _)| key.as_bytes()))
    }

    /// The batch and the position in it of record number `i`.
    fn locate(&self, i: u32) -> (usize, usize) {
        let b = self.starts.partition_point(|&s| s <= i) - 1;
        (b, (i - self.starts[b]) as usize)
    }

    fn key(&self, i: u32) -> &[u8] {
        let (b, j) = self.locate(i);
        self.batches[b].mapped.records.key(j).as_bytes()
    }
}

/// The arrivals' numbers in key order, and within a key in the order they arrived. The
/// records themselves (a hundred bytes each) stay where they are: sorted are pairs of the
/// key's first sixteen bytes and a number, with the whole key compared only on a tie.
/// Sixteen, not eight: a membership key such as `G0000123/20100101...` shares its first
/// eight bytes with the group's other members, and each such tie would read two keys from
/// anywhere in memory. The sort uses up to `threads` cores.
///
/// With each number comes whether its key may be the one before it (the same prefix and
/// the same hash): most keys are not, and are then not read again to find out.
fn key_order(arrived: &Arrived, threads: usize) -> Vec<(u32, bool)> {
    let hasher = foldhash::quality::FixedState::with_seed(0);
    let order: Vec<Sorted> = arrived
        .keys()
        .zip(0u32..)
        .map(|(key, i)| Sorted {
            prefix: prefix(key),
            hash: hasher.hash_one(key),
            number: i,
        })
        .collect();
    let by_key = |a: &Sorted, b: &Sorted| {
        a.prefix
            .cmp(&b.prefix)
            .then_with(|| arrived.key(a.number).cmp(arrived.key(b.number)))
            .then(a.number.cmp(&b.number))
    };
    let out = |before: Option<&Sorted>, s: &Sorted| {
        let maybe_again = before.is_some_and(|b| (b.prefix, b.hash) == (s.prefix, s.hash));
        (s.number, maybe_again)
    };
    super::sort::sorted_by(order, threads, by_key, out)
}

/// What the arrivals are sorted as (32 bytes, as a prefix and a number alone take).
struct Sorted {
    prefix: u128,
    hash: u64,
    number: u32,
}

/// A key's first sixteen bytes as a number that sorts as the bytes do (shorter keys padded
/// with zeros, so a tie falls back to comparing the whole keys).
fn prefix(key: &[u8]) -> u128 {
    let mut bytes = [0u8; 16];
    let n = key.len().min(16);
    bytes[..n].copy_from_slice(&key[..n]);
    u128::from_be_bytes(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::FileId;
    use proptest::prelude::*;

    fn batch(keys: &[&str], first_seq: usize, row: u32) -> Batch {
        let mut mapped = Mapped {
            dataset: 0,
            records: crate::model::Packed::default(),
        };
        for (i, k) in keys.iter().enumerate() {
            let value = format!("{k}{i}");
            mapped
                .records
                .push(k, [Some(value.as_str())], row + i as u32);
        }
        let key_span = Span::new(FileId(0), first_seq, first_seq + 1);
        Batch {
            mapped,
            first_seq,
            key_span,
        }
    }

    /// Records are placed across batches (and empty ones) in key order; a second record of a
    /// key is reported with its own arrival number, row and block, the first one kept.
    #[test]
    fn batches_are_placed_as_one_list_in_key_order() {
        let batches = vec![
            batch(&["c", "a"], 1, 10),
            batch(&[], 3, 0),
            batch(&["b", "a", "d"], 3, 20),
        ];
        let (mut pending, mut duplicates) = (Pending::new(), Vec::new());
        let folds = Folds {
            pending: &mut pending,
            duplicates: &mut duplicates,
        };
        let at = |(_, row): Origin| format!("row {row}");
        let placed = place_all(EntityKind::Person, batches, false, folds, (at, 1));
        let keys: Vec<&str> = placed.keys().collect();
        assert_eq!(keys, ["a", "b", "c", "d"]);
        assert_eq!(placed.get("a").unwrap().fields.get(0), Some("a1"));
        assert_eq!(duplicates.len(), 1);
        let (seq, (_, key, first, again, span)) = &duplicates[0];
        assert_eq!((*seq, key.as_str()), (4, "a"));
        assert_eq!((first.as_str(), again.as_str()), ("row 11", "row 21"));
        assert_eq!(span.start, 3);
    }

    /// On two cores the same table is made and the same records are reported again as on
    /// one, in the same order, with keys seen twice on both sides of where the runs split.
    #[test]
    fn placing_on_two_cores_is_placing_on_one() {
        let n = PER_WORKER * 2 + 11;
        let keys: Vec<String> = (0..n).map(|i| format!("k{:07}", i / 3 * 2)).collect();
        let place = |threads| {
            let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
            let batches = vec![
                batch(&keys[..n / 2], 1, 0),
                batch(&keys[n / 2..], 1 + n / 2, 0),
            ];
            let (mut pending, mut duplicates) = (Pending::new(), Vec::new());
            let folds = Folds {
                pending: &mut pending,
                duplicates: &mut duplicates,
            };
            let at = |(_, row): Origin| format!("row {row}");
            let table = place_all(EntityKind::Person, batches, false, folds, (at, threads));
            (table, duplicates)
        };
        let (one, one_again) = place(1);
        let (two, two_again) = place(2);
        assert_eq!(one.len(), n.div_ceil(3));
        assert_eq!(one, two);
        assert_eq!(one_again.len(), n - n.div_ceil(3));
        let seen = |d: &[(usize, Duplicate)]| -> Vec<(usize, String)> {
            d.iter()
                .map(|(seq, (_, key, ..))| (*seq, key.clone()))
                .collect()
        };
        assert_eq!(seen(&one_again), seen(&two_again));
    }

    /// Runs are cut only where a key cannot go on, and cover the order whole.
    #[test]
    fn runs_are_never_cut_inside_a_key() {
        let n = PER_WORKER * 3;
        // Every record but each 1000th may share its key with the one before.
        let order: Vec<(u32, bool)> = (0..n as u32).map(|i| (i, i % 1000 != 0)).collect();
        let runs = runs_of_keys(&order, 3);
        assert_eq!(runs.len(), 3);
        assert_eq!((runs[0].start, runs[2].end), (0, n));
        for pair in runs.windows(2) {
            assert_eq!(pair[0].end, pair[1].start);
            assert!(!order[pair[1].start].1, "cut at {}", pair[1].start);
        }
        let few = runs_of_keys(&order[..10], 2);
        assert_eq!((few.len(), few.first()), (1, Some(&(0..10))));
        assert!(runs_of_keys(&[], 2).is_empty());
    }

    proptest! {
        /// Prefixes never order two keys against the order of their bytes.
        #[test]
        fn prefixes_sort_as_the_keys_do(a in ".{0,20}", b in ".{0,20}") {
            let (pa, pb) = (prefix(a.as_bytes()), prefix(b.as_bytes()));
            if pa != pb {
                prop_assert_eq!(pa.cmp(&pb), a.as_bytes().cmp(b.as_bytes()));
            }
        }
    }
}
