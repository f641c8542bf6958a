//! Where a set of changes concentrates: the school unit, role or group most of them share,
//! so that an admin sees at once whether one school's export broke.

use super::limit::thousands;
use crate::model::{EntityKind, Fields};
use crate::plan::{Change, EntityPlan};
use std::collections::HashMap;

/// "1 204 of 1 300 person deletes are pupils of school unit 12345678", or `None` when the
/// changes are too few or too spread out (no place holds more than half of them).
pub fn describe(entity: &EntityPlan, changes: &[&Change], what: &str) -> Option<String> {
    let kind = EntityKind::parse(&entity.entity)?;
    if changes.len() < 2 {
        return None;
    }
    let mut buckets: HashMap<String, usize> = HashMap::new();
    for change in changes {
        if let Some(place) = change.values().and_then(|v| place(kind, entity, v)) {
            *buckets.entry(place).or_default() += 1;
        }
    }
    let (place, count) = buckets
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))?;
    (count * 2 > changes.len()).then(|| {
        format!(
            "{} of {} {} {what} are {place}",
            thousands(count),
            thousands(changes.len()),
            kind.name()
        )
    })
}

/// The place a record belongs to, in words.
fn place(kind: EntityKind, entity: &EntityPlan, values: &Fields) -> Option<String> {
    let field = |name: &str| -> Option<&str> {
        let i = entity.fields.iter().position(|f| f == name)?;
        let sensitive = entity.sensitive_fields.get(i).copied().unwrap_or(false);
        if sensitive {
            return None;
        }
        values.get(i)
    };
    match kind {
        EntityKind::Person => {
            let who = match field("role") {
                Some("pupil") => "pupils",
                Some("teacher") => "teachers",
                Some("principal") => "principals",
                _ => "staff",
            };
            Some(match field("school") {
                Some(school) => format!("{who} of school unit {school}"),
                None => format!("{who} without a school unit"),
            })
        }
        EntityKind::Group => field("school").map(|s| format!("groups of school unit {s}")),
        EntityKind::Membership => field("group").map(|g| format!("members of group {g}")),
        EntityKind::Organisation => field("parent").map(|p| format!("units under {p}")),
    }
}
