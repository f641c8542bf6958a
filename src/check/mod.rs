//! Stage "check": resolves names and types in the mapping files against the datasets'
//! columns, enforces that fallible expressions are handled, counts the tier, checks what
//! each target requires, and produces a [`Program`]. All errors come out together.

mod bind;
mod block;
mod expr;
pub mod ir;
mod merge;
mod schema;
mod standalone;
mod tier;

pub use expr::signature;
pub use ir::{BlockPlan, FieldPlan, Ir, JoinPlan, MergePlan, MergeRule, Program};
pub use schema::{Schemas, is_sensitive_column};
pub use standalone::{Evaluated, evaluate};

use crate::diagnostic::{Code, Diag, Diagnostics, SourceMap};
use crate::load::Loaded;
use crate::syntax::{self, ast::MappingFile};
use bind::Binder;
use block::BlockChecker;
use ir::DatasetUse;

/// A checked program and the warnings found on the way.
pub struct Checked {
    pub program: Program,
    pub warnings: Vec<Diag>,
}

pub fn check(loaded: &Loaded, sources: &mut SourceMap) -> Result<Checked, Diagnostics> {
    let mut diags = Diagnostics::new();
    let mut files: Vec<MappingFile> = Vec::new();
    for &file in &loaded.mapping_files {
        match syntax::parse_file(sources.text(file), file) {
            Ok(parsed) => files.push(parsed),
            Err(errors) => diags.extend(errors),
        }
    }
    let pipeline = &loaded.pipeline;
    let used = tier::systems_used(&files);
    if let Some(d) = tier::check(pipeline, &used) {
        diags.push(d);
    }
    let lookup_names: Vec<String> = pipeline
        .lookups
        .iter()
        .map(|l| l.name.node.clone())
        .collect();
    let mut binder = Binder::new(&lookup_names, sources, pipeline.script_time);
    let mut schemas = schema::Schemas::default();
    let mut datasets = Vec::new();
    let mut blocks = Vec::new();
    for (file, mapping) in loaded.mapping_files.iter().zip(&loaded.pipeline.mappings) {
        let Some(parsed) = files.iter().find(|f| f.file == *file) else {
            continue;
        };
        binder.mapping_dir = mapping
            .node
            .parent()
            .map(|p| p.to_path_buf())
            .unwrap_or_default();
        let mut checker = BlockChecker {
            pipeline,
            binder: &mut binder,
            schemas: &mut schemas,
            datasets: &mut datasets,
        };
        blocks.extend(parsed.blocks.iter().filter_map(|b| checker.check(b)));
    }
    if files.iter().all(|f| f.blocks.is_empty())
        && !diags.has_errors()
        && binder.diags.error_count() == 0
    {
        diags.push(
            Diag::error(
                Code::MissingField,
                "the mapping files define no entity blocks",
            )
            .label(pipeline.tier.span, "this pipeline")
            .help("add a block such as `person from system.dataset as p key p.Id { ... }`"),
        );
    }
    let mut merge_diags = Vec::new();
    let merges = merge::check(files.iter().flat_map(|f| &f.merges), &mut merge_diags);
    diags.extend(merge_diags);
    for d in crate::target::check_requirements(pipeline, &blocks) {
        binder.diags.push(d);
    }
    diags.extend(binder.diags.take());
    if diags.has_errors() {
        return Err(diags);
    }
    let warnings = diags.take();
    let program = Program {
        datasets: datasets
            .into_iter()
            .map(|(qualified, system)| DatasetUse { qualified, system })
            .collect(),
        blocks,
        merges,
        lookups: pipeline.lookups.iter().map(|l| l.table.clone()).collect(),
        scripts: binder.scripts,
        systems_used: used.into_iter().map(|(s, _)| s).collect(),
    };
    Ok(Checked { program, warnings })
}
