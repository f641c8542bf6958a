//! The `etl` command: parse flags, dispatch, map results to exit codes.

mod apply;
mod args;
mod exit;
mod explain;
mod export;
mod output;
mod plan;
mod progress;
mod record;
mod test;
mod validate;

pub use args::{Cli, Command, RunArgs};
pub use exit::Exit;

use clap::Parser;

pub fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    run(cli).into()
}

pub fn run(cli: Cli) -> Exit {
    let level = match (cli.quiet, cli.verbose) {
        (true, _) => output::Level::Quiet,
        (false, true) => output::Level::Verbose,
        (false, false) => output::Level::Normal,
    };
    let out = output::Output::detect(level, cli.log_format == args::LogFormat::Json);
    match &cli.command {
        Command::Validate { pipeline, connect } => validate::run(pipeline, *connect, &out),
        Command::Plan {
            pipeline,
            run,
            report,
            json,
            out: file,
            full,
            detailed_exitcode,
        } => {
            let flags = plan::PlanFlags {
                run,
                reports: &report.report,
                json: *json,
                out: file.as_deref(),
                full: *full,
                detailed_exitcode: *detailed_exitcode,
            };
            plan::run(pipeline, &flags, &out)
        }
        Command::Apply {
            file,
            run,
            report,
            auto_approve,
            full,
            no_mail,
        } => {
            let flags = apply::ApplyFlags {
                run,
                reports: &report.report,
                auto_approve: *auto_approve,
                full: *full,
                no_mail: *no_mail,
            };
            apply::run(file, &flags, &out)
        }
        Command::Explain {
            pipeline,
            who,
            run,
            json,
            full,
        } => {
            let flags = explain::ExplainFlags {
                run,
                json: *json,
                full: *full,
            };
            explain::run(pipeline, who, &flags, &out)
        }
        Command::Export {
            pipeline,
            format,
            out: path,
            today,
            show_sensitive,
        } => {
            let flags = export::ExportFlags {
                format: *format,
                out: path.as_deref(),
                today: today.unwrap_or_else(|| chrono::Local::now().date_naive()),
                show_sensitive: *show_sensitive,
            };
            export::run(pipeline, &flags, &out)
        }
        Command::Test {
            pipeline,
            files,
            today,
        } => {
            let today = today.unwrap_or_else(|| chrono::Local::now().date_naive());
            test::run(pipeline, files, today, &out)
        }
        Command::Schema => {
            let schema = crate::load::pipeline_schema();
            out.print(&format!(
                "{}\n",
                serde_json::to_string_pretty(&schema).unwrap_or_default()
            ));
            Exit::Ok
        }
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            let mut script = Vec::new();
            clap_complete::generate(*shell, &mut command, "etl", &mut script);
            out.print(&String::from_utf8_lossy(&script));
            Exit::Ok
        }
    }
}
