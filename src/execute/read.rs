//! Reads the datasets a program uses: CSV files one by one, and each SS12000 server once
//! for all of its datasets. Every read error of the run is reported together.

use crate::check::Program;
use crate::diagnostic::{Diagnostics, SourceMap};
use crate::load::Pipeline;
use crate::source::ss12000::{self, Resource};
use crate::source::{Dataset, read_dataset};

/// The datasets in the order of `program.datasets`.
pub fn read_datasets(
    program: &Program,
    pipeline: &Pipeline,
    sources: &mut SourceMap,
) -> Result<Vec<Dataset>, Diagnostics> {
    let mut diags = Diagnostics::new();
    let mut read: Vec<Option<Dataset>> = program.datasets.iter().map(|_| None).collect();
    for system in &pipeline.systems {
        let Some(server) = &system.server else {
            continue;
        };
        let used: Vec<(usize, Resource)> = program
            .datasets
            .iter()
            .enumerate()
            .filter_map(|(i, used)| {
                let decl = pipeline.dataset(&used.qualified)?;
                (decl.system == system.name.node).then_some((i, decl.resource()?))
            })
            .collect();
        if used.is_empty() {
            continue;
        }
        let resources: Vec<Resource> = used.iter().map(|(_, r)| *r).collect();
        match ss12000::read(&system.name.node, server, &resources) {
            Ok(got) => {
                for ((i, _), dataset) in used.iter().zip(got.datasets) {
                    read[*i] = Some(dataset);
                }
            }
            Err(d) => diags.push(d),
        }
    }
    for (slot, used) in read.iter_mut().zip(&program.datasets) {
        let Some(src) = pipeline
            .dataset(&used.qualified)
            .and_then(|d| d.csv_source())
        else {
            continue;
        };
        match read_dataset(&src, sources) {
            Ok((dataset, _)) => *slot = Some(dataset),
            Err(d) => diags.push(d),
        }
    }
    if diags.has_errors() {
        return Err(diags);
    }
    Ok(read.into_iter().map(Option::unwrap_or_default).collect())
}
