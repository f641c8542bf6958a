//! What became of each record concerned: whether it is in the run's roster, what each
//! target's state holds of it, what the plan does with it there, and whether a safety
//! limit holds that back.

use super::model::{RecordFate, TargetFate};
use crate::diff::Stored;
use crate::model::{EntityKind, RecordRef, RecordTable, Roster, Status, Which};
use crate::plan::{Action, Change, EntityPlan, MASK, Plan, TargetPlan};

pub struct Fates<'a> {
    pub roster: &'a Roster,
    pub plan: &'a Plan,
    /// Each target's state, in the plan's target order.
    pub stored: &'a [Stored],
    pub show_sensitive: bool,
}

impl Fates<'_> {
    pub fn of(&self, kind: EntityKind, key: &str) -> RecordFate {
        let record = self.roster.get(kind, key);
        let fields = record.map(|r| self.fields(kind, r)).unwrap_or_default();
        let shown_key = if self.roster.sensitive_keys.contains(&kind) && !self.show_sensitive {
            MASK.to_string()
        } else {
            key.to_string()
        };
        RecordFate {
            entity: kind.name().to_string(),
            key: shown_key,
            in_roster: record.is_some(),
            left_out: record.is_none().then(|| self.left_out(kind, key)).flatten(),
            fields,
            targets: self
                .plan
                .targets
                .iter()
                .zip(self.stored)
                .map(|(target, stored)| self.in_target(kind, key, target, stored, record.is_some()))
                .collect(),
            traces: Vec::new(),
        }
    }

    fn fields(&self, kind: EntityKind, record: RecordRef) -> Vec<(String, String)> {
        kind.fields()
            .iter()
            .zip(record.fields.iter())
            .enumerate()
            .filter_map(|(i, (def, value))| {
                let value = value?;
                let shown = if self.roster.is_sensitive(kind, i) && !self.show_sensitive {
                    MASK.to_string()
                } else {
                    format!("{value:?}")
                };
                Some((def.name.to_string(), shown))
            })
            .collect()
    }

    /// A reason the run gave for leaving a made record out (a membership whose person or
    /// group is missing). Rows left out by a join or a `where` are in the traces.
    fn left_out(&self, kind: EntityKind, key: &str) -> Option<String> {
        self.roster
            .left_out
            .iter()
            .filter(|l| l.entity == kind)
            .find(|l| {
                l.records
                    .iter()
                    .any(|w| matches!(w, Which::Key(k) if k == key))
            })
            .map(|l| l.reason.clone())
    }

    fn in_target(
        &self,
        kind: EntityKind,
        key: &str,
        target: &TargetPlan,
        stored: &Stored,
        in_roster: bool,
    ) -> TargetFate {
        let held_record = stored
            .get(&kind)
            .and_then(|m| m.get(key).or_else(|| year_scoped(m, key)));
        let state = held_record.map(|r| match &r.status {
            Status::Pending { due } => format!("pending (deleted on {due})"),
            s => s.name().to_string(),
        });
        let entity = target.entities.iter().find(|e| e.entity == kind.name());
        let change = entity.and_then(|e| find(&e.changes, key));
        let plan = match (entity, change) {
            (Some(e), Some(c)) => self.describe(e, c),
            (Some(e), None) => match find(&e.held_back, key) {
                Some(c) => format!(
                    "held back by additions-only mode: {} (applied by the next normal run)",
                    self.describe(e, c)
                ),
                None => standing(
                    held_record.as_ref().map(|r| &r.status),
                    in_roster,
                    Some(e),
                    key,
                ),
            },
            (None, _) => standing(
                held_record.as_ref().map(|r| &r.status),
                in_roster,
                None,
                key,
            ),
        };
        let held = (change.is_some() && target.safety.is_held()).then(|| held_text(target));
        TargetFate {
            target: target.name.clone(),
            kind: target.kind.clone(),
            state,
            plan,
            held,
        }
    }

    fn describe(&self, entity: &EntityPlan, change: &Change) -> String {
        let sign = change.action.sign();
        let value = |i: usize, v: Option<&str>| match v {
            None => "null".to_string(),
            Some(_)
                if entity.sensitive_fields.get(i).copied().unwrap_or(false)
                    && !self.show_sensitive =>
            {
                MASK.to_string()
            }
            Some(v) => format!("{v:?}"),
        };
        let id = if change.key.contains('@') {
            format!(" as {}", change.key)
        } else {
            String::new()
        };
        match change.action {
            Action::Create => format!("{sign} create{id}"),
            Action::Restore => format!("{sign} restore (it is back in the sources)"),
            Action::Update => {
                let (Some(before), Some(after)) = (&change.before, &change.after) else {
                    return format!("{sign} update");
                };
                let changed: Vec<String> = before
                    .iter()
                    .zip(after.iter())
                    .enumerate()
                    .filter(|(_, (b, a))| b != a)
                    .map(|(i, (b, a))| {
                        format!("{}: {} -> {}", entity.fields[i], value(i, b), value(i, a))
                    })
                    .collect();
                format!("{sign} update: {}", changed.join(", "))
            }
            Action::Rekey => format!("{sign} re-key: the target knew it by another key"),
            Action::Trash => format!(
                "{sign} trash: gone from the sources; deactivated in the target, kept in state"
            ),
            Action::Archive => {
                format!("{sign} archive: gone from the sources; kept and marked archived")
            }
            Action::Delay => format!(
                "{sign} delete later: gone from the sources; deleted on {} unless it comes back",
                change.due().unwrap_or("?")
            ),
            Action::Delete => format!("{sign} delete: gone from the sources"),
        }
    }
}

