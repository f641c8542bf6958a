//! Stage "apply": carries out exactly a plan. For each target: refuse a stale plan, write
//! the target, and only then record in state what the target now holds. A crash between
//! the two leaves state behind the target, never ahead of it, and the next run converges.

use crate::diagnostic::{Code, Diag};
use crate::diff::apply_changes;
use crate::load::TargetKind;
use crate::plan::{Plan, TargetPlan};
use crate::state::{State, StateLock, TargetVersion, stale};
use std::path::Path;

/// Applies a plan. The caller holds the state lock.
pub fn apply(plan: &Plan, _lock: &StateLock) -> Result<(), Diag> {
    let state_path = Path::new(&plan.state);
    let mut state = State::open_or_create(state_path)?;
    for target in &plan.targets {
        check_fresh(&state, target)?;
    }
    for target in plan.targets.iter().filter(|t| has_changes(t)) {
        apply_target(&mut state, target)?;
    }
    Ok(())
}

fn has_changes(target: &TargetPlan) -> bool {
    target.entities.iter().any(|e| !e.is_empty())
}

/// The plan must have been made against the state as it is now.
fn check_fresh(state: &State, target: &TargetPlan) -> Result<(), Diag> {
    let now = state.version(&target.name)?;
    if now.serial != target.serial {
        return Err(stale(&target.name, target.serial, now.serial));
    }
    if target.serial > 0 && now.lineage != target.lineage {
        return Err(Diag::error(
            Code::StalePlan,
            format!(
                "the saved plan for target `{}` was made against another state database",
                target.name
            ),
        )
        .help("run `etl plan` again against this state"));
    }
    Ok(())
}

fn apply_target(state: &mut State, target: &TargetPlan) -> Result<(), Diag> {
    let kind = TargetKind::parse(&target.kind).ok_or_else(|| {
        Diag::error(
            Code::BadPlanFile,
            format!("the plan names an unknown target type `{}`", target.kind),
        )
    })?;
    let mut stored = state.records(&target.name)?;
    apply_changes(&mut stored, &target.entities);
    crate::target::write(kind, &target.name, Path::new(&target.path), &stored)?;
    let expected = TargetVersion {
        lineage: target.lineage.clone(),
        serial: target.serial,
    };
    state.commit(&target.name, &expected, &target.entities)
}
