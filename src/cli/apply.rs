//! `etl apply FILE|PIPELINE`: carry out a saved plan exactly, or plan and apply after `yes`.

use super::args::RunArgs;
use super::exit::Exit;
use super::output::Output;
use super::record::RunRecord;
use crate::diagnostic::{Code, Diag, SourceMap};
use crate::load::ProcessEnv;
use crate::plan::{FORMAT, Plan, RenderOptions, VERSION, render, summary_line};
use crate::report::Timings;
use crate::state::StateLock;
use std::io::BufRead;
use std::path::Path;

pub struct ApplyFlags<'a> {
    pub run: &'a RunArgs,
    pub reports: &'a [std::path::PathBuf],
    pub auto_approve: bool,
    pub full: bool,
    /// Do not mail the status report this time (`--no-mail`).
    pub no_mail: bool,
}

pub fn run(file: &Path, flags: &ApplyFlags, out: &Output) -> Exit {
    let mut sources = SourceMap::new();
    let mut record = RunRecord::new(file, flags.run.today());
    let mut timings = Timings::start();
    let result = match read_saved_plan(file) {
        Some(plan) => plan.and_then(|p| {
            if !flags.no_mail {
                // The saved plan names its pipeline: its `report.mail` is read from there.
                mail_as_pipeline_says(Path::new(&p.pipeline), &mut sources, &mut record);
            }
            timings.mark("load");
            let applied = apply_saved(record.plan.insert(p), out, &mut record.applied);
            timings.mark("write");
            record.phases = timings.phases.clone();
            if flags.run.timings {
                eprint!("{}", timings.render());
            }
            applied
        }),
        None => apply_pipeline(file, flags, &mut sources, out, &mut record),
    };
    record.finish("apply", result, flags.reports, &sources, out)
}

/// Loads only the pipeline (no mappings, no data) for its `report.mail`, into the run's own
/// source map so a mail error can point at the `smtp:` line. A pipeline that cannot be
/// loaded has no mail settings.
fn mail_as_pipeline_says(pipeline: &Path, sources: &mut SourceMap, record: &mut RunRecord) {
    let loaded = crate::load::load(pipeline, &ProcessEnv, sources);
    record.mail_for(loaded.as_ref().ok());
}

/// `Some` when the file is a saved plan (JSON), `None` when it is a pipeline.
fn read_saved_plan(file: &Path) -> Option<Result<Plan, Vec<Diag>>> {
    let bytes = std::fs::read(file).ok()?;
    if !bytes.trim_ascii_start().starts_with(b"{") {
        return None;
    }
    let bad = |why: String| {
        vec![
            Diag::error(
                Code::BadPlanFile,
                format!("{} is not a usable plan: {why}", file.display()),
            )
            .help("make a plan with `etl plan PIPELINE --out FILE`"),
        ]
    };
    Some(match serde_json::from_slice::<Plan>(&bytes) {
        Ok(plan) if plan.format != FORMAT => Err(bad(format!("its format is `{}`", plan.format))),
        Ok(plan) if plan.version != VERSION => Err(bad(format!(
            "it is plan version {}, this roster-etl reads version {VERSION}",
            plan.version
        ))),
        Ok(plan) => match plan.undated_delay() {
            Some((target, entity)) => Err(bad(format!(
                "a delayed delete of a {entity} in target `{target}` has no due date (YYYY-MM-DD)"
            ))),
            None => Ok(plan),
        },
        Err(e) => Err(bad(e.to_string())),
    })
}

fn apply_saved(plan: &Plan, out: &Output, applied: &mut bool) -> Result<Exit, Vec<Diag>> {
    let lock = StateLock::acquire(Path::new(&plan.state), "etl apply").map_err(|d| vec![d])?;
    let watch = out.watch();
    let written = crate::apply::apply(plan, &lock, &watch);
    watch.finish();
    written?;
    *applied = true;
    out.print(&complete_line(plan));
    Ok(Exit::Ok)
}

fn apply_pipeline(
    path: &Path,
    flags: &ApplyFlags,
    sources: &mut SourceMap,
    out: &Output,
    record: &mut RunRecord,
) -> Result<Exit, Vec<Diag>> {
    let compiled = match super::plan::compile(path, sources, out) {
        Ok(c) => c,
        Err(d) => {
            if !flags.no_mail {
                mail_as_pipeline_says(path, sources, record);
            }
            return Err(d);
        }
    };
    record.warnings = compiled.checked.warnings.clone();
    if !flags.no_mail {
        record.mail_for(Some(&compiled.loaded));
    }
    let lock = StateLock::acquire(&compiled.loaded.pipeline.state_path, "etl apply")
        .map_err(|d| vec![d])?;
    let nothing = crate::plan::Afterwards::Nothing;
    let built = super::plan::plan_against_state(&compiled, flags.run, sources, out, nothing)?;
    out.diagnostics(&built.warnings, sources);
    record.warnings.extend(built.warnings.iter().cloned());
    let (mut timings, mut spent) = (built.timings, built.spent);
    let plan = record.plan.insert(built.plan);
    let mut read = std::mem::take(&mut spent.stored);
    // `etl` ends after this run: the OS takes the rows and records back faster than free().
    spent.release_at_exit();
    out.print(&render(
        plan,
        &RenderOptions {
            full: flags.full,
            show_sensitive: flags.run.show_sensitive,
        },
    ));
    if plan.is_held() {
        record.phases = timings.phases;
        return Err(vec![crate::apply::held(plan)]);
    }
    if plan.has_changes() {
        if !flags.auto_approve && !approved(out) {
            return Err(vec![
                Diag::error(Code::NotApproved, "apply cancelled: nothing was written")
                    .help("answer `yes` to apply, or pass --auto-approve in unattended runs"),
            ]);
        }
        timings.mark("render");
        record.phases = timings.phases.clone();
        let watch = out.watch();
        let written = crate::apply::apply_read(plan, &lock, &mut read, &watch);
        // What the targets hold now, left to the OS as the run's other records were.
        std::mem::forget(read);
        watch.finish();
        written?;
        record.applied = true;
        timings.mark("write");
        out.print(&complete_line(plan));
    }
    record.phases = timings.phases.clone();
    out.diagnostics(&crate::execute::keep_mirrors(built.mirrors), sources);
    if flags.run.timings {
        eprint!("{}", timings.render());
    }
    Ok(Exit::Ok)
}

/// Asks for `yes`. The question is shown even with `--quiet`: a prompt nobody sees would
/// wait for ever.
fn approved(out: &Output) -> bool {
    out.ask("\nDo you want to perform these actions?\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: ");
    let mut answer = String::new();
    let read = std::io::stdin().lock().read_line(&mut answer);
    out.ask("\n");
    read.is_ok() && answer.trim() == "yes"
}

fn complete_line(plan: &Plan) -> String {
    let s = plan.summary();
    if !plan.has_changes() {
        return format!("Apply complete! {}\n", summary_line(plan));
    }
    let mut parts = vec![
        format!("{} added", s.add),
        format!("{} changed", s.change),
        format!("{} destroyed", s.destroy),
    ];
    let extra = [
        (s.restore, "restored"),
        (s.rekey, "re-keyed"),
        (s.trash, "trashed"),
        (s.archive, "archived"),
        (s.delay, "scheduled for deletion"),
    ];
    parts.extend(
        extra
            .iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, w)| format!("{n} {w}")),
    );
    if !plan.allows.is_empty() {
        parts.push(format!(
            "overrides used: --allow {}",
            plan.allows.join(", --allow ")
        ));
    }
    format!("Apply complete! Records: {}.\n", parts.join(", "))
}
