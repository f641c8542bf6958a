//! What a SCIM run did: which planned changes the server accepted (only those go into
//! state), each refused change with the server's reason, and the ids the server assigned.

use crate::model::EntityKind;
use crate::plan::{Action, TargetPlan};
use crate::state::{Remote, RemoteIds};

/// Why one change did not happen.
#[derive(Clone, Debug, PartialEq)]
pub enum Why {
    /// The server refused it, or stopped answering while it was sent.
    Refused(String),
    /// Not sent: the server had stopped answering earlier in the run.
    NotAttempted,
}

impl Why {
    pub fn reason(&self) -> String {
        match self {
            Why::Refused(reason) => reason.clone(),
            Why::NotAttempted => {
                "not sent: the server stopped answering earlier in this run".into()
            }
        }
    }
}

/// A change to the ids state keeps.
#[derive(Clone, Debug)]
pub enum Edit {
    Set(EntityKind, String, Remote),
    Remove(EntityKind, String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    pub entity: String,
    pub key: String,
    pub action: Action,
    pub reason: String,
}

pub struct Outcome {
    /// Per entity plan and change: accepted by the server (or needing no request).
    pub accepted: Vec<Vec<bool>>,
    pub ids: RemoteIds,
    pub failures: Vec<Failure>,
    pub not_attempted: usize,
}

impl Outcome {
    pub fn new(target: &TargetPlan, ids: RemoteIds) -> Outcome {
        Outcome {
            accepted: target
                .entities
                .iter()
                .map(|e| vec![false; e.changes.len()])
                .collect(),
            ids,
            failures: Vec::new(),
            not_attempted: 0,
        }
    }

    /// Records the result of one change (`at` = entity plan index, change index).
    pub fn record(
        &mut self,
        target: &TargetPlan,
        at: (usize, usize),
        result: Result<Vec<Edit>, Why>,
    ) {
        match result {
            Ok(edits) => {
                self.accepted[at.0][at.1] = true;
                for edit in edits {
                    self.edit(edit);
                }
            }
            Err(Why::NotAttempted) => self.not_attempted += 1,
            Err(Why::Refused(reason)) => {
                let entity = &target.entities[at.0];
                let change = &entity.changes[at.1];
                let key = if entity.sensitive_key {
                    crate::plan::MASK.to_string()
                } else {
                    change.key.clone()
                };
                self.failures.push(Failure {
                    entity: entity.entity.clone(),
                    key,
                    action: change.action,
                    reason,
                });
            }
        }
    }

    fn edit(&mut self, edit: Edit) {
        match edit {
            Edit::Set(kind, key, remote) => self.ids.insert((kind, key), remote),
            Edit::Remove(kind, key) => self.ids.remove(&(kind, key)),
        };
    }

    /// The plan with only the accepted changes: what state records.
    pub fn accepted_plan(&self, target: &TargetPlan) -> TargetPlan {
        let mut plan = target.clone();
        for (entity, accepted) in plan.entities.iter_mut().zip(&self.accepted) {
            let mut flags = accepted.iter();
            entity
                .changes
                .retain(|_| flags.next().copied().unwrap_or(false));
        }
        plan
    }

    pub fn refused(&self) -> usize {
        self.failures.len() + self.not_attempted
    }
}
