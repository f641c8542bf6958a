//! `etl export PIPELINE`: the roster and the records left out, as CSV files or JSON.

use super::exit::Exit;
use super::output::Output;
use super::plan::compile;
use crate::diagnostic::{Code, Diag, SourceMap};
use crate::export::{Format, map, save_json, tables, write_csv, write_json};
use std::path::Path;

pub struct ExportFlags<'a> {
    pub format: Format,
    pub out: Option<&'a Path>,
    pub today: chrono::NaiveDate,
    pub show_sensitive: bool,
}

pub fn run(path: &Path, flags: &ExportFlags, out: &Output) -> Exit {
    let mut sources = SourceMap::new();
    match export(path, flags, out, &mut sources) {
        Ok(()) => Exit::Ok,
        Err(diags) => {
            out.diagnostics(&diags, &sources);
            Exit::for_errors(&diags)
        }
    }
}

fn export(
    path: &Path,
    flags: &ExportFlags,
    out: &Output,
    sources: &mut SourceMap,
) -> Result<(), Vec<Diag>> {
    let compiled = compile(path, sources, out)?;
    let mapped = map(&compiled, flags.today, sources).map_err(|mut d| d.take())?;
    let tables = tables(&mapped, &compiled.checked.program, flags.show_sensitive);
    let today = flags.today.format("%Y-%m-%d").to_string();
    match (flags.format, flags.out) {
        (Format::Json, None) => {
            let name = &compiled.loaded.pipeline.name;
            out.print(&format!("{}\n", write_json(&tables, name, &today)));
        }
        (Format::Json, Some(file)) => {
            let name = &compiled.loaded.pipeline.name;
            save_json(&write_json(&tables, name, &today), file).map_err(|d| vec![d])?;
            out.print(&format!("Wrote the export to {}.\n", file.display()));
        }
        (Format::Csv, None) => {
            return Err(vec![
                Diag::error(Code::ExportWrite, "a CSV export needs a folder to write to")
                    .help("add --out FOLDER, or use --format json to print it"),
            ]);
        }
        (Format::Csv, Some(dir)) => {
            let written = write_csv(&tables, dir).map_err(|d| vec![d])?;
            let mut text = format!("Wrote the export of {today} to {}:\n", dir.display());
            for (file, rows) in written {
                text.push_str(&format!("  {file}: {rows} row(s)\n"));
            }
            out.print(&text);
        }
    }
    Ok(())
}
