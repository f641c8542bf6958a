//! Stage "diff": the roster a run produced against what state says a target holds.
//! Records gone from the sources are trashed, archived, delayed or deleted by the target's
//! policy; records that come back are restored.

mod apply;
mod held;
mod policy;
mod rekey;
mod year_keys;

pub use apply::{apply_changes, outcome, outcome_fields};
pub use held::{Edit, Held, edits};
pub use policy::{DeletePolicy, Policies};
pub use year_keys::scope as scope_group_years;

use crate::model::{EntityKind, Record, RecordRef, RecordTable, Roster, Status, Walk};
use crate::plan::{Action, Change, EntityPlan, Pending};
use chrono::NaiveDate;
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

/// What state holds for one target: per entity, the last written record of each key.
pub type Stored = BTreeMap<EntityKind, RecordTable>;

/// What a target holds as maps that can be edited: what a server target is synced from.
pub type Records = BTreeMap<EntityKind, BTreeMap<String, Record>>;

/// Records as state would hold them (what `etl test` takes yesterday's roster to have
/// left, and tests that edit what a target holds).
pub fn to_stored(records: &Records) -> Stored {
    records
        .iter()
        .map(|(kind, map)| (*kind, RecordTable::from(map)))
        .collect()
}

/// The stored records as maps of their own.
pub fn to_records(stored: &Stored) -> Records {
    stored
        .iter()
        .map(|(kind, table)| (*kind, table.to_map()))
        .collect()
}

/// How to diff: the target's delete policies, the run's date, and per entity the field
/// that identifies a record across key changes.
pub struct DiffOptions<'a> {
    pub policies: &'a Policies,
    pub today: NaiveDate,
    pub identity: &'a BTreeMap<EntityKind, usize>,
}

