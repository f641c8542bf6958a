//! `etl validate PIPELINE`: load and check, reading only CSV headers.

use super::exit::Exit;
use super::output::Output;
use crate::diagnostic::SourceMap;
use crate::load::ProcessEnv;
use std::path::Path;

pub fn run(path: &Path, out: &Output) -> Exit {
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
            Exit::Ok
        }
        Err(mut diags) => {
            let diags = diags.take();
            out.diagnostics(&diags, &sources);
            Exit::for_errors(&diags)
        }
    }
}
