//! Places the mapped records of an entity in the roster, all at once, in key order: the
//! first record of each key is kept, and each later one is folded in by the entity's
//! `merge` or reported as a duplicate. The records arrive sorted in runs (each a segment of
//! one part of a block, [`crate::model::Run`]); merging the runs is linear in practice,
//! where inserting record by record in a map compared each key with a dozen others and
//! missed the cache at every level. Each block of a run is freed once it is placed, so the
//! arrivals shrink as the table grows.

use super::block::{Arrivals, Mapped, Origin};
use super::dangling::{Judge, LastGroup, Left};
use super::merge::{Merging, Pending};
use crate::diagnostic::Span;
use crate::model::{EntityKind, Reader, Record, RecordTable, Run, Status, key_prefix};
use std::cmp::Ordering;

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

/// Where a batch came from: its dataset, first arrival number and key span.
struct Source {
    dataset: usize,
    first_seq: usize,
    key_span: Span,
}

/// A run and the batch (the [`Source`]) it is of.
type Sourced = (usize, Run);

/// Places an entity's batches; with a `judge` (memberships), those whose person or group
/// is not in the roster are left out as they are placed, and the table is kept compressed
/// ([`RecordTable::sealing`]): nothing then opens it again before the diff.
pub fn place_all(
    entity: EntityKind,
    batches: Vec<Batch>,
    merges: bool,
    folds: Folds,
    (at, threads): (impl Fn(Origin) -> String, usize),
    judge: Option<&Judge>,
) -> (RecordTable, Left) {
    let (sources, runs) = sources(batches);
    // The runs are cut at the same keys, and each range of keys merged on its own core.
    let total: usize = runs.iter().map(|(_, r)| r.len()).sum();
    let workers = threads.min(total / PER_WORKER).max(1);
    let cuts = cut_keys(&runs, workers);
    let cuts: Vec<&str> = cuts.iter().map(String::as_str).collect();
    let mut shares: Vec<Vec<Sourced>> = (0..=cuts.len()).map(|_| Vec::new()).collect();
    for (source, run) in runs {
        for (share, part) in shares.iter_mut().zip(run.cut(&cuts)) {
            share.push((source, part));
        }
    }
    let datasets: Vec<usize> = sources.iter().map(|s| s.dataset).collect();
    let placed = super::parts::each_owned(shares, |share| merge(share, &datasets, judge));
    // Judged records are placed in compressed chunks (`merge`), and the table keeps them so.
    let mut kept = judge.map_or_else(RecordTable::default, |_| RecordTable::sealing());
    let mut left_out = Left::default();
    for Placed { table, again, left } in placed {
        // The ranges follow each other in key order: joining them cannot fail.
        let joined = kept.append(table);
        debug_assert!(joined.is_ok(), "{joined:?}");
        left_out.append(left);
        for a in again {
            let source = &sources[a.source];
            let id = (entity, a.key);
            if merges {
                let merging = folds.pending.entry(id).or_insert_with(|| Merging {
                    first_at: at(a.first),
                    others: Vec::new(),
                });
                merging.others.push((a.record, at(a.origin)));
            } else {
                folds.duplicates.push((
                    source.first_seq + a.number,
                    (entity, id.1, at(a.first), at(a.origin), source.key_span),
                ));
            }
        }
    }
    (kept, left_out)
}

/// Below this many records per core an entity is placed on one.
const PER_WORKER: usize = 100_000;

/// The batches' runs in the order they arrived, each with the batch it is of.
fn sources(batches: Vec<Batch>) -> (Vec<Source>, Vec<Sourced>) {
    let mut sources = Vec::with_capacity(batches.len());
    let mut runs = Vec::new();
    for (i, batch) in batches.into_iter().enumerate() {
        sources.push(Source {
            dataset: batch.mapped.dataset,
            first_seq: batch.first_seq,
            key_span: batch.key_span,
        });
        match batch.mapped.records {
            Arrivals::Runs(of) => runs.extend(of.into_iter().map(|run| (i, run))),
            // Records in row order are placed one by one (execute::map), never here; as
            // a run of their own they would still be placed right.
            Arrivals::InOrder(records) => runs.push((i, Run::sorted(&records, 0))),
        }
    }
    (sources, runs)
}

