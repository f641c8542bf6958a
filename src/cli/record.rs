//! What a `plan` or `apply` run got to, kept as it goes so the status report can be
//! written however the run ends.

use super::exit::Exit;
use super::output::Output;
use crate::diagnostic::{Diag, SourceMap};
use crate::plan::Plan;
use crate::report::{Outcome, Phase, report};
use std::path::PathBuf;

#[derive(Default)]
pub struct RunRecord {
    pub pipeline: String,
    pub today: String,
    pub plan: Option<Plan>,
    pub applied: bool,
    pub warnings: Vec<Diag>,
    pub phases: Vec<Phase>,
}

impl RunRecord {
    pub fn new(pipeline: &std::path::Path, today: chrono::NaiveDate) -> RunRecord {
        RunRecord {
            pipeline: pipeline.display().to_string(),
            today: today.format("%Y-%m-%d").to_string(),
            ..RunRecord::default()
        }
    }

    /// Ends a run: writes its status report to each of `files`, shows the errors, and
    /// gives the exit code (an error when a report could not be written).
    pub fn finish(
        &self,
        command: &str,
        result: Result<Exit, Vec<Diag>>,
        files: &[PathBuf],
        sources: &SourceMap,
        out: &Output,
    ) -> Exit {
        let errors = result.as_ref().err().cloned().unwrap_or_default();
        let unwritten = self.report(command, &errors, files, sources);
        out.diagnostics(&unwritten, sources);
        match result {
            Ok(exit) if unwritten.is_empty() => exit,
            Ok(_) => Exit::Error,
            Err(diags) => {
                out.diagnostics(&diags, sources);
                Exit::for_errors(&diags)
            }
        }
    }

    /// Writes the status report to each of `files`; returns what could not be written.
    fn report(
        &self,
        command: &str,
        errors: &[Diag],
        files: &[PathBuf],
        sources: &SourceMap,
    ) -> Vec<Diag> {
        if files.is_empty() {
            return Vec::new();
        }
        let pipeline = self
            .plan
            .as_ref()
            .map_or(self.pipeline.as_str(), |p| p.pipeline_name.as_str());
        let today = self
            .plan
            .as_ref()
            .map_or(self.today.as_str(), |p| p.today.as_str());
        let outcome = Outcome {
            command,
            pipeline,
            today,
            plan: self.plan.as_ref(),
            applied: self.applied,
            errors,
            warnings: &self.warnings,
            timings: &self.phases,
            sources,
        };
        crate::report::write(&report(&outcome), files)
    }
}
