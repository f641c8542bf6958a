//! The saved plan: versioned JSON that `etl apply FILE` carries out exactly.

use super::Change;
use serde::{Deserialize, Serialize};

pub const FORMAT: &str = "roster-etl-plan";
pub const VERSION: u32 = 2;

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Plan {
    pub format: String,
    pub version: u32,
    /// The pipeline file (absolute path).
    pub pipeline: String,
    pub pipeline_name: String,
    /// The state database (absolute path).
    pub state: String,
    pub today: String,
    pub targets: Vec<TargetPlan>,
    /// Records left out of the roster, with reasons (for the report; not applied).
    #[serde(default)]
    pub left_out: Vec<LeftOutCount>,
    /// Normal, rollover and/or additions-only, and why.
    #[serde(default)]
    pub mode: super::RunMode,
    /// The `--allow` overrides given for this run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allows: Vec<String>,
    /// Rows read per dataset (state keeps them to notice an empty export next time).
    #[serde(default)]
    pub datasets: Vec<(String, u64)>,
    /// How incremental sources were read (in full, or what changed since when).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reads: Vec<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct LeftOutCount {
    pub entity: String,
    pub reason: String,
    pub count: usize,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct TargetPlan {
    pub name: String,
    pub kind: String,
    /// Where the target writes (absolute path).
    pub path: String,
    /// The state's identity and the target's apply count when the plan was made:
    /// `apply` refuses the plan when either has changed (a stale plan).
    pub lineage: Option<String>,
    pub serial: u64,
    pub first_run: bool,
    pub entities: Vec<EntityPlan>,
    /// The safety gate's verdict on this target's changes.
    #[serde(default)]
    pub safety: crate::safety::Verdict,
    /// Format settings and delivery (secrets only as their `${...}` reference).
    #[serde(default)]
    pub options: crate::target::TargetOptions,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct EntityPlan {
    pub entity: String,
    /// Field names, in the order of the value arrays below.
    pub fields: Vec<String>,
    pub sensitive_key: bool,
    pub sensitive_fields: Vec<bool>,
    /// What apply carries out, ordered by action and then key.
    pub changes: Vec<Change>,
    /// Deletes scheduled earlier that are not due yet (nothing happens to them in this run).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pending: Vec<Pending>,
    /// Changes held back by additions-only mode (applied in a later normal run).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub held_back: Vec<Change>,
    /// Memberships gone from the sources but kept because their group is archived.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub frozen: usize,
    /// New groups whose id carries their school year (`7A@2026-27`) because the target
    /// holds the plain key for a group of another school year.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub year_scoped: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// What a change does to a target.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// A new record.
    Create,
    /// A trashed, archived or pending record that is back in the sources.
    Restore,
    /// Changed fields.
    Update,
    /// The sync key changed while its stable identity stayed: the target's id is updated.
    Rekey,
    /// Gone from the sources: deactivated in the target, kept in state.
    Trash,
    /// A group gone from the sources: kept and marked archived, members frozen.
    Archive,
    /// Gone from the sources: a delete scheduled for a later date.
    Delay,
    /// Removed from the target.
    Delete,
}

impl Action {
    pub const ALL: [Action; 8] = [
        Action::Create,
        Action::Restore,
        Action::Update,
        Action::Rekey,
        Action::Trash,
        Action::Archive,
        Action::Delay,
        Action::Delete,
    ];

    /// The action as the saved plan spells it (`create`, `trash` ...).
    pub fn name(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Restore => "restore",
            Action::Update => "update",
            Action::Rekey => "rekey",
            Action::Trash => "trash",
            Action::Archive => "archive",
            Action::Delay => "delay",
            Action::Delete => "delete",
        }
    }

    /// `+` adds, `~` changes, `-` removes (Terraform's signs).
    pub fn sign(self) -> char {
        match self {
            Action::Create | Action::Restore => '+',
            Action::Update | Action::Rekey => '~',
            Action::Trash | Action::Archive | Action::Delay | Action::Delete => '-',
        }
    }

    /// As in a plan's counts: "to add", "to trash"...
    pub fn phrase(self) -> &'static str {
        match self {
            Action::Create => "to add",
            Action::Restore => "to restore",
            Action::Update => "to change",
            Action::Rekey => "to re-key",
            Action::Trash => "to trash",
            Action::Archive => "to archive",
            Action::Delay => "to delete later",
            Action::Delete => "to destroy",
        }
    }

    /// Removes the record from the sources' point of view (what delete limits count).
    pub fn is_removal(self) -> bool {
        matches!(
            self,
            Action::Trash | Action::Archive | Action::Delay | Action::Delete
        )
    }

    /// Lets new data in (what additions-only mode lets through; what create limits count).
    pub fn is_addition(self) -> bool {
        matches!(self, Action::Create | Action::Restore)
    }
}

/// A delete scheduled by an earlier run, not due yet.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Pending {
    pub key: String,
    pub due: String,
}

/// How many changes of each action a plan holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub add: usize,
    pub restore: usize,
    pub change: usize,
    pub rekey: usize,
    pub trash: usize,
    pub archive: usize,
    pub delay: usize,
    pub destroy: usize,
}

impl Summary {
    pub fn count(&mut self, action: Action) {
        *self.slot(action) += 1;
    }

