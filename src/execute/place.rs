//! Places the mapped records of an entity in the roster, all at once: sorted by key (stably,
//! so rows keep their order within a key), the first record of each key is kept, and each
//! later one is folded in by the entity's `merge` or reported as a duplicate. Sorting once and
//! building the key-ordered map in bulk is linear in practice, where inserting record by
//! record compared each key with a dozen others and missed the cache at every level.

use super::block::{Mapped, Origin};
use super::merge::{Merging, Pending};
use crate::diagnostic::Span;
use crate::model::{EntityKind, Record};
use std::collections::BTreeMap;

/// A mapped record waiting to be placed: its arrival number in the run (to report duplicates
/// in the order rows were read) and the key span of its block.
pub struct Arrival {
    pub mapped: Mapped,
    pub seq: usize,
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
    mut arrived: Vec<Arrival>,
    merges: bool,
    folds: Folds,
    at: impl Fn(Origin) -> String,
) -> BTreeMap<String, Record> {
    arrived.sort_by(|a, b| a.mapped.record.key.cmp(&b.mapped.record.key));
    let mut kept: Vec<(String, Record)> = Vec::with_capacity(arrived.len());
    let mut first: Origin = (0, 0);
    for a in arrived {
        let record = a.mapped.record;
        if kept.last().is_none_or(|(key, _)| *key != record.key) {
            first = a.mapped.origin;
            kept.push((record.key.clone(), record));
            continue;
        }
        let id = (entity, record.key.clone());
        if merges {
            let merging = folds.pending.entry(id).or_insert_with(|| Merging {
                first_at: at(first),
                others: Vec::new(),
            });
            merging.others.push((record, at(a.mapped.origin)));
        } else {
            folds.duplicates.push((
                a.seq,
                (entity, id.1, at(first), at(a.mapped.origin), a.key_span),
            ));
        }
    }
    kept.into_iter().collect()
}
