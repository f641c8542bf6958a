//! Reads the datasets a program uses: CSV files one by one, each SS12000 server once for
//! all of its datasets, and each directory over one connection for all of its searches.
//! Every read error of the run is reported together. An incremental SS12000 source's
//! mirror is not written here: [`keep_mirrors`] writes it once the run's plan is applied.

use crate::check::Program;
use crate::diagnostic::{Code, Diag, Diagnostics, SourceMap};
use crate::load::{DatasetDecl, Pipeline, SourceServer, SourceSystem};
use crate::source::ldap::{self, LdapQuery};
use crate::source::ss12000::{self, MirrorAt, MirrorUpdate, Resource};
use crate::source::{Dataset, read_dataset};

/// What the run's reads gave.
#[derive(Debug, Default)]
pub struct Reads {
    /// The datasets in the order of `program.datasets`.
    pub datasets: Vec<Dataset>,
    /// How incremental sources were read, one line each (`source `x`: ...`).
    pub notes: Vec<String>,
    /// Incremental sources' mirrors as these reads leave them (see [`keep_mirrors`]).
    pub mirrors: Vec<MirrorUpdate>,
}

/// One server's read.
struct ServerRead {
    datasets: Vec<Dataset>,
    note: Option<String>,
    mirror: Option<MirrorUpdate>,
}

/// Reads every dataset the program uses; `full_read` makes incremental sources read in full.
pub fn read_datasets(
    program: &Program,
    pipeline: &Pipeline,
    sources: &mut SourceMap,
    settings: &crate::plan::RunSettings,
) -> Result<Reads, Diagnostics> {
    let full_read = settings.full_read;
    let watch = &settings.watch;
    let total = program.datasets.len();
    let mut diags = Diagnostics::new();
    let mut read: Vec<Option<Dataset>> = program.datasets.iter().map(|_| None).collect();
    let mut notes = Vec::new();
    let mut mirrors = Vec::new();
    let ctx = ServerCtx {
        state: &pipeline.state_path,
        full_read,
        watch,
    };
    for system in &pipeline.systems {
        let Some(server) = &system.server else {
            continue;
        };
        let used = used_by(program, pipeline, system);
        if used.is_empty() {
            continue;
        }
        watch.begin(
            "read",
            &format!(
                "{} ({} dataset(s) from its server)",
                system.name.node,
                used.len()
            ),
        );
        match read_server(&system.name.node, server, &used, &ctx) {
            Ok(got) => {
                for ((i, _), dataset) in used.iter().zip(got.datasets) {
                    read[*i] = Some(dataset);
                }
                notes.extend(got.note);
                mirrors.extend(got.mirror);
            }
            Err(d) => diags.push(d),
        }
    }
    for (i, (slot, used)) in read.iter_mut().zip(&program.datasets).enumerate() {
        let Some(src) = pipeline
            .dataset(&used.qualified)
            .and_then(|d| d.csv_source())
        else {
            continue;
        };
        watch.begin(
            "read",
            &format!("{} ({} of {total})", used.qualified, i + 1),
        );
        match read_dataset(&src, sources, watch) {
            Ok((dataset, _)) => *slot = Some(dataset),
            Err(d) => diags.push(d),
        }
    }
    if diags.has_errors() {
        return Err(diags);
    }
    Ok(Reads {
        datasets: read.into_iter().map(Option::unwrap_or_default).collect(),
        notes,
        mirrors,
    })
}

/// Writes incremental sources' mirrors once a run's plan was applied (or had nothing to
/// apply). A plan that is only shown, held or refused keeps none, so the next run asks
/// again for everything since the last applied read. A mirror that cannot be written is a
/// warning: the next run then reads from where this one started, which is still right.
pub fn keep_mirrors(mirrors: Vec<MirrorUpdate>) -> Vec<Diag> {
    mirrors
        .into_iter()
        .filter_map(|m| m.save().err())
        .map(|why| {
            Diag::warning(Code::StateFailed, why).help(
                "check that the state's folder is writable; the next run asks the register for what changed since the last mirror written",
            )
        })
        .collect()
}

/// What every server read of the run shares.
struct ServerCtx<'a> {
    state: &'a std::path::Path,
    full_read: bool,
    watch: &'a crate::report::Watch,
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
    ctx: &ServerCtx,
) -> Result<ServerRead, Diag> {
    match server {
        SourceServer::Ss12000(options) => {
            let resources: Vec<Resource> = used.iter().filter_map(|(_, d)| d.resource()).collect();
            let read = if options.incremental.is_some() {
                let path = ss12000::mirror_path(ctx.state, system);
                let at = MirrorAt {
                    path: &path,
                    full: ctx.full_read,
                };
                ss12000::read_incremental(system, options, &resources, &at, ctx.watch)?
            } else {
                ss12000::read(system, options, &resources, ctx.watch)?
            };
            let note = read
                .mirror
                .is_some()
                .then(|| format!("source `{system}`: {}", read.how));
            Ok(ServerRead {
                datasets: read.datasets,
                note,
                mirror: read.mirror,
            })
        }
        SourceServer::Ldap(options) => {
            let queries: Vec<&LdapQuery> =
                used.iter().filter_map(|(_, d)| d.ldap_query()).collect();
            Ok(ServerRead {
                datasets: ldap::read(system, options, &queries, ctx.watch)?.datasets,
                note: None,
                mirror: None,
            })
        }
    }
}
