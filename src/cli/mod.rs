//! The `etl` command: parse flags, dispatch, map results to exit codes.

mod apply;
mod args;
mod exit;
mod explain;
mod output;
mod plan;
mod validate;

pub use args::{Cli, Command, RunArgs};
pub use exit::Exit;

use clap::Parser;

pub fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    run(cli).into()
}

pub fn run(cli: Cli) -> Exit {
    let out = output::Output::detect();
    match &cli.command {
        Command::Validate { pipeline, connect } => validate::run(pipeline, *connect, &out),
        Command::Plan {
            pipeline,
            run,
            json,
            out: file,
            full,
            detailed_exitcode,
        } => {
            let flags = plan::PlanFlags {
                run,
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
            auto_approve,
            full,
        } => {
            let flags = apply::ApplyFlags {
                run,
                auto_approve: *auto_approve,
                full: *full,
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
    }
}
