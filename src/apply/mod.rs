//! Stage "apply": carries out exactly a plan. For each target: refuse a stale plan, write
//! the target, and only then commit in state what the target now holds (staged meanwhile
//! on a second thread, see `recorder`). A crash between the two leaves state behind the
//! target, never ahead of it, and the next run converges.

use crate::diagnostic::{Code, Diag};
use crate::diff::{Held, Records, Stored, apply_changes, to_records};
use crate::load::TargetKind;
use crate::plan::{Plan, TargetPlan};
use crate::report::Watch;
use crate::state::{RemoteIds, State, StateLock, TargetVersion, stale};
use crate::target::{RenderInput, Staged, Stagings};
use recorder::{Recorder, Verdict};
use std::path::Path;

mod recorder;

/// Applies a plan, telling `watch` which target it writes and how far a server target is.
/// The caller holds the state lock. A held plan is refused whole.
///
/// Every target is rendered before any is written, so a record that a target format cannot
/// express stops the run with nothing written anywhere (a state file this run made is
/// removed again, and what it staged in an existing one rolled back).
/// A server target that refuses some changes records the rest and lets the other targets
/// run; its refusals are the run's errors.
pub fn apply(plan: &Plan, lock: &StateLock, watch: &Watch) -> Result<(), Vec<Diag>> {
    apply_read(plan, lock, &mut Vec::new(), watch)
}

/// [`apply`] for a plan this process just built under `_lock`: `read` holds what state held
/// for each target as the plan was made (in the plan's target order), so it is not read again.
/// What is read for a target is left in `read` (a server target's is what it holds now): a
/// caller about to exit can leave those maps (millions of records) to the OS rather than
/// free them.
pub fn apply_read(
    plan: &Plan,
    _lock: &StateLock,
    read: &mut Vec<Stored>,
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
    read: &mut Vec<Stored>,
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
    let first = existing.is_none();
    let changed: Vec<&TargetPlan> = plan.targets.iter().filter(|t| t.has_changes()).collect();
    let names: Vec<String> = changed.iter().map(|t| t.name.clone()).collect();
    std::thread::scope(|scope| {
        // State is staged on a second thread while the targets are rendered and written.
        let mut recorder = Recorder::start(scope, state_path, plan, changed);
        let prepared = prepare_all(existing, read, plan).and_then(|prepared| {
            recorder.opened()?;
            Ok(prepared)
        });
        let prepared = match prepared {
            Ok(prepared) => prepared,
            Err(e) => {
                abandon(recorder, first, state_path);
                return Err(e);
            }
        };
        for (done, p) in prepared.into_iter().enumerate() {
            let of = format!("{} ({} of {})", p.target.name, done + 1, names.len());
            watch.begin("write", &of);
            let written = match p.work {
                Work::Files(staged) => write_target(&mut recorder, p.target, staged),
                Work::Server(work) => sync_server(&mut recorder, plan, p.target, work, watch),
            };
            match written {
                Ok(Some(refused)) => refusals.push(refused),
                Ok(None) => {}
                Err(e) => {
                    if done == 0 {
                        // Nothing was recorded: a state file made by this run would only say so.
                        abandon(recorder, first, state_path);
                    }
                    return Err(e.after_applying(names[..done].to_vec()));
                }
            }
        }
        Ok(())
    })
}

/// Every target with changes, rendered (or, for a server, made ready) before anything is
/// written; what a target holds and was not `read` yet is read from state. The read-only
/// state is closed when this returns.
fn prepare_all<'p>(
    existing: Option<State>,
    read: &mut Vec<Stored>,
    plan: &'p Plan,
) -> Result<Vec<Prepared<'p>>, Diag> {
    let known = read.len();
    read.resize_with(plan.targets.len(), Stored::default);
    let mut prepared = Vec::new();
    let mut stagings = Stagings::default();
    for (i, (target, stored)) in plan.targets.iter().zip(read.iter_mut()).enumerate() {
        if !target.has_changes() {
            continue;
        }
        let state = existing.as_ref();
        if i >= known
            && let Some(state) = state
        {
            *stored = state.records(&target.name)?;
        }
        prepared.push(prepare(state, stored, plan, (target, &mut stagings))?);
    }
    Ok(prepared)
}

/// Stops the recorder (rolling back what it staged) and removes a state file this run made.
fn abandon(recorder: Recorder, first: bool, state_path: &Path) {
    recorder.abandon();
    if first {
        remove_new_state(state_path);
    }
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
    /// A file target's files for this run, staged beside its folder.
    Files(Staged),
    Server(ServerWork),
}

/// A server target: what state held before the run, what the target holds after, and the
/// server-side ids state knows.
struct ServerWork {
    before: Records,
    after: Records,
    ids: RemoteIds,
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

/// Makes a target ready to write from `stored`, what it held: a file target's files are
/// rendered from it merged with the changes; a server target is synced from maps of what
/// it held and what it holds after.
fn prepare<'p>(
    state: Option<&State>,
    stored: &Stored,
    plan: &Plan,
    (target, stagings): (&'p TargetPlan, &mut Stagings),
) -> Result<Prepared<'p>, Diag> {
    let kind = TargetKind::parse(&target.kind).ok_or_else(|| {
        Diag::error(
            Code::BadPlanFile,
            format!("the plan names an unknown target type `{}`", target.kind),
        )
    })?;
    if kind.is_server() {
        let before = to_records(stored);
        let mut after = to_records(stored);
        apply_changes(&mut after, &target.entities);
        let ids = match state {
            Some(state) => state.remote_ids(&target.name)?,
            None => RemoteIds::new(),
        };
        let work = Work::Server(ServerWork { before, after, ids });
        return Ok(Prepared { target, work });
    }
    // Rendered from what state held merged with the changes as it is read: no map of what
    // the target holds after is built.
    let input = RenderInput {
        held: Held::new(stored, &target.entities),
        entities: &target.entities,
        today: &plan.today,
        serial: target.serial + 1,
    };
    let at = (target.name.as_str(), Path::new(&target.path));
    let staged = crate::target::prepare(kind, at, stagings, &target.options, &input)?;
    let work = Work::Files(staged);
    Ok(Prepared { target, work })
}

/// Writes a file target's files, then has the recorder commit what it staged for them.
fn write_target(
    recorder: &mut Recorder,
    target: &TargetPlan,
    staged: Staged,
) -> Result<Option<Diag>, Diag> {
    crate::target::write(&target.name, &target.options, staged)?;
    recorder.record(Verdict::Written)?;
    Ok(None)
}

/// Sends a server target's changes and records the ones the server accepted, with the ids
/// it assigned. Returns the refusals, if any, as the run's error.
fn sync_server(
    recorder: &mut Recorder,
    plan: &Plan,
    target: &TargetPlan,
    work: ServerWork,
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
        before: &work.before,
        after: &work.after,
        ids: work.ids,
        watch,
    };
    // Where the server is declared, for every message about it.
    let place = format!(
        "{}: targets.{}.scim",
        crate::load::display_path(Path::new(&plan.pipeline)),
        target.name
    );
    let mut outcome =
        crate::target::scim::sync(&target.name, options, &job).map_err(|d| d.at(place.clone()))?;
    let refused = (outcome.refused() > 0)
        .then(|| crate::target::scim::refused(&target.name, &outcome, 20).at(place));
    recorder.record(Verdict::Synced {
        accepted: Box::new(outcome.accepted_plan(target)),
        ids: std::mem::take(&mut outcome.ids),
    })?;
    Ok(refused)
}