/// Up to `workers - 1` keys that cut the runs into ranges of about the same size: taken
/// from the first keys of the runs' blocks, in order, each once.
fn cut_keys(runs: &[Sourced], workers: usize) -> Vec<String> {
    if workers < 2 {
        return Vec::new();
    }
    let mut keys: Vec<&str> = runs.iter().flat_map(|(_, r)| r.block_keys()).collect();
    keys.sort_unstable();
    let mut cuts: Vec<String> = (1..workers)
        .filter_map(|w| keys.get(keys.len() * w / workers))
        .map(|k| k.to_string())
        .collect();
    cuts.dedup();
    cuts
}

/// One range's records as a table, the later records of keys seen before in it, and the
/// records its judge left out.
struct Placed {
    table: RecordTable,
    again: Vec<Again>,
    left: Left,
}

/// A record under a key already placed: its key, its record, where it and the first one
/// came from, and its batch and number in it.
struct Again {
    key: String,
    record: Record,
    origin: Origin,
    first: Origin,
    source: usize,
    number: usize,
}

/// The runs of one range of keys merged into a table: in key order, and within a key in
/// the order the records arrived (the runs are in that order, and so is each run within a
/// key). Each run's blocks are freed as they are passed.
fn merge(runs: Vec<Sourced>, datasets: &[usize], judge: Option<&Judge>) -> Placed {
    let mut heads = Heads::new(runs);
    let mut out = Placed {
        table: judge.map_or_else(RecordTable::default, |_| RecordTable::sealing()),
        again: Vec::new(),
        left: Left::default(),
    };
    let mut first: Origin = (0, 0);
    // The last key placed or left out: a later record of it is reported or merged either way.
    let mut last: Option<String> = None;
    let mut last_group = LastGroup::default();
    while let Some(top) = heads.first() {
        let (source, run) = &heads.runs[top];
        let Some(record) = run.head() else {
            break;
        };
        let origin = (datasets[*source], record.row);
        if last.as_deref() == Some(record.key) {
            out.again.push(Again {
                key: record.key.to_string(),
                record: Record::active(record.fields.to_fields()),
                origin,
                first,
                source: *source,
                number: record.number as usize,
            });
        } else {
            first = origin;
            let last = last.get_or_insert_default();
            last.clear();
            last.push_str(record.key);
            let verdict = judge.and_then(|j| j.verdict(record.fields, &mut last_group));
            match verdict {
                Some(missing) => out.left.push(missing, record.key),
                None => {
                    // In key order, each key once: a push cannot fail.
                    let pushed = out.table.push(record.key, record.fields, Status::Active);
                    debug_assert!(pushed.is_ok(), "{pushed:?}");
                }
            }
        }
        heads.advance(top);
    }
    out.table.seal_last();
    out
}

/// The runs being merged, as a binary heap of the runs by their next record: the least key
/// on top, and of equal keys the earlier run.
struct Heads {
    runs: Vec<(usize, Reader)>,
    /// The key prefix of each run's next record.
    prefixes: Vec<u128>,
    /// The runs that have records left, as a heap.
    heap: Vec<usize>,
}

impl Heads {
    fn new(runs: Vec<Sourced>) -> Heads {
        let runs: Vec<(usize, Reader)> = (runs.into_iter())
            .map(|(source, run)| (source, run.read()))
            .collect();
        let prefixes = runs.iter().map(|(_, r)| head_prefix(r)).collect();
        let heap = (0..runs.len()).filter(|&i| !runs[i].1.is_empty()).collect();
        let mut heads = Heads {
            runs,
            prefixes,
            heap,
        };
        for i in (0..heads.heap.len() / 2).rev() {
            heads.sift_down(i);
        }
        heads
    }

    /// The run with the least next record.
    fn first(&self) -> Option<usize> {
        self.heap.first().copied()
    }

    /// Moves run `top` (the first) past its next record and restores the heap.
    fn advance(&mut self, top: usize) {
        let run = &mut self.runs[top].1;
        run.advance();
        if run.is_empty() {
            self.heap.swap_remove(0);
        } else {
            self.prefixes[top] = head_prefix(run);
        }
        self.sift_down(0);
    }

