//! A plan's changes applied to what a target holds (what the target is written from, and
//! what state records).

use super::Stored;
use crate::model::{EntityKind, Record, Status};
use crate::plan::{Action, Change, EntityPlan};

/// `stored` with the plan's changes applied.
pub fn apply_changes(stored: &mut Stored, entities: &[EntityPlan]) {
    for entity in entities {
        let Some(kind) = EntityKind::parse(&entity.entity) else {
            continue;
        };
        let records = stored.entry(kind).or_default();
        for change in &entity.changes {
            if let Some(old) = &change.old_key {
                records.remove(old);
            }
            match outcome(change) {
                Some(record) => records.insert(change.key.clone(), record),
                None => records.remove(&change.key),
            };
        }
    }
}

/// The record a target holds after one change; `None` when the change removes it.
pub fn outcome(change: &Change) -> Option<Record> {
    let status = match change.action {
        Action::Create | Action::Restore | Action::Update | Action::Rekey => Status::Active,
        Action::Trash => Status::Trashed,
        Action::Archive => Status::Archived,
        Action::Delay => Status::Pending {
            due: change.due.clone().unwrap_or_default(),
        },
        Action::Delete => return None,
    };
    Some(Record {
        key: change.key.clone(),
        fields: change.values()?.clone(),
        status,
    })
}
