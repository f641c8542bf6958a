//! Stage "export": everything the mappings produce, for admins to check: the canonical
//! roster (one table per entity kind) and every record left out, with its reason and the
//! source row it came from. Nothing is diffed, planned or written to a target.

mod tables;
mod write;

pub use tables::{Table, tables};
pub use write::{Format, save_json, write_csv, write_json};

use crate::diagnostic::{Diagnostics, SourceMap};
use crate::functions::CallCtx;
use crate::model::Roster;
use crate::plan::Compiled;
use crate::source::Dataset;

/// The roster a run makes, and the rows it read (to name where left-out records were).
pub struct Mapped {
    pub roster: Roster,
    pub datasets: Vec<Dataset>,
}

/// Reads the sources and runs the mappings, as `etl plan` does before it diffs.
pub fn map(
    compiled: &Compiled,
    today: chrono::NaiveDate,
    sources: &mut SourceMap,
) -> Result<Mapped, Diagnostics> {
    let pipeline = &compiled.loaded.pipeline;
    let program = &compiled.checked.program;
    let reads = crate::execute::read_datasets(program, pipeline, sources, &Default::default())?;
    let ctx = CallCtx::new(today).reading_ahead(pipeline.read_ahead);
    let roster = crate::execute::run(program, &reads.datasets, &ctx, sources)?;
    Ok(Mapped {
        roster,
        datasets: reads.datasets,
    })
}