    fn less(&self, a: usize, b: usize) -> bool {
        let by_key = match self.prefixes[a].cmp(&self.prefixes[b]) {
            Ordering::Equal => {
                let key = |i: usize| self.runs[i].1.head().map(|r| r.key);
                key(a).cmp(&key(b))
            }
            other => other,
        };
        by_key.then(a.cmp(&b)) == Ordering::Less
    }

    fn sift_down(&mut self, mut i: usize) {
        loop {
            let (l, r) = (2 * i + 1, 2 * i + 2);
            let mut least = i;
            if l < self.heap.len() && self.less(self.heap[l], self.heap[least]) {
                least = l;
            }
            if r < self.heap.len() && self.less(self.heap[r], self.heap[least]) {
                least = r;
            }
            if least == i {
                return;
            }
            self.heap.swap(i, least);
            i = least;
        }
    }
}

fn head_prefix(run: &Reader) -> u128 {
    run.head().map_or(0, |r| key_prefix(r.key.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::FileId;
    use crate::model::Packed;

    /// A batch of `keys`, from row `row` on, sorted into runs of at most `per_run` records.
    fn batch(keys: &[&str], first_seq: usize, row: u32, per_run: usize) -> Batch {
        let mut runs = Vec::new();
        for (n, segment) in keys.chunks(per_run).enumerate() {
            let mut records = Packed::default();
            for (i, k) in segment.iter().enumerate() {
                let i = n * per_run + i;
                let value = format!("{k}{i}");
                records.push(k, [Some(value.as_str())], row + i as u32);
            }
            runs.push(Run::sorted(&records, (n * per_run) as u32));
        }
        let mapped = Mapped {
            dataset: 0,
            records: Arrivals::Runs(runs),
        };
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
        for per_run in [1, 2, 3] {
            let batches = vec![
                batch(&["c", "a"], 1, 10, per_run),
                batch(&[], 3, 0, per_run),
                batch(&["b", "a", "d"], 3, 20, per_run),
            ];
            let (mut pending, mut duplicates) = (Pending::new(), Vec::new());
            let folds = Folds {
                pending: &mut pending,
                duplicates: &mut duplicates,
            };
            let at = |(_, row): Origin| format!("row {row}");
            let placed = place_all(EntityKind::Person, batches, false, folds, (at, 1), None).0;
            let keys: Vec<&str> = placed.keys().collect();
            assert_eq!(keys, ["a", "b", "c", "d"]);
            assert_eq!(placed.get("a").unwrap().fields.get(0), Some("a1"));
            assert_eq!(duplicates.len(), 1);
            let (seq, (_, key, first, again, span)) = &duplicates[0];
            assert_eq!((*seq, key.as_str()), (4, "a"));
            assert_eq!((first.as_str(), again.as_str()), ("row 11", "row 21"));
            assert_eq!(span.start, 3);
        }
    }

    /// Memberships judged as they are placed: the same are kept and the same left out,
    /// under the same reasons and in the same order, as when the table is placed whole and
    /// its dangling memberships are dropped after; a second record of a key whose first is
    /// left out is still reported. Placed on one core or two, in runs of a few records.
    #[test]
    fn memberships_judged_as_placed_are_those_dropped_after() {
        use crate::execute::dangling;
        use crate::model::Roster;
        let k = EntityKind::Membership;
        let (person_i, group_i) = (
            k.field_index("person").unwrap(),
            k.field_index("group").unwrap(),
        );
        let mut roster = Roster::default();
        let one = |key: &str| (key.to_string(), Record::active(vec![None::<String>]));
        let persons = ["p0", "p1"].map(one).into_iter().collect();
        roster.entities.insert(EntityKind::Person, persons);
        roster.entities.insert(
            EntityKind::Group,
            ["g0", "g1"].map(one).into_iter().collect(),
        );
        let n = PER_WORKER * 2 + 500;
        let members: Vec<(String, String, String)> = (0..n)
            .map(|i| {
                (
                    format!("m{:07}", (i * 7919) % n),
                    format!("p{}", i % 3),
                    format!("g{}", i / 4 % 3),
                )
            })
            .chain([("m0000002".to_string(), "p0".to_string(), "g0".to_string())])
            .collect();
        let batches = || {
            let mut runs = Vec::new();
            for (s, segment) in members.chunks(30_000).enumerate() {
                let mut records = Packed::default();
                for (j, (key, person, group)) in segment.iter().enumerate() {
                    let mut values = vec![None; k.fields().len()];
                    values[person_i] = Some(person.as_str());
                    values[group_i] = Some(group.as_str());
                    records.push(key, values.iter().copied(), (s * 30_000 + j) as u32);
                }
                runs.push(Run::sorted(&records, (s * 30_000) as u32));
            }
            let mapped = Mapped {
                dataset: 0,
                records: Arrivals::Runs(runs),
            };
            let key_span = Span::new(FileId(0), 0, 1);
            vec![Batch {
                mapped,
                first_seq: 1,
                key_span,
            }]
        };
        let at = |(_, row): Origin| format!("row {row}");
        let place = |roster: &Roster, judged: bool, threads: usize| {
            let (mut pending, mut duplicates) = (Pending::new(), Vec::new());
            let folds = Folds {
                pending: &mut pending,
                duplicates: &mut duplicates,
            };
            let judge = judged.then(|| dangling::Judge::of(roster));
            let (table, left) =
                place_all(k, batches(), false, folds, (at, threads), judge.as_ref());
            let again: Vec<(usize, String)> = duplicates
                .into_iter()
                .map(|(seq, (_, key, ..))| (seq, key))
                .collect();
            (table, left, again)
        };
        let (whole, _, whole_again) = place(&roster, false, 1);
        let mut after = roster.clone();
        after.entities.insert(k, whole);
        dangling::drop_memberships(&mut after, 1);
        for threads in [1, 2] {
            let (table, left, again) = place(&roster, true, threads);
            let mut judged = roster.clone();
            judged.entities.insert(k, table);
            left.note(&mut judged);
            assert_eq!(judged.entities[&k], after.entities[&k], "threads {threads}");
            let reasons = |r: &Roster| -> Vec<(String, Vec<String>)> {
                (r.left_out.iter())
                    .map(|l| {
                        (
                            l.reason.clone(),
                            l.records.iter().map(|w| format!("{w:?}")).collect(),
                        )
                    })
                    .collect()
            };
            assert_eq!(reasons(&judged), reasons(&after), "threads {threads}");
            assert_eq!(again, whole_again);
        }
        // m0000002 comes again last: reported whether its first record is kept or left out.
        assert!(whole_again.iter().any(|(_, key)| key == "m0000002"));
    }

    /// On two or three cores the same table is made and the same records are reported
    /// again as on one, in the same order, with keys seen several times in several runs and
    /// on both sides of where the ranges are cut.
    #[test]
    fn placing_on_several_cores_is_placing_on_one() {
        let n = PER_WORKER * 3 + 11;
        // Keys repeat three times, the second time in the other batch.
        let keys: Vec<String> = (0..n)
            .map(|i| format!("k{:07}", (i % (n / 2)) / 2 * 2))
            .collect();
        let place = |threads| {
            let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
            let batches = vec![
                batch(&keys[..n / 2], 1, 0, 50_000),
                batch(&keys[n / 2..], 1 + n / 2, 0, 70_000),
            ];
            let (mut pending, mut duplicates) = (Pending::new(), Vec::new());
            let folds = Folds {
                pending: &mut pending,
                duplicates: &mut duplicates,
            };
            let at = |(_, row): Origin| format!("row {row}");
            let table = place_all(
                EntityKind::Person,
                batches,
                false,
                folds,
                (at, threads),
                None,
            )
            .0;
            (table, duplicates)
        };
        let (one, one_again) = place(1);
        let distinct: std::collections::BTreeSet<&String> = keys.iter().collect();
        assert_eq!(one.len(), distinct.len());
        assert_eq!(one_again.len(), n - distinct.len());
        // The first of each key is kept: its value is the key and its number in the batch.
        let first = one.get("k0000002").unwrap();
        assert_eq!(first.fields.get(0), Some("k00000022"));
        let seen = |d: &[(usize, Duplicate)]| -> Vec<(usize, String, String, String)> {
            d.iter()
                .map(|(seq, (_, key, first, again, _))| {
                    (*seq, key.clone(), first.clone(), again.clone())
                })
                .collect()
        };
        for threads in [2, 3] {
            let (more, more_again) = place(threads);
            assert_eq!(one, more, "threads {threads}");
            assert_eq!(seen(&one_again), seen(&more_again), "threads {threads}");
        }
    }
}
