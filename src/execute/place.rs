//! Places the mapped records of an entity in the roster, all at once: sorted by key (stably,
//! so rows keep their order within a key), the first record of each key is kept, and each
//! later one is folded in by the entity's `merge` or reported as a duplicate. Sorting once and
//! building the key-ordered map in bulk is linear in practice, where inserting record by
//! record compared each key with a dozen others and missed the cache at every level.

use super::block::{Mapped, Origin};
use super::merge::{Merging, Pending};
use crate::diagnostic::Span;
use crate::model::{EntityKind, Fields, Record};
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
    let order = key_order(&arrived);
    let mut kept: Vec<(String, Record)> = Vec::with_capacity(arrived.len());
    let mut first: Origin = (0, 0);
    for i in order {
        let a = &mut arrived[i as usize];
        let key = std::mem::take(&mut a.mapped.key);
        let record = std::mem::replace(&mut a.mapped.record, Record::active(Fields::default()));
        if kept.last().is_none_or(|(last, _)| *last != key) {
            first = a.mapped.origin;
            kept.push((key, record));
            continue;
        }
        let id = (entity, key);
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

/// The arrivals' positions in key order, and within a key in the order they arrived. The
/// records themselves (a hundred bytes each) stay where they are: sorted are pairs of the
/// key's first sixteen bytes and a position, with the whole key compared only on a tie.
/// Sixteen, not eight: a membership key such as `G0000123/20100101...` shares its first
/// eight bytes with the group's other members, and each such tie would read two keys from
/// anywhere in memory.
fn key_order(arrived: &[Arrival]) -> Vec<u32> {
    let key = |i: u32| arrived[i as usize].mapped.key.as_bytes();
    let mut order: Vec<(u128, u32)> = (0..arrived.len() as u32)
        .map(|i| (prefix(key(i)), i))
        .collect();
    order.sort_unstable_by(|a, b| {
        a.0.cmp(&b.0)
            .then_with(|| key(a.1).cmp(key(b.1)))
            .then(a.1.cmp(&b.1))
    });
    order.into_iter().map(|(_, i)| i).collect()
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
    use super::prefix;
    use proptest::prelude::*;

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
