//! A plan's changes applied to what a target holds (what the target is written from, and
//! what state records).

use super::Records;
use crate::model::{EntityKind, Fields, Record, Status};
use crate::plan::{Action, Change, EntityPlan};
use std::collections::BTreeMap;

/// `stored` with the plan's changes applied.
pub fn apply_changes(stored: &mut Records, entities: &[EntityPlan]) {
    for entity in entities {
        let Some(kind) = EntityKind::parse(&entity.entity) else {
            continue;
        };
        let records = stored.entry(kind).or_default();
        let changes = &entity.changes;
        let in_order = changes.windows(2).all(|w| w[0].key < w[1].key);
        if in_order && changes.iter().all(|c| c.old_key().is_none()) {
            *records = merged(std::mem::take(records), changes);
        } else {
            one_by_one(records, changes);
        }
    }
}

/// The changes, in key order and without re-keys (as the diff makes them), merged with the
/// records in one pass and the map built in bulk: a rollover's million changes are not
/// each looked up in a tree of millions.
fn merged(old: BTreeMap<String, Record>, changes: &[Change]) -> BTreeMap<String, Record> {
    let mut out: Vec<(String, Record)> = Vec::with_capacity(old.len() + changes.len());
    let mut changes = changes.iter().peekable();
    let put = |out: &mut Vec<(String, Record)>, change: &Change| {
        if let Some(record) = outcome(change) {
            out.push((change.key.clone(), record));
        }
    };
    for (key, record) in old {
        while let Some(change) = changes.next_if(|c| c.key < key) {
            put(&mut out, change);
        }
        match changes.next_if(|c| c.key == key) {
            Some(change) => put(&mut out, change),
            None => out.push((key, record)),
        }
    }
    for change in changes {
        put(&mut out, change);
    }
    out.into_iter().collect()
}

/// Any changes, one after another.
fn one_by_one(records: &mut BTreeMap<String, Record>, changes: &[Change]) {
    for change in changes {
        if let Some(old) = change.old_key() {
            records.remove(old);
        }
        match outcome(change) {
            Some(record) => records.insert(change.key.clone(), record),
            None => records.remove(&change.key),
        };
    }
}

/// The record a target holds after one change; `None` when the change removes it.
pub fn outcome(change: &Change) -> Option<Record> {
    let (fields, status) = outcome_fields(change)?;
    Some(Record {
        fields: fields.clone(),
        status,
    })
}

/// The fields and status a target holds after one change, without copying the fields;
/// `None` when the change removes the record.
pub fn outcome_fields(change: &Change) -> Option<(&Fields, Status)> {
    let status = match change.action {
        Action::Create | Action::Restore | Action::Update | Action::Rekey => Status::Active,
        Action::Trash => Status::Trashed,
        Action::Archive => Status::Archived,
        Action::Delay => Status::Pending {
            due: crate::model::due_date(change.due()),
        },
        Action::Delete => return None,
    };
    Some((change.values()?, status))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn change(action: Action, key: u8, value: u8) -> Change {
        let mut c = Change::new(action, &format!("k{key:02}"));
        c.after = Some(vec![Some(value.to_string())].into());
        c
    }

    fn action() -> impl Strategy<Value = Action> {
        prop::sample::select(vec![
            Action::Create,
            Action::Update,
            Action::Delete,
            Action::Trash,
            Action::Archive,
        ])
    }

    proptest! {
        /// Merging in one pass gives what applying the changes one by one gives.
        #[test]
        fn merging_equals_applying_one_by_one(
            held in prop::collection::btree_map(0u8..40, 0u8..9, 0..30),
            wanted in prop::collection::btree_map(0u8..40, (action(), 0u8..9), 0..30),
        ) {
            let records: BTreeMap<String, Record> = held
                .iter()
                .map(|(k, v)| {
                    let key = format!("k{k:02}");
                    (key, Record::active(vec![Some(v.to_string())]))
                })
                .collect();
            let changes: Vec<Change> = wanted
                .iter()
                .map(|(k, (a, v))| change(*a, *k, *v))
                .collect();
            let mut expected = records.clone();
            one_by_one(&mut expected, &changes);
            prop_assert_eq!(merged(records, &changes), expected);
        }
    }
}
