//! The status report of one run: how it ended, what it changes per target and entity and
//! per school unit, the limits and overrides used, the warnings, and the sync cycle: which
//! step ran, which stopped, and what to do about it.

use super::steps::{STEPS, stopped_at};
use crate::diagnostic::{Diag, SourceMap};
use crate::plan::{Action, EntityPlan, Plan};
use serde::Serialize;

pub const FORMAT: &str = "roster-etl-report";
pub const VERSION: u32 = 1;

#[derive(Debug, Serialize, PartialEq)]
pub struct RunReport {
    pub format: &'static str,
    pub version: u32,
    /// `plan` or `apply`.
    pub command: String,
    pub pipeline: String,
    pub today: String,
    pub status: Status,
    /// What to do now, in one sentence.
    pub next: String,
    pub steps: Vec<Step>,
    pub targets: Vec<TargetCounts>,
    /// Changes per school unit (persons and groups by their `school`), all targets.
    pub schools: Vec<SchoolCounts>,
    /// Records left out of every target, by reason.
    pub left_out: Vec<Counted>,
    pub warnings: Vec<String>,
    pub errors: Vec<Problem>,
}

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Applied (or, for a plan, ready to apply).
    Completed,
    /// Nothing to change.
    NoChanges,
    /// A safety limit holds the plan: nothing written.
    Held,
    /// An error stopped the run: nothing written (or, for a server target, what it took
    /// is recorded).
    Failed,
}

impl Status {
    pub fn word(self) -> &'static str {
        match self {
            Status::Completed => "completed",
            Status::NoChanges => "no changes",
            Status::Held => "HELD",
            Status::Failed => "FAILED",
        }
    }
}

/// One step of the sync cycle.
#[derive(Debug, Serialize, PartialEq)]
pub struct Step {
    pub name: &'static str,
    /// `ran`, `stopped` or `skipped`.
    pub state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seconds: Option<f64>,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct TargetCounts {
    pub name: String,
    pub kind: String,
    pub entities: Vec<EntityCounts>,
    /// Limits gone over (the plan is held), as `delete.person: 40 of 1200 (3.3%)`.
    pub held: Vec<String>,
    /// Overrides that let a limit through (`--allow delete.person=40`).
    pub allowed: Vec<String>,
}

/// Changes counted by the report's four columns.
#[derive(Debug, Default, Serialize, PartialEq)]
pub struct Changes {
    pub create: usize,
    /// Updates and re-keys.
    pub update: usize,
    /// Trashes, archives, delayed and immediate deletes.
    pub delete: usize,
    pub restore: usize,
}

impl Changes {
    pub fn count(&mut self, action: Action) {
        match action {
            Action::Create => self.create += 1,
            Action::Update | Action::Rekey => self.update += 1,
            Action::Restore => self.restore += 1,
            Action::Trash | Action::Archive | Action::Delay | Action::Delete => self.delete += 1,
        }
    }

