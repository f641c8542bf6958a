//! `etl plan PIPELINE`: what would change, per target.

use super::args::RunArgs;
use super::exit::Exit;
use super::output::Output;
use super::record::RunRecord;
use crate::diagnostic::{Code, Diag, SourceMap};
use crate::load::ProcessEnv;
use crate::plan::{Afterwards, Built, Compiled, Plan, RenderOptions, masked, render};
use crate::state::State;
use std::path::Path;

pub struct PlanFlags<'a> {
    pub run: &'a RunArgs,
    pub reports: &'a [std::path::PathBuf],
    pub json: bool,
    pub out: Option<&'a Path>,
    pub full: bool,
    pub detailed_exitcode: bool,
}

pub fn run(path: &Path, flags: &PlanFlags, out: &Output) -> Exit {
    let mut sources = SourceMap::new();
    let mut record = RunRecord::new(path, flags.run.today());
    let result = plan(path, flags, out, &mut sources, &mut record);
    record.finish("plan", result, flags.reports, &sources, out)
}

fn plan(
    path: &Path,
    flags: &PlanFlags,
    out: &Output,
    sources: &mut SourceMap,
    record: &mut RunRecord,
) -> Result<Exit, Vec<Diag>> {
    let compiled = compile(path, sources, out)?;
    record.warnings = compiled.checked.warnings.clone();
    let built = plan_against_state(&compiled, flags.run, sources, out, Afterwards::Nothing)?;
    out.diagnostics(&built.warnings, sources);
    record.warnings.extend(built.warnings.iter().cloned());
    let mut timings = built.timings;
    // `etl` ends after this run: the OS takes the rows and records back faster than free().
    built.spent.release_at_exit();
    let plan = record.plan.insert(built.plan);
    if let Some(file) = flags.out {
        save(plan, file).map_err(|d| vec![d])?;
        timings.mark("save");
    }
    if flags.json {
        let shown = if flags.run.show_sensitive {
            plan.clone()
        } else {
            masked(plan)
        };
        out.print(&format!(
            "{}\n",
            serde_json::to_string_pretty(&shown).unwrap_or_default()
        ));
    } else {
        out.print(&render(
            plan,
            &RenderOptions {
                full: flags.full,
                show_sensitive: flags.run.show_sensitive,
            },
        ));
        if let Some(file) = flags.out {
            out.print(&format!(
                "\nSaved the plan to {}. Apply exactly this plan with: etl apply {}\n",
                file.display(),
                file.display()
            ));
        }
    }
    timings.mark("render");
    if flags.run.timings {
        eprint!("{}", timings.render());
    }
    record.phases = timings.phases;
    Ok(
        match (flags.detailed_exitcode, plan.is_held(), plan.has_changes()) {
            (true, true, _) => Exit::Held,
            (true, false, true) => Exit::Changes,
            _ => Exit::Ok,
        },
    )
}

/// Loads and checks a pipeline, showing its warnings.
pub fn compile(path: &Path, sources: &mut SourceMap, out: &Output) -> Result<Compiled, Vec<Diag>> {
    let compiled = crate::plan::compile(path, &ProcessEnv, sources).map_err(|mut d| d.take())?;
    out.diagnostics(&compiled.checked.warnings, sources);
    Ok(compiled)
}

/// Reads the sources and diffs against the state as it is now (opened read-only; nothing
/// is created, and incremental sources' mirrors are not written). A caller that reads the
/// run's roster or rows afterwards says so (`afterwards`).
pub fn plan_against_state(
    compiled: &Compiled,
    run: &RunArgs,
    sources: &mut SourceMap,
    out: &Output,
    afterwards: Afterwards,
) -> Result<Built, Vec<Diag>> {
    let mut settings = run.settings()?;
    settings.watch = out.watch();
    settings.afterwards = afterwards;
    let state = State::open_existing(&compiled.loaded.pipeline.state_path).map_err(|d| vec![d])?;
    let built = crate::plan::build(compiled, state.as_ref(), &settings, run.today(), sources);
    settings.watch.finish();
    built.map_err(|mut d| d.take())
}

/// Saves a plan for `etl apply FILE`; it holds the real values, so only its owner may read it.
pub fn save(plan: &Plan, file: &Path) -> Result<(), Diag> {
    // Streamed to the file: a rollover's plan is over a gigabyte of JSON, which would
    // otherwise be built as one string first.
    let failed = |e: std::io::Error| {
        Diag::error(
            Code::BadPlanFile,
            format!("cannot save the plan to {}: {e}", file.display()),
        )
        .help("choose a writable path for --out")
    };
    let created = crate::private_file::create(file).map_err(failed)?;
    // Only a regular file this save made (or emptied) is removed when the write fails: a
    // half-written plan. A device or pipe the path names (`--out /dev/full`, run as root)
    // stays where it is.
    let regular = created.metadata().is_ok_and(|m| m.is_file());
    let mut out = std::io::BufWriter::with_capacity(1 << 20, created);
    let written = serde_json::to_writer(&mut out, plan)
        .map_err(std::io::Error::from)
        .and_then(|()| std::io::Write::flush(&mut out));
    written.map_err(|e| {
        if regular {
            let _ = std::fs::remove_file(file);
        }
        failed(e)
    })
}