/// Why a target's changes wait, and the override that lets them through once.
fn held_text(target: &TargetPlan) -> String {
    let allows: Vec<String> = target
        .safety
        .held
        .iter()
        .map(|v| format!("--allow {}={}", v.limit, v.changes))
        .collect();
    format!(
        "HELD: the plan for {} goes over a safety limit, so nothing is written to it; after \
         checking the sources, apply once with {}",
        target.name,
        allows.join(" ")
    )
}

/// Why the plan has no change for a record in a target.
fn standing(
    status: Option<&Status>,
    in_roster: bool,
    entity: Option<&EntityPlan>,
    key: &str,
) -> String {
    if let Some(p) = entity.and_then(|e| e.pending.iter().find(|p| p.key == key)) {
        return format!("no change tonight: its delete is due on {}", p.due);
    }
    match (status, in_roster) {
        (Some(Status::Active), true) => {
            "no change: the target has it as the sources do".to_string()
        }
        (Some(Status::Archived), false) => {
            "no change: archived in the target (members frozen)".to_string()
        }
        (Some(s), false) => format!("no change: {} in the target", s.name()),
        (Some(s), true) => format!("no change: {} in the target", s.name()),
        (None, true) => "not written: the target does not take this record".to_string(),
        (None, false) => "not in this target (it was never written there)".to_string(),
    }
}

/// The change for a key, or for its school-year id (`KEY@2026-27`).
fn find<'c>(changes: &'c [Change], key: &str) -> Option<&'c Change> {
    changes
        .iter()
        .find(|c| c.key == key)
        .or_else(|| changes.iter().find(|c| is_year_scoped(&c.key, key)))
}

fn year_scoped<'r>(records: &'r RecordTable, key: &str) -> Option<RecordRef<'r>> {
    records
        .iter_from(&format!("{key}@"))
        .take_while(|(k, _)| k.starts_with(key))
        .find(|(k, _)| is_year_scoped(k, key))
        .map(|(_, r)| r)
}

fn is_year_scoped(id: &str, key: &str) -> bool {
    id.strip_prefix(key)
        .and_then(|rest| rest.strip_prefix('@'))
        .is_some_and(|year| crate::domain::school_year::first_year(year).is_some())
}
