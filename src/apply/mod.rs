//! Stage "apply": carries out exactly a plan. For each target: refuse a stale plan, write
//! the target, and only then record in state what the target now holds. A crash between
//! the two leaves state behind the target, never ahead of it, and the next run converges.

use crate::diagnostic::{Code, Diag};
use crate::diff::{Stored, apply_changes};
use crate::load::TargetKind;
use crate::plan::{Plan, Summary, TargetPlan};
use crate::report::Watch;
use crate::state::{AppliedRun, State, StateLock, TargetVersion, stale};
use crate::target::{OutFile, RenderInput};
use std::path::Path;

/// Applies a plan, telling `watch` which target it writes and how far a server target is.
/// The caller holds the state lock. A held plan is refused whole.
///
/// Every target is rendered before any is written (and before a new state file is made), so
/// a record that a target format cannot express stops the run with nothing written anywhere.
/// A server target that refuses some changes records the rest and lets the other targets
/// run; its refusals are the run's errors.
pub fn apply(plan: &Plan, lock: &StateLock, watch: &Watch) -> Result<(), Vec<Diag>> {
    apply_read(plan, lock, Vec::new(), watch)
}

/// [`apply`] for a plan this process just built under `_lock`: `read` holds what state held
/// for each target as the plan was made (in the plan's target order), so it is not read again.
pub fn apply_read(
    plan: &Plan,
    _lock: &StateLock,
    read: Vec<Stored>,
    watch: &Watch,
) -> Result<(), Vec<Diag>> {
    let mut refusals = Vec::new();
    apply_targets(plan, read, watch, &mut refusals).map_err(|e| vec![e])?;
    if refusals.is_empty() {
        Ok(())
    } else {
        Err(refusals)
    }
}

fn apply_targets(
    plan: &Plan,
    read: Vec<Stored>,
    watch: &Watch,
    refusals: &mut Vec<Diag>,
) -> Result<(), Diag> {
    if plan.is_held() {
        return Err(held(plan));
    }
    let state_path = Path::new(&plan.state);
    let existing = State::open_existing(state_path)?;
    for target in &plan.targets {
        check_fresh(existing.as_ref(), target)?;
    }
    let mut read = read.into_iter().map(Some).collect::<Vec<_>>();
    read.resize_with(plan.targets.len(), || None);
    let mut prepared = Vec::new();
    for (target, known) in plan.targets.iter().zip(read) {
        if target.has_changes() {
            prepared.push(prepare(existing.as_ref(), known, plan, target)?);
        }
    }
    let first = existing.is_none();
    drop(existing);
    let mut state = State::open_or_create(state_path)?;
    for (done, p) in prepared.iter().enumerate() {
        let of = format!("{} ({} of {})", p.target.name, done + 1, prepared.len());
        watch.begin("write", &of);
        let written = match &p.work {
            Work::Files(files) => write_target(&mut state, plan, p.target, files),
            Work::Server { before, after } => {
                sync_server(&mut state, plan, p.target, before, after, watch)
            }
        };
        match written {
            Ok(Some(refused)) => refusals.push(refused),
            Ok(None) => {}
            Err(e) => {
                if first && done == 0 {
                    // Nothing was recorded: a state file made by this run would only say so.
                    drop(state);
                    remove_new_state(state_path);
                }
                let applied = prepared[..done].iter().map(|p| p.target.name.clone());
                return Err(e.after_applying(applied.collect()));
            }
        }
    }
    Ok(())
}

/// Removes a state database this run created (and its WAL files) when nothing went into it.
fn remove_new_state(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut file = path.as_os_str().to_owned();
        file.push(suffix);
        let _ = std::fs::remove_file(std::path::PathBuf::from(file));
    }
}

/// A target ready to write.
struct Prepared<'p> {
    target: &'p TargetPlan,
    work: Work,
}

enum Work {
    /// A file target's files for this run.
    Files(Vec<OutFile>),
    /// A server target: what state held before the run, and what the target holds after.
    Server { before: Stored, after: Stored },
}

