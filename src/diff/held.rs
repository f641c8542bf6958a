//! What a target holds after a plan, read without building it: what state held, merged
//! with the plan's changes as each entity's records are read in key order. A file target
//! is rendered from this; a rollover at 1M pupils would otherwise first build a map of
//! 13 million records with a copy of each of its 6 million new ones.

use super::{Stored, outcome_fields};
use crate::model::{EntityKind, Fields, RecordRef, RecordTable, Status};
use crate::plan::{Change, EntityPlan};
use std::iter::Peekable;

/// What state held for a target, and the plan's changes to it.
pub struct Held<'a> {
    stored: &'a Stored,
    entities: &'a [EntityPlan],
}

impl<'a> Held<'a> {
    pub fn new(stored: &'a Stored, entities: &'a [EntityPlan]) -> Held<'a> {
        Held { stored, entities }
    }

    /// The records of one entity the target holds after the plan, with their keys, in key
    /// order. What state held is borrowed from its table, which keeps each chunk it reads
    /// open; a pass that needs each record only while it is given uses [`Held::each`].
    pub fn records(&self, kind: EntityKind) -> impl Iterator<Item = (&'a str, RecordRef<'a>)> {
        let stored: &'a Stored = self.stored;
        let held = stored
            .get(&kind)
            .map(RecordTable::iter)
            .into_iter()
            .flatten();
        Merge {
            held: held.peekable(),
            changes: self.edits(kind).peekable(),
        }
    }

    /// Calls `f` with what [`Held::records`] gives, in the same order, with what state held
    /// scanned a chunk at a time and not kept: how the largest entity (memberships, 6
    /// million at 1M pupils) is rendered without unpacking all of it at once.
    pub fn each(&self, kind: EntityKind, mut f: impl FnMut(&str, RecordRef)) {
        let mut changes = self.edits(kind).peekable();
        if let Some(table) = self.stored.get(&kind) {
            table.scan(|key, held| {
                while let Some(edit) = changes.next_if(|(k, _)| *k < key) {
                    edited(edit, &mut f);
                }
                // A change under the held key replaces (or removes) the held record.
                match changes.next_if(|(k, _)| *k == key) {
                    Some(edit) => edited(edit, &mut f),
                    None => f(key, held),
                }
            });
        }
        for edit in changes {
            edited(edit, &mut f);
        }
    }

    /// The plan's edits of one entity, in key order.
    fn edits(&self, kind: EntityKind) -> impl Iterator<Item = Edit<'a>> + use<'a> {
        let entities: &'a [EntityPlan] = self.entities;
        entities
            .iter()
            .filter(move |e| e.entity == kind.name())
            .flat_map(|e| edits(&e.changes))
    }
}

/// Gives `f` what an edit leaves under its key, if anything.
fn edited(edit: Edit, f: &mut impl FnMut(&str, RecordRef)) {
    if let (key, Some((fields, status))) = edit {
        let fields = fields.view();
        f(key, RecordRef { fields, status });
    }
}

/// What a change leaves under a key: `None` when it removes the record.
pub type Edit<'a> = (&'a str, Option<(&'a Fields, Status)>);

/// What each changed key holds after the changes, in key order. Where several changes touch
/// one key (a re-key removes its old key) the last one counts, as when they are applied one
/// after another. Only the keys and the changes' places are sorted: a rollover's six
/// million changes take 24 bytes each here.
pub fn edits(changes: &[Change]) -> impl Iterator<Item = Edit<'_>> {
    // Each change's place times two, plus one for its own key (after its old key's removal).
    let mut order: Vec<(&str, usize)> = Vec::with_capacity(changes.len());
    for (i, change) in changes.iter().enumerate() {
        if let Some(old) = change.old_key() {
            order.push((old, 2 * i));
        }
        order.push((&change.key, 2 * i + 1));
    }
    // Stable, and quick on the diff's runs of keys in order (one run per action).
    order.sort_by(|a, b| a.0.cmp(b.0));
    let mut order = order.into_iter().peekable();
    std::iter::from_fn(move || {
        let mut last = order.next()?;
        while let Some(later) = order.next_if(|next| next.0 == last.0) {
            last = later;
        }
        let (key, place) = last;
        let outcome = match place % 2 {
            0 => None,
            _ => outcome_fields(&changes[place / 2]),
        };
        Some((key, outcome))
    })
}

