//! Stage "safety gate": checks a target's whole plan against its limits before anything is
//! written. Over any limit, the plan is held: all or nothing.

use super::allow::Allow;
use super::concentration;
use super::limit::{Limit, LimitName, share};
use super::limits::Limits;
use super::verdict::{Verdict, Violation};
use crate::diff::Stored;
use crate::model::{EntityKind, Fields, FieldsRef, RecordTable};
use crate::plan::{Action, Change, EntityPlan};
use std::collections::BTreeMap;

/// What the gate needs besides the plan.
pub struct Gate<'a> {
    pub limits: &'a Limits,
    /// `normal` or `rollover`, for the verdict.
    pub limits_name: &'a str,
    pub allows: &'a [Allow],
    pub first_run: bool,
}

impl Gate<'_> {
    pub fn check(&self, entities: &[EntityPlan], stored: &Stored) -> Verdict {
        let mut verdict = Verdict {
            limits: self.limits_name.to_string(),
            ..Verdict::default()
        };
        if self.first_run {
            verdict.exempt = Some(
                "first run: there is no previous state to compare with, so no limit applies"
                    .to_string(),
            );
            return verdict;
        }
        for name in LimitName::all() {
            for violation in self.over(name, entities, stored) {
                self.judge(&mut verdict, name, violation);
            }
        }
        verdict
    }

    /// Puts a limit that was gone over into `held`, or into `allowed` when an override covers it.
    fn judge(&self, verdict: &mut Verdict, name: LimitName, mut v: Violation) {
        match self.allows.iter().find(|a| a.name == name) {
            Some(allow) if !allow.limit.exceeded(v.changes, v.base) => {
                v.allowed_by = Some(allow.text.clone());
                verdict.allowed.push(v);
            }
            Some(allow) => {
                v.max = allow.limit;
                verdict.held.push(v);
            }
            None => verdict.held.push(v),
        }
    }

    fn over(&self, name: LimitName, entities: &[EntityPlan], stored: &Stored) -> Vec<Violation> {
        let Some(max) = self.limits.get(name) else {
            return Vec::new();
        };
        let one = match name {
            LimitName::Create(k) => counted(k, entities, stored, max, name, Action::is_addition),
            LimitName::Update(k) => counted(k, entities, stored, max, name, |a| {
                matches!(a, Action::Update | Action::Rekey)
            }),
            LimitName::Delete(k) => counted(k, entities, stored, max, name, Action::is_removal),
            LimitName::RemoveMembers => return removed_members(entities, stored, max),
        };
        one.into_iter().collect()
    }
}

fn counted(
    kind: EntityKind,
    entities: &[EntityPlan],
    stored: &Stored,
    max: Limit,
    name: LimitName,
    counts: fn(Action) -> bool,
) -> Option<Violation> {
    let entity = entities.iter().find(|e| e.entity == kind.name())?;
    let changes: Vec<&Change> = entity.changes.iter().filter(|c| counts(c.action)).collect();
    let base = active_count(stored, kind);
    if !max.exceeded(changes.len(), base) {
        return None;
    }
    let what = match name {
        LimitName::Create(_) => "creates",
        LimitName::Update(_) => "updates",
        _ => "deletes",
    };
    Some(Violation {
        limit: name.to_string(),
        changes: changes.len(),
        base,
        percent: share(changes.len(), base),
        max,
        group: None,
        concentration: concentration::describe(entity, &changes, what),
        allowed_by: None,
    })
}

