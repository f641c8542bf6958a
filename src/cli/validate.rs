//! `etl validate PIPELINE [--connect]`: load and check, reading only CSV headers; with
//! `--connect`, also reach every server a source reads from or a target delivers to.

use super::exit::Exit;
use super::output::Output;
use crate::diagnostic::SourceMap;
use crate::load::{ProcessEnv, SourceServer};
use std::path::Path;

pub fn run(path: &Path, connect: bool, out: &Output) -> Exit {
    let mut sources = SourceMap::new();
    match crate::plan::compile(path, &ProcessEnv, &mut sources) {
        Ok(compiled) => {
            out.diagnostics(&compiled.checked.warnings, &sources);
            let pipeline = &compiled.loaded.pipeline;
            let program = &compiled.checked.program;
            let systems = program.systems_used.join(", ");
            out.print(&format!(
                "The pipeline \"{}\" is valid: {} block(s) in {} mapping file(s); tier {} with {} source system(s) used ({systems}).\n",
                pipeline.name,
                program.blocks.len(),
                compiled.loaded.mapping_files.len(),
                pipeline.tier.node.name(),
                program.systems_used.len(),
            ));
            let steps = crate::compile::steps(program, pipeline);
            out.print(&format!("\nSteps:\n{}", crate::compile::render(&steps)));
            if connect {
                return connect_all(pipeline, &sources, out);
            }
            Exit::Ok
        }
        Err(mut diags) => {
            let diags = diags.take();
            out.diagnostics(&diags, &sources);
            Exit::for_errors(&diags)
        }
    }
}

/// Reaches every source's and target's server; all failures are reported together.
fn connect_all(pipeline: &crate::load::Pipeline, sources: &SourceMap, out: &Output) -> Exit {
    let mut failed = Vec::new();
    let mut lines = Vec::new();
    for system in &pipeline.systems {
        let name = &system.name.node;
        let probed = match &system.server {
            Some(SourceServer::Ss12000(server)) => {
                Some(crate::source::ss12000::probe(name, server))
            }
            Some(SourceServer::Ldap(server)) => Some(crate::source::ldap::probe(name, server)),
            None => None,
        };
        match probed {
            Some(Ok(line)) => lines.push(line),
            Some(Err(diag)) => failed.push(diag),
            None => lines.push(format!(
                "source `{}`: reads files (no server to reach)",
                system.name.node
            )),
        }
    }
    for target in &pipeline.targets {
        match crate::target::check_connection(&target.name.node, &target.options) {
            Some(Ok(line)) => lines.push(line),
            Some(Err(diag)) => failed.push(diag),
            None => lines.push(format!(
                "target `{}`: writes to {} (no server to reach)",
                target.name.node, target.display
            )),
        }
    }
    out.print(&format!("\nConnections:\n  {}\n", lines.join("\n  ")));
    if failed.is_empty() {
        Exit::Ok
    } else {
        out.diagnostics(&failed, sources);
        Exit::for_errors(&failed)
    }
}
