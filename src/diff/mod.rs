//! Stage "diff": the roster a run produced against what state says a target holds.

use crate::model::{EntityKind, Record, Roster};
use crate::plan::{Change, EntityPlan};
use std::collections::BTreeMap;

/// What state holds for one target: per entity, the last written record of each key.
pub type Stored = BTreeMap<EntityKind, BTreeMap<String, Record>>;

/// Creates, updates and deletes per entity kind, in key order.
pub fn diff(roster: &Roster, stored: &Stored) -> Vec<EntityPlan> {
    let empty = BTreeMap::new();
    EntityKind::ALL
        .iter()
        .map(|&kind| {
            let want = roster.entities.get(&kind).unwrap_or(&empty);
            let have = stored.get(&kind).unwrap_or(&empty);
            entity_diff(kind, want, have, roster)
        })
        .collect()
}

fn entity_diff(
    kind: EntityKind,
    want: &BTreeMap<String, Record>,
    have: &BTreeMap<String, Record>,
    roster: &Roster,
) -> EntityPlan {
    let fields = kind.fields();
    let mut plan = EntityPlan {
        entity: kind.name().to_string(),
        fields: fields.iter().map(|f| f.name.to_string()).collect(),
        sensitive_key: roster.sensitive_keys.contains(&kind),
        sensitive_fields: (0..fields.len())
            .map(|i| fields[i].sensitive || roster.is_sensitive(kind, i))
            .collect(),
        creates: Vec::new(),
        updates: Vec::new(),
        deletes: Vec::new(),
    };
    for (key, record) in want {
        match have.get(key) {
            None => plan.creates.push(Change {
                key: key.clone(),
                before: None,
                after: Some(record.fields.clone()),
            }),
            Some(old) if old.fields != record.fields => plan.updates.push(Change {
                key: key.clone(),
                before: Some(old.fields.clone()),
                after: Some(record.fields.clone()),
            }),
            Some(_) => {}
        }
    }
    for (key, old) in have {
        if !want.contains_key(key) {
            plan.deletes.push(Change {
                key: key.clone(),
                before: Some(old.fields.clone()),
                after: None,
            });
        }
    }
    plan
}

/// The records a target holds after a plan's changes: `stored` with them applied.
pub fn apply_changes(stored: &mut Stored, entities: &[EntityPlan]) {
    for entity in entities {
        let Some(kind) = EntityKind::parse(&entity.entity) else {
            continue;
        };
        let records = stored.entry(kind).or_default();
        for change in entity.creates.iter().chain(&entity.updates) {
            if let Some(after) = &change.after {
                records.insert(
                    change.key.clone(),
                    Record {
                        key: change.key.clone(),
                        fields: after.clone(),
                    },
                );
            }
        }
        for change in &entity.deletes {
            records.remove(&change.key);
        }
    }
}
