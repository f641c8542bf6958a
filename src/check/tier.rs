//! The package tier: bronze reads one source system, silver several. Only systems the
//! mappings actually read count; several datasets of one system count once.

use crate::diagnostic::{Code, Diag, Span};
use crate::load::Pipeline;
use crate::syntax::ast::MappingFile;

/// Source systems the mappings read, each with the place of its first use.
pub fn systems_used(files: &[MappingFile]) -> Vec<(String, Span)> {
    let mut used: Vec<(String, Span)> = Vec::new();
    let refs = files
        .iter()
        .flat_map(|f| f.blocks.iter())
        .flat_map(|b| std::iter::once(&b.from).chain(b.joins.iter().map(|j| &j.source)));
    for source in refs {
        if !used.iter().any(|(s, _)| *s == source.system.node) {
            used.push((
                source.system.node.clone(),
                source.system.span.to(source.dataset.span),
            ));
        }
    }
    used
}

pub fn check(pipeline: &Pipeline, used: &[(String, Span)]) -> Option<Diag> {
    let tier = pipeline.tier.node;
    let max = tier.max_systems()?;
    if used.len() <= max {
        return None;
    }
    let names: Vec<String> = used.iter().map(|(s, _)| format!("`{s}`")).collect();
    let (first, first_span) = &used[0];
    let (second, second_span) = &used[max];
    Some(
        Diag::error(
            Code::TierExceeded,
            format!("a {} pipeline may read one source system, but the mappings read {}: {}", tier.name(), used.len(), names.join(" and ")),
        )
        .label(*second_span, format!("`{second}` is a second source system"))
        .label(*first_span, format!("`{first}` is the first"))
        .label(pipeline.tier.span, format!("the pipeline is declared `tier: {}` here", tier.name()))
        .help("use `tier: silver` to combine several systems (e.g. a register and AD), or read all datasets from one system"),
    )
}