    /// `[create, update, delete, restore]`, the order of the charts' bars.
    pub fn columns(&self) -> [usize; 4] {
        [self.create, self.update, self.delete, self.restore]
    }
}

#[derive(Debug, Default, Serialize, PartialEq)]
pub struct EntityCounts {
    pub entity: String,
    #[serde(flatten)]
    pub changes: Changes,
    /// Deletes scheduled earlier, not due yet.
    pub pending: usize,
    /// Changes held back by additions-only mode.
    pub held_back: usize,
}

#[derive(Debug, Default, Serialize, PartialEq)]
pub struct SchoolCounts {
    pub school: String,
    #[serde(flatten)]
    pub changes: Changes,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct Counted {
    pub entity: String,
    pub reason: String,
    pub count: usize,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct Problem {
    pub code: String,
    pub message: String,
    /// Where: `file:line:column` in the user's file, or a row or request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

impl Problem {
    fn of(d: &Diag, sources: &SourceMap) -> Problem {
        let at = d
            .labels
            .first()
            .map(|l| sources.position(l.span))
            .or_else(|| d.location.clone());
        Problem {
            code: d.code.as_str().to_string(),
            message: d.message.clone(),
            at,
            help: d.help.clone(),
        }
    }
}

/// The run as far as it got: the plan when it was made, the errors that stopped it, the
/// warnings, and each step's time.
pub struct Outcome<'a> {
    pub command: &'a str,
    pub pipeline: &'a str,
    pub today: &'a str,
    pub plan: Option<&'a Plan>,
    /// Whether the plan's changes were written (apply).
    pub applied: bool,
    pub errors: &'a [Diag],
    pub warnings: &'a [Diag],
    pub timings: &'a [super::Phase],
    pub sources: &'a SourceMap,
}

pub fn report(o: &Outcome) -> RunReport {
    let errors: Vec<&Diag> = o.errors.iter().filter(|d| d.is_error()).collect();
    let status = match o.plan {
        _ if !errors.is_empty()
            && !errors
                .iter()
                .all(|d| d.code == crate::diagnostic::Code::PlanHeld) =>
        {
            Status::Failed
        }
        Some(p) if p.is_held() => Status::Held,
        Some(p) if p.has_changes() => Status::Completed,
        Some(_) => Status::NoChanges,
        None => Status::Failed,
    };
    let stopped = match status {
        Status::Failed => Some(stopped_at(errors.first().map(|d| d.code))),
        Status::Held => Some("safety"),
        _ => None,
    };
    RunReport {
        format: FORMAT,
        version: VERSION,
        command: o.command.to_string(),
        pipeline: o.pipeline.to_string(),
        today: o.today.to_string(),
        status,
        next: next_step(status, o, &errors),
        steps: steps(o, stopped),
        targets: o.plan.map(targets).unwrap_or_default(),
        schools: o.plan.map(schools).unwrap_or_default(),
        left_out: o
            .plan
            .map(|p| {
                p.left_out
                    .iter()
                    .map(|l| Counted {
                        entity: l.entity.clone(),
                        reason: l.reason.clone(),
                        count: l.count,
                    })
                    .collect()
            })
            .unwrap_or_default(),
        warnings: o
            .warnings
            .iter()
            .map(|d| format!("{}: {}", d.code.as_str(), d.message))
            .collect(),
        errors: errors
            .into_iter()
            .map(|d| Problem::of(d, o.sources))
            .collect(),
    }
}

fn next_step(status: Status, o: &Outcome, errors: &[&Diag]) -> String {
    match status {
        Status::Completed if o.applied => "nothing: the targets hold tonight's changes".to_string(),
        Status::Completed => "review the plan and apply it".to_string(),
        Status::NoChanges => "nothing: the targets match the sources".to_string(),
        Status::Held => {
            "check the sources where the changes concentrate; if they are right, apply \
                         once with the --allow the plan names"
                .to_string()
        }
        Status::Failed => match errors.first().and_then(|d| d.help.clone()) {
            Some(help) => help,
            None => "read the error above; nothing was written".to_string(),
        },
    }
}

fn steps(o: &Outcome, stopped: Option<&'static str>) -> Vec<Step> {
    let mut past_stop = false;
    STEPS
        .iter()
        .filter(|s| o.command == "apply" || **s != "write")
        .map(|name| {
            let state = if past_stop {
                "skipped"
            } else if Some(*name) == stopped {
                past_stop = true;
                "stopped"
            } else {
                "ran"
            };
            let seconds = o
                .timings
                .iter()
                .find(|p| p.name == *name)
                .map(|p| (p.secs * 1000.0).round() / 1000.0);
            Step {
                name,
                state,
                seconds: if state == "ran" { seconds } else { None },
            }
        })
        .collect()
}

fn targets(plan: &Plan) -> Vec<TargetCounts> {
    plan.targets
        .iter()
        .map(|t| TargetCounts {
            name: t.name.clone(),
            kind: t.kind.clone(),
            entities: t.entities.iter().map(entity_counts).collect(),
            held: t
                .safety
                .held
                .iter()
                .map(|v| {
                    format!(
                        "{}: {} of {} ({:.1}%)",
                        v.limit, v.changes, v.base, v.percent
                    )
                })
                .collect(),
            allowed: t
                .safety
                .allowed
                .iter()
                .filter_map(|v| v.allowed_by.as_ref().map(|a| format!("--allow {a}")))
                .collect(),
        })
        .collect()
}

fn entity_counts(e: &EntityPlan) -> EntityCounts {
    let mut c = EntityCounts {
        entity: e.entity.clone(),
        pending: e.pending.len(),
        held_back: e.held_back.len(),
        ..EntityCounts::default()
    };
    for change in &e.changes {
        c.changes.count(change.action);
    }
    c
}

/// Changes to persons and groups counted by their `school` field, over all targets.
fn schools(plan: &Plan) -> Vec<SchoolCounts> {
    let mut by: std::collections::BTreeMap<String, SchoolCounts> = Default::default();
    for e in plan.targets.iter().flat_map(|t| &t.entities) {
        let Some(i) = e.fields.iter().position(|f| f == "school") else {
            continue;
        };
        for change in &e.changes {
            let school = change
                .values()
                .and_then(|v| v.get(i))
                .map_or_else(|| "(none)".to_string(), str::to_owned);
            let c = by.entry(school.clone()).or_insert_with(|| SchoolCounts {
                school,
                ..SchoolCounts::default()
            });
            c.changes.count(change.action);
        }
    }
    by.into_values().collect()
}
