//! From a pipeline file to a plan: load -> check -> read -> execute -> diff -> safety gate.

use super::mode::{Afterwards, RunMode, RunSettings};
use super::model::{Action, EntityPlan, FORMAT, LeftOutCount, Plan, TargetPlan, VERSION};
use crate::check::{self, Checked};
use crate::diagnostic::{Diagnostics, SourceMap};
use crate::diff::{DeletePolicy, DiffOptions, Stored, Want};
use crate::functions::CallCtx;
use crate::load::{self, Env, Loaded, TargetDecl};
use crate::safety::Gate;
use crate::state::State;
use chrono::NaiveDate;
use std::path::Path;

/// A pipeline that loaded and checked.
pub struct Compiled {
    pub loaded: Loaded,
    pub checked: Checked,
}

pub fn compile(
    path: &Path,
    env: &dyn Env,
    sources: &mut SourceMap,
) -> Result<Compiled, Diagnostics> {
    let loaded = load::load(path, env, sources)?;
    let checked = check::check(&loaded, sources)?;
    Ok(Compiled { loaded, checked })
}

/// A plan, and what to keep of the reads that made it once it is applied.
pub struct Built {
    pub plan: Plan,
    /// Incremental sources' mirrors (see [`crate::execute::keep_mirrors`]).
    pub mirrors: Vec<crate::source::ss12000::MirrorUpdate>,
    /// Time and memory of each phase so far (read, map, state, diff).
    pub timings: crate::report::Timings,
    /// What the run read and made on the way to the plan.
    pub spent: Spent,
    /// Data-quality warnings (invalid personnummer, persons without e-mail).
    pub warnings: Vec<crate::diagnostic::Diag>,
}

/// The rows a run read, the roster it made and what state held: millions of small
/// allocations at national scale. A caller that is about to exit hands them to
/// [`Spent::release_at_exit`] rather than freeing them one by one (that took a sixth of a
/// 100k-pupil plan); anything else drops them as usual.
pub struct Spent {
    /// Unless the run is explained afterwards ([`Afterwards`]), the last target's diff has
    /// freed the records (what was left out is kept).
    pub roster: crate::model::Roster,
    pub datasets: Vec<crate::source::Dataset>,
    pub stored: Vec<Stored>,
}

impl Spent {
    /// Leaves the memory to the operating system, which takes it back when the process
    /// ends. Only for a process that ends soon after (the `etl` command).
    pub fn release_at_exit(self) {
        std::mem::forget(self);
    }
}

/// Reads the sources, runs the mappings, diffs each target against `state` and checks the
/// changes against the target's limits.
pub fn build(
    compiled: &Compiled,
    state: Option<&State>,
    settings: &RunSettings,
    today: NaiveDate,
    sources: &mut SourceMap,
) -> Result<Built, Diagnostics> {
    let mut timings = crate::report::Timings::watched(settings.watch.clone());
    let pipeline = &compiled.loaded.pipeline;
    let program = &compiled.checked.program;
    let names: Vec<String> = pipeline
        .targets
        .iter()
        .map(|t| t.name.node.clone())
        .collect();
    let reader = match state {
        Some(s) => s.reader()?,
        None => None,
    };
    std::thread::scope(|scope| {
        // What the targets hold is read on another core while this one reads the sources
        // and runs the mappings; neither needs the other until the diff.
        let names = &names;
        let loading = reader.map(|r| {
            scope.spawn(move || {
                let started = std::time::Instant::now();
                (r.snapshot(names), started.elapsed().as_secs_f64())
            })
        });
        let mut reads = crate::execute::read_datasets(program, pipeline, sources, settings)?;
        let rows = crate::safety::check_empty_sources(pipeline, program, &reads.datasets, state)?;
        timings.mark("read");
        settings
            .watch
            .begin("map", &format!("{} mapping block(s)", program.blocks.len()));
        let ctx = CallCtx::new(today)
            .reading_ahead(pipeline.read_ahead)
            .threads(settings.threads);
        // Unless the rows are read again afterwards, each dataset's text is freed once
        // the blocks are done with it.
        let unplaced = match settings.afterwards {
            Afterwards::Nothing => {
                crate::execute::map_freeing(program, &mut reads.datasets, &ctx, sources)?
            }
            _ => crate::execute::map(program, &reads.datasets, &ctx, sources)?,
        };
        let mut roster = unplaced.place(program, &reads.datasets, &ctx)?;
        let warnings = crate::execute::quality_warnings(program, &reads.datasets, &roster, today);
        let mode = RunMode::decide(settings, &pipeline.school_year, today);
        if mode.rollover {
            super::rollover::retire_earlier_years(&mut roster, today);
        }
        timings.mark("map");
        settings
            .watch
            .begin("state", "what the targets hold (read beside the mappings)");
        let held = match (loading, state) {
            (Some(loading), _) => {
                let (held, secs) = loading
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                timings.beside("state read on a second thread, beside read and map", secs);
                held?
            }
            (None, Some(state)) => state.snapshot(names)?,
            (None, None) => names.iter().map(|_| Default::default()).collect(),
        };
        timings.mark("state");
        let mapped = Mapped {
            reads,
            rows,
            roster,
            warnings,
            mode,
        };
        Ok(plan_targets(
            compiled, settings, today, mapped, held, timings,
        ))
    })
}

