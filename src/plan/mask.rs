//! Personal data in output: masked unless the user asks (`--show-sensitive`).

use super::{Change, model::Plan};
use crate::model::Fields;

pub const MASK: &str = "(sensitive)";

pub fn mask(_value: &str) -> String {
    MASK.to_string()
}

/// A copy of the plan with sensitive keys and fields masked (for `--json` on screen).
pub fn masked(plan: &Plan) -> Plan {
    let mut out = plan.clone();
    for entity in out.targets.iter_mut().flat_map(|t| t.entities.iter_mut()) {
        let key = entity.sensitive_key;
        let fields = entity.sensitive_fields.clone();
        for change in entity.changes.iter_mut().chain(entity.held_back.iter_mut()) {
            mask_change(change, key, &fields);
        }
        if key {
            for pending in &mut entity.pending {
                pending.key = MASK.to_string();
            }
        }
    }
    out
}

fn mask_change(change: &mut Change, key: bool, fields: &[bool]) {
    if key {
        change.key = MASK.to_string();
        if change.old_key().is_some() {
            change.set_old_key(Some(MASK.to_string()));
        }
    }
    for values in [change.before.as_mut(), change.after.as_mut()]
        .into_iter()
        .flatten()
    {
        let masked: Vec<Option<&str>> = values
            .iter()
            .zip(fields.iter().chain(std::iter::repeat(&false)))
            .map(|(value, sensitive)| value.map(|v| if *sensitive { MASK } else { v }))
            .collect();
        *values = Fields::new(masked);
    }
}
