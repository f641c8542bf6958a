//! Reads the datasets a program uses: CSV files one by one, each SS12000 server once for
//! all of its datasets, and each directory over one connection for all of its searches.
//! Every read error of the run is reported together.

use crate::check::Program;
use crate::diagnostic::{Diag, Diagnostics, SourceMap};
use crate::load::{DatasetDecl, Pipeline, SourceServer, SourceSystem};
use crate::source::ldap::{self, LdapQuery};
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
        let used = used_by(program, pipeline, system);
        if used.is_empty() {
            continue;
        }
        match read_server(&system.name.node, server, &used) {
            Ok(datasets) => {
                for ((i, _), dataset) in used.iter().zip(datasets) {
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

/// The datasets of `system` the program reads, with their places in `program.datasets`.
fn used_by<'p>(
    program: &Program,
    pipeline: &'p Pipeline,
    system: &SourceSystem,
) -> Vec<(usize, &'p DatasetDecl)> {
    program
        .datasets
        .iter()
        .enumerate()
        .filter_map(|(i, used)| {
            let decl = pipeline.dataset(&used.qualified)?;
            (decl.system == system.name.node).then_some((i, decl))
        })
        .collect()
}

/// One server's datasets, in the order of `used`.
fn read_server(
    system: &str,
    server: &SourceServer,
    used: &[(usize, &DatasetDecl)],
) -> Result<Vec<Dataset>, Diag> {
    match server {
        SourceServer::Ss12000(options) => {
            let resources: Vec<Resource> = used.iter().filter_map(|(_, d)| d.resource()).collect();
            Ok(ss12000::read(system, options, &resources)?.datasets)
        }
        SourceServer::Ldap(options) => {
            let queries: Vec<&LdapQuery> =
                used.iter().filter_map(|(_, d)| d.ldap_query()).collect();
            Ok(ldap::read(system, options, &queries)?.datasets)
        }
    }
}