    pub fn get(&self, action: Action) -> usize {
        let mut copy = *self;
        *copy.slot(action)
    }

    fn slot(&mut self, action: Action) -> &mut usize {
        match action {
            Action::Create => &mut self.add,
            Action::Restore => &mut self.restore,
            Action::Update => &mut self.change,
            Action::Rekey => &mut self.rekey,
            Action::Trash => &mut self.trash,
            Action::Archive => &mut self.archive,
            Action::Delay => &mut self.delay,
            Action::Delete => &mut self.destroy,
        }
    }

    pub fn total(&self) -> usize {
        Action::ALL.iter().map(|a| self.get(*a)).sum()
    }
}

/// Counts of `changes` per action.
fn summarize<'c>(changes: impl Iterator<Item = &'c Change>) -> Summary {
    let mut s = Summary::default();
    for c in changes {
        s.count(c.action);
    }
    s
}

impl Plan {
    pub fn summary(&self) -> Summary {
        summarize(self.targets.iter().flat_map(TargetPlan::changes))
    }

    pub fn has_changes(&self) -> bool {
        self.summary().total() > 0
    }

    /// The target and entity of a delayed delete without a due date (`YYYY-MM-DD`), if any:
    /// a saved plan edited by hand.
    pub fn undated_delay(&self) -> Option<(&str, &str)> {
        let undated = |c: &Change| {
            c.action == Action::Delay && c.due().and_then(crate::model::parse_due).is_none()
        };
        self.targets.iter().find_map(|t| {
            let entity = t.entities.iter().find(|e| e.changes.iter().any(undated))?;
            Some((t.name.as_str(), entity.entity.as_str()))
        })
    }

    /// A plan is held when any target's changes exceed a safety limit.
    pub fn is_held(&self) -> bool {
        self.targets.iter().any(|t| t.safety.is_held())
    }
}

impl TargetPlan {
    pub fn has_changes(&self) -> bool {
        self.entities.iter().any(|e| !e.changes.is_empty())
    }

    /// Every change of the target, entity after entity.
    pub fn changes(&self) -> impl Iterator<Item = &Change> {
        self.entities.iter().flat_map(|e| &e.changes)
    }

    pub fn summary(&self) -> Summary {
        summarize(self.changes())
    }
}

impl EntityPlan {
    /// The plan of one entity kind with these changes: its fields in schema order, none
    /// marked sensitive, nothing pending, held back or frozen.
    pub fn new(kind: crate::model::EntityKind, changes: Vec<Change>) -> EntityPlan {
        let fields: Vec<String> = kind.fields().iter().map(|f| f.name.to_string()).collect();
        EntityPlan {
            entity: kind.name().to_string(),
            sensitive_fields: vec![false; fields.len()],
            fields,
            sensitive_key: false,
            changes,
            pending: Vec::new(),
            held_back: Vec::new(),
            frozen: 0,
            year_scoped: 0,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// How many changes of each action, in one pass.
    pub fn summary(&self) -> Summary {
        summarize(self.changes.iter())
    }

    /// The changes, to be read action by action.
    pub fn by_action(&self) -> ByAction<'_> {
        ByAction {
            changes: &self.changes,
            in_order: self.changes.is_sorted_by_key(|c| c.action),
        }
    }
}

/// An entity's changes read action by action. The diff lists them by action, so each
/// action's changes are one run found by binary search (a rollover lists millions); a list
/// in another order (a saved plan edited by hand) is filtered.
pub struct ByAction<'a> {
    changes: &'a [Change],
    in_order: bool,
}

impl<'a> ByAction<'a> {
    /// The changes of one action, in list order.
    pub fn of(&self, action: Action) -> Box<dyn Iterator<Item = &'a Change> + 'a> {
        let changes = self.changes;
        if self.in_order {
            let start = changes.partition_point(|c| c.action < action);
            let end = changes.partition_point(|c| c.action <= action);
            Box::new(changes[start..end].iter())
        } else {
            Box::new(changes.iter().filter(move |c| c.action == action))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entity(changes: &[(Action, &str)]) -> EntityPlan {
        let changes = changes.iter().map(|(a, k)| Change::new(*a, k)).collect();
        EntityPlan::new(crate::model::EntityKind::Person, changes)
    }

    fn keys(entity: &EntityPlan, action: Action) -> Vec<&str> {
        entity
            .by_action()
            .of(action)
            .map(|c| c.key.as_str())
            .collect()
    }

    #[test]
    fn the_changes_of_an_action_in_list_order_sorted_or_not() {
        use Action::{Create, Delete, Update};
        let sorted = entity(&[(Create, "a"), (Create, "c"), (Update, "b"), (Delete, "d")]);
        assert_eq!(keys(&sorted, Create), ["a", "c"]);
        assert_eq!(keys(&sorted, Update), ["b"]);
        assert_eq!(keys(&sorted, Delete), ["d"]);
        assert!(keys(&sorted, Action::Trash).is_empty());
        let edited = entity(&[(Update, "b"), (Create, "a"), (Update, "c")]);
        assert_eq!(keys(&edited, Update), ["b", "c"]);
        assert_eq!(keys(&edited, Create), ["a"]);
        assert_eq!(edited.summary().get(Update), 2);
    }
}
