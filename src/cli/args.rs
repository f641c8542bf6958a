//! Command-line arguments (clap). Raw flags only; commands turn them into settings.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "etl",
    version,
    about = "roster-etl: declare a school roster sync in files, see its plan, apply it safely"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Show only errors: no plan, no warnings, no progress (the exit code tells the rest).
    #[arg(long, short, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Also show each step of the run as it starts and ends, with its time.
    #[arg(long, short, global = true)]
    pub verbose: bool,
    /// How diagnostics, remarks and progress are written to stderr: `text`, or `json` (one
    /// JSON object per line, for log collectors). Results on stdout are not affected.
    #[arg(long, value_enum, default_value = "text", global = true)]
    pub log_format: LogFormat,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check a pipeline and its mapping files without reading data or state.
    Validate {
        /// The pipeline YAML file.
        pipeline: PathBuf,
        /// Also connect to every server a target writes or delivers to: the SFTP host key,
        /// login and remote folder, the SCIM URL and token are checked; nothing is written.
        #[arg(long)]
        connect: bool,
    },
    /// Show what a run would change in each target, and why.
    Plan {
        pipeline: PathBuf,
        #[command(flatten)]
        run: RunArgs,
        #[command(flatten)]
        report: ReportArgs,
        /// Print the plan as versioned JSON instead of text.
        #[arg(long)]
        json: bool,
        /// Save the plan for `etl apply FILE` (readable by its owner only).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Show every row instead of the first few of each list.
        #[arg(long)]
        full: bool,
        /// Exit 0 when there are no changes, 2 when there are, 1 on an error.
        #[arg(long)]
        detailed_exitcode: bool,
    },
    /// Carry out a saved plan exactly, or plan a pipeline and apply it after approval.
    Apply {
        /// A saved plan (from `etl plan --out`) or a pipeline YAML file.
        file: PathBuf,
        #[command(flatten)]
        run: RunArgs,
        #[command(flatten)]
        report: ReportArgs,
        /// Apply without asking for `yes`.
        #[arg(long)]
        auto_approve: bool,
        /// Show every row of the plan.
        #[arg(long)]
        full: bool,
        /// Do not mail the status report this time, whatever the pipeline's `report.mail` says.
        #[arg(long)]
        no_mail: bool,
    },
    /// Trace one person, group or organisation through every step: the source rows that
    /// hold it, each join, filter and field, and what each target's plan does with it.
    Explain {
        pipeline: PathBuf,
        /// A personnummer, register id, e-mail address, account name or group id.
        who: String,
        #[command(flatten)]
        run: RunArgs,
        /// Print the explanation as JSON.
        #[arg(long)]
        json: bool,
        /// Show every membership instead of the first few.
        #[arg(long)]
        full: bool,
    },
    /// Write everything the mappings produce (the roster, and each record left out with
    /// its reason and source row) as CSV files or JSON, for checking. Reads no state.
    Export {
        pipeline: PathBuf,
        /// `csv`: one file per entity and `left_out.csv` in the --out folder; `json`: one
        /// document, to --out or standard output.
        #[arg(long, value_enum, default_value = "csv")]
        format: crate::export::Format,
        /// The folder (csv) or file (json) to write; created readable by its owner only.
        #[arg(long, value_name = "PATH")]
        out: Option<PathBuf>,
        /// The run's date (YYYY-MM-DD) for activity windows and `today()`; default: the local date.
        #[arg(long, value_name = "DATE")]
        today: Option<chrono::NaiveDate>,
        /// Show personal numbers and other sensitive values instead of masking them.
        #[arg(long)]
        show_sensitive: bool,
    },
    /// Run the pipeline's mapping unit tests: rows given in YAML, records and plan actions
    /// expected. Reads no source and writes nothing.
    Test {
        pipeline: PathBuf,
        /// Test files; default: PIPELINE's name with `.tests.yaml`, beside it.
        files: Vec<PathBuf>,
        /// The run's date when a test gives no `today:` (YYYY-MM-DD); default: the local date.
        #[arg(long, value_name = "DATE")]
        today: Option<chrono::NaiveDate>,
    },
    /// Print a JSON Schema of the pipeline YAML, for editors: completion and checking as
    /// you type (docs/pipeline-reference.md#editor-support).
    Schema,
    /// Print a shell completion script, e.g. `etl completions bash > /etc/bash_completion.d/etl`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Args, Debug, Clone)]
pub struct ReportArgs {
    /// Write the run's status report to FILE when the run ends, however it ends: `.json`
    /// as JSON, `.html` as a self-contained page with charts, anything else as text.
    /// Repeatable.
    #[arg(long, value_name = "FILE")]
    pub report: Vec<PathBuf>,
}

#[derive(Args, Debug, Clone)]
pub struct RunArgs {
    /// The run's date (YYYY-MM-DD) for activity windows and `today()`; default: the local date.
    #[arg(long, value_name = "DATE")]
    pub today: Option<chrono::NaiveDate>,
    /// Show personal numbers and other sensitive values instead of masking them.
    #[arg(long)]
    pub show_sensitive: bool,
    /// Raise one safety limit for this run only, e.g. `delete.person=1500` or `update.person=40%`.
    #[arg(long, value_name = "LIMIT=VALUE")]
    pub allow: Vec<String>,
    /// A school-year rollover run: rollover limits apply and groups gone are archived.
    #[arg(long)]
    pub rollover: bool,
    /// Apply only creates and restores; hold every update and delete back (the summer weeks).
    #[arg(long)]
    pub additions_only: bool,
    /// Read incremental sources in full this time, not only what changed (their mirrors
    /// are written anew).
    #[arg(long)]
    pub full_read: bool,
    /// Print the wall time and peak memory of each phase (read, map, state, diff, write,
    /// save; load for a saved plan) to stderr when the run ends.
    #[arg(long)]
    pub timings: bool,
    /// Threads that map a large block's rows (default: the machine's cores). The result is
    /// the same with any number; `--threads 1` keeps the run on one core.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub threads: Option<u16>,
}

impl RunArgs {
    pub fn today(&self) -> chrono::NaiveDate {
        self.today
            .unwrap_or_else(|| chrono::Local::now().date_naive())
    }

    /// The run's settings; every malformed `--allow` is reported.
    pub fn settings(&self) -> Result<crate::plan::RunSettings, Vec<crate::diagnostic::Diag>> {
        let (allows, errors): (Vec<_>, Vec<_>) = self
            .allow
            .iter()
            .map(|a| crate::safety::Allow::parse(a))
            .partition(Result::is_ok);
        if !errors.is_empty() {
            return Err(errors.into_iter().filter_map(Result::err).collect());
        }
        Ok(crate::plan::RunSettings {
            full_read: self.full_read,
            rollover: self.rollover,
            additions_only: self.additions_only,
            allows: allows.into_iter().filter_map(Result::ok).collect(),
            watch: crate::report::Watch::default(),
            threads: self.threads.map_or_else(
                || std::thread::available_parallelism().map_or(1, |n| n.get()),
                usize::from,
            ),
            afterwards: crate::plan::Afterwards::Nothing,
        })
    }
}