/// What the sources and mappings gave, before any target is diffed.
struct Mapped {
    reads: crate::execute::Reads,
    /// Rows per dataset (for the plan and the empty-source check).
    rows: Vec<(String, u64)>,
    roster: crate::model::Roster,
    warnings: Vec<crate::diagnostic::Diag>,
    mode: RunMode,
}

/// Diffs each target against what it holds and checks the changes against its limits.
fn plan_targets(
    compiled: &Compiled,
    settings: &RunSettings,
    today: NaiveDate,
    mapped: Mapped,
    held: Vec<(crate::state::TargetVersion, Stored)>,
    mut timings: crate::report::Timings,
) -> Built {
    let pipeline = &compiled.loaded.pipeline;
    let Mapped {
        reads,
        rows,
        mut roster,
        warnings,
        mode,
    } = mapped;
    let mut targets = Vec::new();
    let mut kept = Vec::new();
    let count = pipeline.targets.len();
    for (i, (target, (version, stored))) in pipeline.targets.iter().zip(held).enumerate() {
        settings
            .watch
            .begin("diff", &format!("{} (the changes)", target.name.node));
        let scoped = crate::diff::scope_group_years(&roster, &stored);
        let mut own = scoped.roster;
        // The roster is read again by the next target and by `etl explain`; else the last
        // diff frees it as it goes.
        let want = match own.as_mut() {
            Some(own) => Want::Spend(own),
            None if i + 1 == count && settings.afterwards == Afterwards::Nothing => {
                Want::Spend(&mut roster)
            }
            None => Want::Read(&roster),
        };
        let mut entities = diff_target(pipeline, target, want, &stored, &mode, today);
        note_year_scoped(&mut entities, &scoped.qualified);
        if mode.additions_only {
            hold_back(&mut entities);
        }
        let limits = if mode.rollover {
            &target.rollover_limits
        } else {
            &target.limits
        };
        let gate = Gate {
            limits,
            limits_name: if mode.rollover { "rollover" } else { "normal" },
            allows: &settings.allows,
            first_run: version.serial == 0,
        };
        let safety = gate.check(&entities, &stored);
        timings.mark("diff");
        targets.push(TargetPlan {
            name: target.name.node.clone(),
            kind: target.kind.node.name().to_string(),
            path: if target.kind.node.is_server() {
                target.display.clone()
            } else {
                absolute(&target.path)
            },
            lineage: version.lineage.clone(),
            serial: version.serial,
            first_run: version.serial == 0,
            entities,
            safety,
            options: target.options.clone(),
        });
        kept.push(stored);
    }
    let plan = Plan {
        format: FORMAT.to_string(),
        version: VERSION,
        pipeline: absolute(&pipeline.path),
        pipeline_name: pipeline.name.clone(),
        state: absolute(&pipeline.state_path),
        today: today.format("%Y-%m-%d").to_string(),
        targets,
        left_out: roster
            .left_out
            .iter()
            .map(|l| LeftOutCount {
                entity: l.entity.name().to_string(),
                reason: l.reason.clone(),
                count: l.count(),
            })
            .collect(),
        mode,
        allows: settings.allows.iter().map(|a| a.text.clone()).collect(),
        datasets: rows,
        reads: reads.notes,
    };
    Built {
        plan,
        mirrors: reads.mirrors,
        timings,
        warnings,
        spent: Spent {
            roster,
            datasets: reads.datasets,
            stored: kept,
        },
    }
}

/// One target's changes: the roster against what the target holds, by its delete policies.
pub fn diff_target(
    pipeline: &crate::load::Pipeline,
    target: &TargetDecl,
    roster: Want,
    stored: &Stored,
    mode: &RunMode,
    today: NaiveDate,
) -> Vec<EntityPlan> {
    let mut policies = target.policies.clone();
    if mode.rollover {
        // A rollover archives last year's groups, whatever the normal policy.
        let group = crate::model::EntityKind::Group;
        policies.by_kind.insert(group, DeletePolicy::Archive);
    }
    let opts = DiffOptions {
        policies: &policies,
        today,
        identity: &pipeline.identity,
    };
    crate::diff::diff(roster, stored, &opts)
}

/// Counts the created groups whose id carries their school year.
fn note_year_scoped(entities: &mut [EntityPlan], qualified: &std::collections::BTreeSet<String>) {
    if qualified.is_empty() {
        return;
    }
    let group = crate::model::EntityKind::Group.name();
    for entity in entities.iter_mut().filter(|e| e.entity == group) {
        entity.year_scoped = entity
            .changes
            .iter()
            .filter(|c| c.action == Action::Create && qualified.contains(&c.key))
            .count();
    }
}

/// Additions-only mode: only creates and restores go through; the rest waits.
fn hold_back(entities: &mut [EntityPlan]) {
    for entity in entities {
        let (through, held): (Vec<_>, Vec<_>) = std::mem::take(&mut entity.changes)
            .into_iter()
            .partition(|c| Action::is_addition(c.action));
        entity.changes = through;
        entity.held_back = held;
    }
}

pub fn absolute(path: &Path) -> String {
    std::path::absolute(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .display()
        .to_string()
}
