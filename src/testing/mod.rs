//! `etl test`: mapping unit tests declared in YAML beside the pipeline. Each test gives
//! rows of named datasets, runs the pipeline's own mappings on them (the same checked
//! program `etl plan` runs), and expects records, absent keys or plan actions. Nothing is
//! read from the sources and nothing is written: no state, no target.

mod expect;
mod file;
mod rows;

pub use file::RawTests;

use crate::diagnostic::{Code, Diag, FileId, SourceMap};
use crate::functions::CallCtx;
use crate::load::span_of;
use crate::plan::{Compiled, RunMode};
use chrono::NaiveDate;
use expect::{Checker, left_out_places};
use file::RawTest;
use rows::Datasets;

/// One test's result: its name and every unmet expectation (none when it passed).
pub struct Outcome {
    pub name: String,
    pub failures: Vec<Diag>,
}

/// Reads a test file into the source map (so diagnostics point into it).
pub fn read(path: &std::path::Path, sources: &mut SourceMap) -> Result<(FileId, RawTests), Diag> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Diag::error(Code::TestFile, format!("cannot read the test file {}: {e}", path.display()))
            .help("pass the path of a mapping test file, e.g. `etl test pipeline.yaml pipeline.tests.yaml`")
    })?;
    let file = sources.add(crate::load::display_path(path), text.clone());
    let raw = crate::load::parse_yaml::<RawTests>(&text, file)?;
    Ok((file, raw))
}

/// Runs every test of a file (an error when a dataset's columns cannot be read).
pub fn run(
    compiled: &Compiled,
    file: FileId,
    tests: &RawTests,
    today: NaiveDate,
    sources: &mut SourceMap,
) -> Result<Vec<Outcome>, Vec<Diag>> {
    let pipeline = &compiled.loaded.pipeline;
    let builder = Datasets::new(&compiled.checked.program, pipeline, file, sources)?;
    Ok(tests
        .tests
        .iter()
        .map(|t| Outcome {
            name: t.name.value.clone(),
            failures: run_one(compiled, &builder, t, today, sources),
        })
        .collect())
}

fn run_one(
    compiled: &Compiled,
    builder: &Datasets,
    test: &RawTest,
    today: NaiveDate,
    sources: &SourceMap,
) -> Vec<Diag> {
    let file = builder.file();
    let today = match &test.today {
        Some(t) => match NaiveDate::parse_from_str(&t.value, "%Y-%m-%d") {
            Ok(d) => d,
            Err(_) => {
                return vec![
                    Diag::error(Code::TestFile, format!("`{}` is not a date", t.value))
                        .label(span_of(t, file), "here")
                        .help("write the run's date as YYYY-MM-DD"),
                ];
            }
        },
        None => today,
    };
    let pipeline = &compiled.loaded.pipeline;
    let program = &compiled.checked.program;
    let ctx = CallCtx::new(today).reading_ahead(pipeline.read_ahead);
    let datasets = match builder.build(&test.given, sources) {
        Ok(d) => d,
        Err(problems) => return problems,
    };
    let roster = match crate::execute::run(program, &datasets, &ctx, sources) {
        Ok(r) => r,
        Err(mut d) => return d.take(),
    };
    let checker = Checker {
        file,
        roster: &roster,
        left_out: left_out_places(&roster, &datasets),
    };
    let mut failures = Vec::new();
    checker.records(test, &mut failures);
    if test.plan.0.is_empty() {
        return failures;
    }
    let stored = if test.yesterday.0.is_empty() {
        Default::default()
    } else {
        let before = match builder.build(&test.yesterday, sources) {
            Ok(d) => d,
            Err(problems) => return problems,
        };
        match crate::execute::run(program, &before, &ctx, sources) {
            // What yesterday's run would have left in state.
            Ok(r) => r.entities,
            Err(mut d) => return d.take(),
        }
    };
    for (name, expected) in &test.plan.0 {
        let Some(target) = pipeline.targets.iter().find(|t| t.name.node == name.value) else {
            let names = pipeline.targets.iter().map(|t| t.name.node.as_str());
            failures.push(
                Diag::error(
                    Code::TestFile,
                    format!("the pipeline has no target `{}`", name.value),
                )
                .label(span_of(name, file), "here")
                .help(crate::diagnostic::suggest::did_you_mean(&name.value, names)),
            );
            continue;
        };
        let plans = crate::plan::diff_target(
            pipeline,
            target,
            crate::diff::Want::Read(&roster),
            &stored,
            &RunMode::default(),
            today,
        );
        checker.plan(name, expected, &plans, &mut failures);
    }
    failures
}
