//! Stable identity: a create and a removal that share the entity's identity value (e-mail,
//! eduPersonPrincipalName...) are one record whose sync key changed. They become one re-key,
//! an update of the target's id, instead of a delete plus a create (a duplicate account).

use crate::model::Fields;
use crate::plan::{Action, Change};
use std::collections::HashMap;

/// Pairs creates with removals by the identity field; returns the old keys that were re-keyed.
/// Values that occur more than once on either side are ambiguous and never paired.
pub fn pair(changes: &mut Vec<Change>, field: usize) -> Vec<String> {
    let value = |values: Option<&Fields>| -> Option<String> {
        values
            .and_then(|v| v.get(field))
            .filter(|v| !v.trim().is_empty())
            .map(str::to_owned)
    };
    let removed = unique(changes, |c| {
        c.action
            .is_removal()
            .then(|| value(c.before.as_ref()))
            .flatten()
    });
    let created = unique(changes, |c| {
        (c.action == Action::Create)
            .then(|| value(c.after.as_ref()))
            .flatten()
    });
    let mut gone = Vec::new();
    let mut rekeyed = Vec::new();
    for (v, &new_i) in &created {
        let Some(&old_i) = removed.get(v) else {
            continue;
        };
        let old_key = changes[old_i].key.clone();
        let before = changes[old_i].before.clone();
        let change = &mut changes[new_i];
        change.action = Action::Rekey;
        change.set_old_key(Some(old_key.clone()));
        change.before = before;
        gone.push(old_i);
        rekeyed.push(old_key);
    }
    gone.sort_unstable();
    for i in gone.into_iter().rev() {
        changes.remove(i);
    }
    rekeyed
}

/// Identity value -> index, for values that occur exactly once among the selected changes.
fn unique(
    changes: &[Change],
    select: impl Fn(&Change) -> Option<String>,
) -> HashMap<String, usize> {
    let mut seen: HashMap<String, Option<usize>> = HashMap::new();
    for (i, change) in changes.iter().enumerate() {
        if let Some(v) = select(change) {
            seen.entry(v)
                .and_modify(|slot| *slot = None)
                .or_insert(Some(i));
        }
    }
    seen.into_iter()
        .filter_map(|(v, i)| i.map(|i| (v, i)))
        .collect()
}
