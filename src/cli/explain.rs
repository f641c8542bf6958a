//! `etl explain PIPELINE WHO`: one record traced from the sources to every target.

use super::args::RunArgs;
use super::exit::Exit;
use super::output::Output;
use super::plan::{compile, plan_against_state};
use crate::diagnostic::SourceMap;
use crate::explain::{Options, explain, render};
use crate::plan::Afterwards;
use std::path::Path;

pub struct ExplainFlags<'a> {
    pub run: &'a RunArgs,
    pub json: bool,
    pub full: bool,
}

pub fn run(path: &Path, who: &str, flags: &ExplainFlags, out: &Output) -> Exit {
    let mut sources = SourceMap::new();
    let compiled = match compile(path, &mut sources, out) {
        Ok(c) => c,
        Err(diags) => {
            out.diagnostics(&diags, &sources);
            return Exit::for_errors(&diags);
        }
    };
    let traced = Afterwards::Explain;
    let built = match plan_against_state(&compiled, flags.run, &mut sources, out, traced) {
        Ok(b) => b,
        Err(diags) => {
            out.diagnostics(&diags, &sources);
            return Exit::for_errors(&diags);
        }
    };
    let opts = Options {
        today: flags.run.today(),
        show_sensitive: flags.run.show_sensitive,
    };
    let explained = explain(&compiled, &built, who, &opts, &sources);
    built.spent.release_at_exit();
    match explained {
        Ok(e) if flags.json => {
            out.print(&format!(
                "{}\n",
                serde_json::to_string_pretty(&e).unwrap_or_default()
            ));
            Exit::Ok
        }
        Ok(e) => {
            out.print(&render(&e, flags.full));
            Exit::Ok
        }
        Err(d) => {
            out.diagnostics(&[d], &sources);
            Exit::Error
        }
    }
}