/// Per group that stays: members leaving it against the members it had. The members of a
/// group the plan removes leave with it; that removal is counted by `delete.group`.
fn removed_members<'a>(
    entities: &'a [EntityPlan],
    stored: &'a Stored,
    max: Limit,
) -> Vec<Violation> {
    let removed_groups: std::collections::HashSet<&str> = entities
        .iter()
        .filter(|e| e.entity == EntityKind::Group.name())
        .flat_map(|e| &e.changes)
        .filter(|c| c.action.is_removal())
        .map(|c| c.key.as_str())
        .collect();
    let kind = EntityKind::Membership;
    let Some(entity) = entities.iter().find(|e| e.entity == kind.name()) else {
        return Vec::new();
    };
    let Some(group_i) = entity.fields.iter().position(|f| f == "group") else {
        return Vec::new();
    };
    let group_of =
        |values: Option<FieldsRef<'a>>| values.and_then(|v| v.get(group_i)).unwrap_or("");
    let mut leaving: BTreeMap<&str, usize> = BTreeMap::new();
    for change in entity.changes.iter().filter(|c| c.action.is_removal()) {
        *leaving
            .entry(group_of(change.values().map(Fields::view)))
            .or_default() += 1;
    }
    leaving.retain(|group, _| !removed_groups.contains(group));
    // Members are counted only for the groups that lose some: a national state holds
    // millions of memberships, and most groups lose none.
    let mut members: foldhash::HashMap<&str, usize> =
        leaving.keys().map(|group| (*group, 0)).collect();
    // Members of a group usually follow each other (a membership key commonly starts with
    // its group): each run of one group's members is counted, then looked up once.
    let mut add = |run: Option<(String, usize)>| {
        if let Some((group, n)) = run
            && let Some(count) = members.get_mut(group.as_str())
        {
            *count += n;
        }
    };
    // Scanned a chunk at a time: the group of a run is copied, as its chunk is not kept.
    let mut run: Option<(String, usize)> = None;
    if let Some(table) = stored.get(&kind) {
        table.scan(|_, record| {
            if !record.status.is_active() {
                return;
            }
            let group = record.fields.get(group_i).unwrap_or("");
            match &mut run {
                Some((g, n)) if g == group => *n += 1,
                _ => add(run.replace((group.to_string(), 1))),
            }
        });
    }
    add(run);
    leaving
        .into_iter()
        .filter_map(|(group, count)| {
            let base = members.get(group).copied().unwrap_or(0);
            max.exceeded(count, base).then(|| Violation {
                limit: LimitName::RemoveMembers.to_string(),
                changes: count,
                base,
                percent: share(count, base),
                max,
                group: Some(group.to_string()),
                concentration: None,
                allowed_by: None,
            })
        })
        .collect()
}

fn active_count(stored: &Stored, kind: EntityKind) -> usize {
    stored.get(&kind).map_or(0, RecordTable::active)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Record;

    fn member(group: &str, person: usize) -> (String, Record) {
        let mut fields = vec![None; EntityKind::Membership.fields().len()];
        fields[0] = Some(format!("P{person}"));
        fields[1] = Some(group.to_string());
        (format!("{group}/P{person}"), Record::active(fields))
    }

    /// Two groups of 12 lose every member; one of them is itself removed by the plan.
    #[test]
    fn members_leave_with_their_removed_group_without_tripping_remove_members() {
        let mut members = Vec::new();
        let mut deletes = Vec::new();
        for group in ["G1", "G2"] {
            for p in 0..12 {
                let (key, record) = member(group, p);
                let mut change = Change::new(Action::Delete, &key);
                change.before = Some(record.fields.clone());
                deletes.push(change);
                members.push((key, record));
            }
        }
        let stored = Stored::from([(EntityKind::Membership, members.into_iter().collect())]);
        let entities = [
            EntityPlan::new(EntityKind::Group, vec![Change::new(Action::Delete, "G1")]),
            EntityPlan::new(EntityKind::Membership, deletes),
        ];
        let held = removed_members(&entities, &stored, Limit::new(10, 50.0));
        let groups: Vec<_> = held.iter().map(|v| v.group.clone()).collect();
        assert_eq!(groups, [Some("G2".to_string())]);
    }

    /// The members a group had are counted whether or not they follow each other in key
    /// order, and only active ones: base = 12 for G1 (one trashed member among its 13,
    /// another group's members in between).
    #[test]
    fn a_groups_members_are_counted_in_runs_and_apart() {
        let mut members = Vec::new();
        for p in 0..13 {
            let (key, mut record) = member("G1", p);
            if p == 6 {
                record.status = crate::model::Status::Trashed;
            }
            members.push((key, record));
            let (_, other) = member("G2", p);
            // Keyed to sort between G1's members.
            members.push((format!("G1/P{p}x"), other));
        }
        let stored = Stored::from([(EntityKind::Membership, members.into_iter().collect())]);
        let deletes: Vec<Change> = (0..11)
            .filter(|p| *p != 6)
            .map(|p| {
                let (key, record) = member("G1", p);
                let mut change = Change::new(Action::Delete, &key);
                change.before = Some(record.fields.clone());
                change
            })
            .collect();
        let entities = [EntityPlan::new(EntityKind::Membership, deletes)];
        let held = removed_members(&entities, &stored, Limit::new(5, 50.0));
        let found: Vec<_> = held
            .iter()
            .map(|v| (v.group.clone(), v.changes, v.base))
            .collect();
        assert_eq!(found, [(Some("G1".to_string()), 10, 12)]);
    }
}