/// The held records and the edits, both in key order, walked together.
struct Merge<'a, H, C>
where
    H: Iterator<Item = (&'a str, RecordRef<'a>)>,
    C: Iterator<Item = Edit<'a>>,
{
    held: Peekable<H>,
    changes: Peekable<C>,
}

impl<'a, H, C> Iterator for Merge<'a, H, C>
where
    H: Iterator<Item = (&'a str, RecordRef<'a>)>,
    C: Iterator<Item = Edit<'a>>,
{
    type Item = (&'a str, RecordRef<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let next_held = self.held.peek().map(|(k, _)| *k);
            let next_edit = self.changes.peek().map(|(k, _)| *k);
            match (next_held, next_edit) {
                (None, None) => return None,
                (Some(h), Some(e)) if h < e => return self.held.next(),
                (Some(_), None) => return self.held.next(),
                (held, Some(e)) => {
                    if held == Some(e) {
                        self.held.next(); // replaced (or removed) by the change
                    }
                    let (key, outcome) = self.changes.next()?;
                    if let Some((fields, status)) = outcome {
                        let fields = fields.view();
                        return Some((key, RecordRef { fields, status }));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::{apply_changes, to_records};
    use crate::model::Record;
    use crate::plan::Action;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    fn action() -> impl Strategy<Value = Action> {
        prop::sample::select(vec![
            Action::Create,
            Action::Update,
            Action::Restore,
            Action::Delete,
            Action::Trash,
            Action::Archive,
            Action::Rekey,
        ])
    }

    fn plan(changes: Vec<Change>) -> EntityPlan {
        EntityPlan::new(EntityKind::Person, changes)
    }

    proptest! {
        /// Reading the merged view gives what applying the changes and reading the result
        /// gives, in any order of changes, with re-keys and repeated keys.
        #[test]
        fn reading_the_view_equals_reading_the_applied_changes(
            held in prop::collection::btree_map(0u8..30, (0u8..9, any::<bool>()), 0..20),
            wanted in prop::collection::vec((0u8..30, action(), 0u8..30, 0u8..9), 0..20),
        ) {
            let kind = EntityKind::Person;
            let records: BTreeMap<String, Record> = held
                .iter()
                .map(|(k, (v, trashed))| {
                    let mut record = Record::active(vec![Some(v.to_string())]);
                    if *trashed {
                        record.status = Status::Trashed;
                    }
                    (format!("k{k:02}"), record)
                })
                .collect();
            let changes: Vec<Change> = wanted
                .iter()
                .map(|(k, a, old, v)| {
                    let mut c = Change::new(*a, &format!("k{k:02}"));
                    c.after = Some(vec![Some(v.to_string())].into());
                    if *a == Action::Rekey {
                        c.set_old_key(Some(format!("k{old:02}")));
                    }
                    c
                })
                .collect();
            let mut stored = Stored::new();
            stored.insert(kind, records.into_iter().collect());
            let entities = vec![plan(changes)];
            let seen: Vec<(String, Fields, Status)> = Held::new(&stored, &entities)
                .records(kind)
                .map(|(k, r)| (k.to_string(), r.fields.to_fields(), r.status))
                .collect();
            let mut each = Vec::new();
            Held::new(&stored, &entities).each(kind, |k, r| {
                each.push((k.to_string(), r.fields.to_fields(), r.status));
            });
            prop_assert_eq!(&each, &seen, "each gives what records gives");
            let mut applied = to_records(&stored);
            apply_changes(&mut applied, &entities);
            let expected: Vec<(String, Fields, Status)> = applied[&kind]
                .iter()
                .map(|(k, r)| (k.clone(), r.fields.clone(), r.status))
                .collect();
            prop_assert_eq!(seen, expected);
        }
    }
}
