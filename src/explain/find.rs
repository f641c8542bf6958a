//! Where `etl explain` finds what it was asked about: the source rows that hold it, and
//! the records (in the run's roster or in a target's state) it names.

use super::needle::Needle;
use crate::check::{BlockPlan, Ir, Program};
use crate::diff::Stored;
use crate::model::{EntityKind, RecordRef, Roster};
use crate::source::Dataset;
use std::collections::{BTreeMap, BTreeSet};

/// A source row that holds the needle: dataset index, row, and the matching columns.
pub struct Hit {
    pub dataset: usize,
    pub row: u32,
    pub columns: Vec<u32>,
}

/// Records by entity kind and key.
pub type Keys = BTreeMap<EntityKind, BTreeSet<String>>;

/// The source rows that hold the needle. An id is looked for only in the columns that
/// make keys (a register id, a group id), so a class name that is also a column value
/// elsewhere does not match every pupil of the class; a personnummer or an e-mail is
/// looked for in every column.
pub fn rows(program: &Program, datasets: &[Dataset], needle: &Needle) -> Vec<Hit> {
    let key_columns = key_columns(program);
    let mut hits = Vec::new();
    for (d, dataset) in datasets.iter().enumerate() {
        let columns: Vec<u32> = match needle {
            Needle::Id(_) => key_columns.get(&d).into_iter().flatten().copied().collect(),
            _ => (0..dataset.width() as u32).collect(),
        };
        for row in 0..dataset.len() as u32 {
            let matching: Vec<u32> = columns
                .iter()
                .copied()
                .filter(|c| needle.matches(dataset.get(row, *c)))
                .collect();
            if !matching.is_empty() {
                hits.push(Hit {
                    dataset: d,
                    row,
                    columns: matching,
                });
            }
        }
    }
    hits
}

/// Per dataset, the columns a key reads (and a membership's person and group).
fn key_columns(program: &Program) -> BTreeMap<usize, BTreeSet<u32>> {
    let mut out: BTreeMap<usize, BTreeSet<u32>> = BTreeMap::new();
    for block in &program.blocks {
        let mut irs = vec![&block.key];
        if block.entity == EntityKind::Membership {
            irs.extend(member_irs(block));
        }
        for ir in irs {
            columns_of(ir, &mut |slot, col| {
                out.entry(block.slots[slot]).or_default().insert(col);
            });
        }
    }
    out
}

/// A membership block's `person` and `group` expressions.
pub fn member_irs(block: &BlockPlan) -> impl Iterator<Item = &Ir> {
    ["person", "group"].into_iter().filter_map(|name| {
        let i = block.entity.field_index(name)?;
        block.fields.get(i)?.as_ref().map(|f| &f.ir)
    })
}

fn columns_of(ir: &Ir, found: &mut dyn FnMut(usize, u32)) {
    ir.visit(&mut |x| {
        if let Ir::Col { slot, col } = x {
            found(*slot, *col);
        }
    });
}

/// The records the needle names, in the roster or in any target's state: by key, or by a
/// value (an e-mail or personnummer in any field; an id as an account name, a group's
/// name or an organisation's code).
pub fn records(roster: &Roster, stored: &[Stored], needle: &Needle) -> Keys {
    let mut keys = Keys::new();
    for (kind, key, _) in all(roster, stored).filter(|(kind, k, r)| names(needle, *kind, k, *r)) {
        keys.entry(kind).or_default().insert(key.to_string());
    }
    keys
}

/// Every record of the roster and of each target's state, with its kind and key.
fn all<'a>(
    roster: &'a Roster,
    stored: &'a [Stored],
) -> impl Iterator<Item = (EntityKind, &'a str, RecordRef<'a>)> {
    let run = roster
        .entities
        .iter()
        .flat_map(|(kind, records)| records.iter().map(move |(key, r)| (*kind, key, r)));
    let held = stored.iter().flat_map(|set| {
        set.iter()
            .flat_map(|(kind, table)| table.iter().map(move |(key, r)| (*kind, key, r)))
    });
    run.chain(held)
}

fn names(needle: &Needle, kind: EntityKind, key: &str, record: RecordRef) -> bool {
    if needle.matches(key) {
        return true;
    }
    if kind == EntityKind::Membership {
        return false;
    }
    let by_value = |name: &str| record.get(kind, name).is_some_and(|v| needle.matches(v));
    match needle {
        Needle::Id(_) => ["username", "name", "code"].into_iter().any(by_value),
        _ => record.fields.iter().flatten().any(|v| needle.matches(v)),
    }
}

/// The memberships, in the roster or in any target's state, of the wanted persons and
/// groups (a membership gone from the sources is only in state).
pub fn memberships_of(roster: &Roster, stored: &[Stored], wanted: &Keys) -> BTreeSet<String> {
    let kind = EntityKind::Membership;
    let named = |field: &str, of: EntityKind, r: RecordRef| {
        r.get(kind, field)
            .is_some_and(|k| wanted.get(&of).is_some_and(|keys| keys.contains(k)))
    };
    all(roster, stored)
        .filter(|(k, _, r)| {
            *k == kind
                && (named("person", EntityKind::Person, *r)
                    || named("group", EntityKind::Group, *r))
        })
        .map(|(_, key, _)| key.to_string())
        .collect()
}