/// The run's roster, as a diff may use it.
pub enum Want<'r> {
    /// Read again after the diff (another target follows, or `etl explain` traces it).
    Read(&'r Roster),
    /// Not read again: each entity's records are freed as the diff walks past them, so
    /// the changes (a rollover's six million creates copy their fields) take the room
    /// they leave. The roster keeps what it left out.
    Spend(&'r mut Roster),
}

/// The changes per entity kind, in key order within each action.
pub fn diff(mut want: Want, stored: &Stored, opts: &DiffOptions) -> Vec<EntityPlan> {
    let none = RecordTable::default();
    let mut archived: BTreeSet<String> = BTreeSet::new();
    EntityKind::ALL
        .iter()
        .map(|&kind| {
            let have = stored.get(&kind).unwrap_or(&none);
            let mut differ = Differ {
                kind,
                opts,
                archived: &mut archived,
                last_group: None,
            };
            let mut plan = match &mut want {
                Want::Read(roster) => {
                    let mut plan = entity_plan(kind, roster);
                    let records = roster.entities.get(&kind).unwrap_or(&none);
                    differ.run(Walk::borrowed(records), have, &mut plan);
                    plan
                }
                Want::Spend(roster) => {
                    let mut plan = entity_plan(kind, roster);
                    let records = roster.entities.remove(&kind).unwrap_or_default();
                    differ.run(Walk::owned(records), have, &mut plan);
                    plan
                }
            };
            plan.changes
                .sort_by(|a, b| (a.action, &a.key).cmp(&(b.action, &b.key)));
            plan
        })
        .collect()
}

fn entity_plan(kind: EntityKind, roster: &Roster) -> EntityPlan {
    let mut plan = EntityPlan::new(kind, Vec::new());
    plan.sensitive_key = roster.sensitive_keys.contains(&kind);
    plan.sensitive_fields = (kind.fields().iter().enumerate())
        .map(|(i, field)| field.sensitive || roster.is_sensitive(kind, i))
        .collect();
    plan
}

struct Differ<'a, 'b> {
    kind: EntityKind,
    opts: &'a DiffOptions<'a>,
    /// Groups archived in state or by this plan: their memberships are frozen.
    /// (Groups are diffed before memberships.)
    archived: &'b mut BTreeSet<String>,
    /// The group of the last membership judged gone, and whether it is archived: a group's
    /// memberships usually follow each other in key order, so a rollover's millions of
    /// them look their group up once per group.
    last_group: Option<(String, bool)>,
}

impl Differ<'_, '_> {
    fn run(&mut self, mut want: Walk, have: &RecordTable, plan: &mut EntityPlan) {
        // At most one change per key of either side: room for them at once, so a rollover's
        // list is not copied each time it doubles (room not used is never touched).
        plan.changes.reserve(want.len.max(have.len()));
        // Both sides are in key order: one walk over the two, no lookups. What the target
        // held is scanned a chunk at a time (never unpacked whole), and the run's records
        // taken as their keys come.
        have.scan(|key, old| {
            // Each key of the run's is compared once with the held key it meets.
            while let Some((new, record)) = want.peek() {
                match new.cmp(key) {
                    Ordering::Less => {
                        plan.changes.extend(present(new, record, None));
                        want.advance();
                    }
                    Ordering::Equal => {
                        plan.changes.extend(present(new, record, Some(old)));
                        want.advance();
                        return;
                    }
                    Ordering::Greater => break,
                }
            }
            self.gone(key, old, plan);
        });
        while let Some((key, record)) = want.peek() {
            plan.changes.extend(present(key, record, None));
            want.advance();
        }
        if let Some(&field) = self.opts.identity.get(&self.kind) {
            for old_key in rekey::pair(&mut plan.changes, field) {
                self.archived.remove(&old_key);
            }
        }
    }

    /// A record in state that the sources no longer have.
    fn gone(&mut self, key: &str, old: RecordRef, plan: &mut EntityPlan) {
        let before = || Some(old.fields.to_fields());
        match &old.status {
            Status::Active => {}
            Status::Pending { due } if *due <= self.opts.today => {
                let mut change = Change::new(Action::Delete, key);
                change.before = before();
                plan.changes.push(change);
                return;
            }
            Status::Pending { due } => {
                plan.pending.push(Pending {
                    key: key.to_string(),
                    due: due.to_string(),
                });
                return;
            }
            Status::Archived => {
                self.note_archived(key);
                return;
            }
            Status::Trashed => return,
        }
        if self.kind == EntityKind::Membership && self.in_archived_group(old) {
            plan.frozen += 1;
            return;
        }
        let policy = match self.opts.policies.get(self.kind) {
            // Due today would be carried out by the next run of the same day: delete now.
            DeletePolicy::Delay(0) => DeletePolicy::Delete,
            policy => policy,
        };
        let mut change = Change::new(action_for(policy), key);
        change.before = before();
        if let DeletePolicy::Delay(days) = policy {
            let due = self.opts.today + chrono::Days::new(u64::from(days));
            change.set_due(Some(due.format("%Y-%m-%d").to_string()));
        }
        if change.action == Action::Archive {
            self.note_archived(key);
        }
        plan.changes.push(change);
    }

    fn note_archived(&mut self, key: &str) {
        if self.kind == EntityKind::Group {
            self.archived.insert(key.to_string());
        }
    }

    fn in_archived_group(&mut self, membership: RecordRef) -> bool {
        let Some(group) = membership.get(EntityKind::Membership, "group") else {
            return false;
        };
        match &mut self.last_group {
            Some((last, archived)) if last == group => *archived,
            last => {
                let archived = self.archived.contains(group);
                *last = Some((group.to_string(), archived));
                archived
            }
        }
    }
}

/// A record the sources have: new, back again, changed, or unchanged (`None`).
fn present(key: &str, record: RecordRef, old: Option<RecordRef>) -> Option<Change> {
    let action = match old {
        None => Action::Create,
        Some(old) if !old.status.is_active() => Action::Restore,
        Some(old) if old.fields != record.fields => Action::Update,
        Some(_) => return None,
    };
    let mut change = Change::new(action, key);
    change.before = old.map(|o| o.fields.to_fields());
    change.after = Some(record.fields.to_fields());
    Some(change)
}

fn action_for(policy: DeletePolicy) -> Action {
    match policy {
        DeletePolicy::Delete => Action::Delete,
        DeletePolicy::Trash => Action::Trash,
        DeletePolicy::Archive => Action::Archive,
        DeletePolicy::Delay(_) => Action::Delay,
    }
}