/// The error for a plan over its limits: which limits, and how to go on.
pub fn held(plan: &Plan) -> Diag {
    let limits: Vec<String> = plan
        .targets
        .iter()
        .flat_map(|t| {
            t.safety
                .held
                .iter()
                .map(move |v| format!("{} ({}: {})", v.limit, t.name, v.changes))
        })
        .collect();
    Diag::error(
        Code::PlanHeld,
        format!(
            "the plan is held by safety limits and was not applied; nothing was written: {}",
            limits.join(", ")
        ),
    )
    .help("`etl plan` shows where the changes concentrate. If the sources are right, let this one run through with --allow NAME=COUNT for each limit (e.g. --allow delete.person=1500)")
}

/// The plan must have been made against the state as it is now.
fn check_fresh(state: Option<&State>, target: &TargetPlan) -> Result<(), Diag> {
    let now = match state {
        Some(state) => state.version(&target.name)?,
        None => TargetVersion::default(),
    };
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

fn prepare<'p>(
    state: Option<&State>,
    known: Option<Stored>,
    plan: &Plan,
    target: &'p TargetPlan,
) -> Result<Prepared<'p>, Diag> {
    let kind = TargetKind::parse(&target.kind).ok_or_else(|| {
        Diag::error(
            Code::BadPlanFile,
            format!("the plan names an unknown target type `{}`", target.kind),
        )
    })?;
    let mut stored: Stored = match (known, state) {
        (Some(known), _) => known,
        (None, Some(state)) => state.records(&target.name)?,
        (None, None) => Default::default(),
    };
    if kind.is_server() {
        let before = stored.clone();
        apply_changes(&mut stored, &target.entities);
        let work = Work::Server {
            before,
            after: stored,
        };
        return Ok(Prepared { target, work });
    }
    apply_changes(&mut stored, &target.entities);
    let input = RenderInput {
        stored: &stored,
        entities: &target.entities,
        today: &plan.today,
        serial: target.serial + 1,
    };
    let files = crate::target::prepare(kind, &target.name, &target.options, &input)?;
    let work = Work::Files(files);
    Ok(Prepared { target, work })
}

fn write_target(
    state: &mut State,
    plan: &Plan,
    target: &TargetPlan,
    files: &[OutFile],
) -> Result<Option<Diag>, Diag> {
    crate::target::write(
        &target.name,
        Path::new(&target.path),
        &target.options,
        files,
    )?;
    commit(state, plan, target, target, None)?;
    Ok(None)
}

/// Sends a server target's changes and records the ones the server accepted, with the ids
/// it assigned. Returns the refusals, if any, as the run's error.
fn sync_server(
    state: &mut State,
    plan: &Plan,
    target: &TargetPlan,
    before: &Stored,
    after: &Stored,
    watch: &Watch,
) -> Result<Option<Diag>, Diag> {
    let options = target.options.scim.as_ref().ok_or_else(|| {
        Diag::error(
            Code::BadPlanFile,
            format!("the plan has no SCIM settings for target `{}`", target.name),
        )
    })?;
    let job = crate::target::scim::Job {
        target,
        before,
        after,
        ids: state.remote_ids(&target.name)?,
        watch,
    };
    // Where the server is declared, for every message about it.
    let place = format!(
        "{}: targets.{}.scim",
        crate::load::display_path(Path::new(&plan.pipeline)),
        target.name
    );
    let outcome =
        crate::target::scim::sync(&target.name, options, &job).map_err(|d| d.at(place.clone()))?;
    let accepted = outcome.accepted_plan(target);
    commit(state, plan, target, &accepted, Some(&outcome.ids))?;
    Ok((outcome.refused() > 0)
        .then(|| crate::target::scim::refused(&target.name, &outcome, 20).at(place)))
}

/// Records `recorded` (the planned changes the target took) as the target's new state.
fn commit(
    state: &mut State,
    plan: &Plan,
    planned: &TargetPlan,
    recorded: &TargetPlan,
    remote: Option<&crate::state::RemoteIds>,
) -> Result<(), Diag> {
    let expected = TargetVersion {
        lineage: planned.lineage.clone(),
        serial: planned.serial,
    };
    let run = AppliedRun {
        target: recorded,
        today: &plan.today,
        mode: plan.mode.name(),
        summary: target_summary(recorded),
        datasets: &plan.datasets,
        remote,
    };
    state.commit(&expected, &run)
}

fn target_summary(target: &TargetPlan) -> Summary {
    let mut summary = Summary::default();
    for change in target.entities.iter().flat_map(|e| &e.changes) {
        summary.count(change.action);
    }
    summary
}
