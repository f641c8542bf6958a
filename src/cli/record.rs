//! What a `plan` or `apply` run got to, kept as it goes so the status report can be
//! written however the run ends.

use super::exit::Exit;
use super::output::Output;
use crate::diagnostic::{Diag, SourceMap};
use crate::load::ProcessEnv;
use crate::plan::Plan;
use crate::report::alert::{self, Decision};
use crate::report::{MailOptions, Outcome, Phase, RunReport, report};
use std::path::PathBuf;

#[derive(Default)]
pub struct RunRecord {
    pub pipeline: String,
    pub today: String,
    pub plan: Option<Plan>,
    pub applied: bool,
    pub warnings: Vec<Diag>,
    pub phases: Vec<Phase>,
    /// The pipeline's `report.mail`, once it is loaded (apply runs only).
    pub mail: Option<MailOptions>,
    /// The pipeline's state database, beside which the last alert is kept.
    pub state: Option<PathBuf>,
}

impl RunRecord {
    pub fn new(pipeline: &std::path::Path, today: chrono::NaiveDate) -> RunRecord {
        RunRecord {
            pipeline: pipeline.display().to_string(),
            today: today.format("%Y-%m-%d").to_string(),
            ..RunRecord::default()
        }
    }

    /// Mails this run's report as the pipeline asks (when it could be loaded: a run that
    /// stops in a later step is mailed even when the mappings do not compile).
    pub fn mail_for(&mut self, loaded: Option<&crate::load::Loaded>) {
        if let Some(l) = loaded {
            self.mail = l.pipeline.report.mail.clone();
            self.state = Some(l.pipeline.state_path.clone());
        }
    }

    /// Ends a run: writes its status report to each of `files`, mails it when the
    /// pipeline asks, shows the errors, and gives the exit code (an error when a report
    /// could not be written or mailed).
    pub fn finish(
        &self,
        command: &str,
        result: Result<Exit, Vec<Diag>>,
        files: &[PathBuf],
        sources: &SourceMap,
        out: &Output,
    ) -> Exit {
        let errors = result.as_ref().err().cloned().unwrap_or_default();
        let mut unwritten = Vec::new();
        if !files.is_empty() || self.mail.is_some() {
            let report = self.report(command, &errors, sources);
            unwritten = crate::report::write(&report, files);
            unwritten.extend(self.mail(&report, out));
        }
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

    fn report(&self, command: &str, errors: &[Diag], sources: &SourceMap) -> RunReport {
        let pipeline = self
            .plan
            .as_ref()
            .map_or(self.pipeline.as_str(), |p| p.pipeline_name.as_str());
        let today = self
            .plan
            .as_ref()
            .map_or(self.today.as_str(), |p| p.today.as_str());
        report(&Outcome {
            command,
            pipeline,
            today,
            plan: self.plan.as_ref(),
            applied: self.applied,
            errors,
            warnings: &self.warnings,
            timings: &self.phases,
            sources,
        })
    }

    /// Mails the report when `report.mail.when` names its outcome, once per hold.
    fn mail(&self, report: &RunReport, out: &Output) -> Option<Diag> {
        let (mail, state) = (self.mail.as_ref()?, self.state.as_ref()?);
        let file = alert::file_for(state);
        let mailed = match alert::decide(report, mail.wants(report.status), &file) {
            Decision::NotWanted => false,
            Decision::AlreadyAlerted { since } => {
                out.note(&format!(
                    "The plan is held by the same limits as on {since}; that was mailed, so no mail tonight.\n"
                ));
                false
            }
            Decision::Send => {
                if let Err(d) = mail.send(report, &ProcessEnv) {
                    return Some(d);
                }
                out.note(&format!(
                    "Mailed the status report to {}.\n",
                    mail.to
                        .iter()
                        .map(|m| m.email.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
                true
            }
        };
        alert::remember(report, mailed, &file).err().map(|e| {
            Diag::error(
                crate::diagnostic::Code::MailSend,
                format!("cannot record the alert in {}: {e}", file.display()),
            )
            .help("the state's folder must be writable by the account that runs etl")
        })
    }
}
