//! An empty or failed source never means "delete everyone": a dataset that reads zero rows
//! where the last apply read some stops the run before anything is planned, unless the
//! pipeline says the dataset may be empty.

use crate::check::Program;
use crate::diagnostic::{Code, Diag, Diagnostics};
use crate::load::Pipeline;
use crate::source::Dataset;
use crate::state::State;

/// Checks every dataset read; returns the row counts to remember when the plan is applied.
pub fn check_empty_sources(
    pipeline: &Pipeline,
    program: &Program,
    datasets: &[Dataset],
    state: Option<&State>,
) -> Result<Vec<(String, u64)>, Diagnostics> {
    let previous = match state {
        Some(s) => s.dataset_rows()?,
        None => Default::default(),
    };
    let mut diags = Diagnostics::new();
    let mut rows = Vec::new();
    for (used, data) in program.datasets.iter().zip(datasets) {
        let name = used.qualified.clone();
        rows.push((name.clone(), data.len() as u64));
        let Some(decl) = pipeline.dataset(&name) else {
            continue;
        };
        let before = previous.get(&name).copied().unwrap_or(0);
        if data.is_empty() && before > 0 && !decl.may_be_empty {
            diags.push(
                Diag::error(
                    Code::EmptyDataset,
                    format!(
                        "dataset `{name}` ({}) has no rows, but the last apply read {} from it; nothing was planned",
                        decl.display,
                        crate::safety::thousands(before as usize)
                    ),
                )
                .label(decl.path_span, "empty today")
                .help("an empty export usually means the export failed; check it and run again. If the dataset may really be empty, set `may_be_empty: true` on it"),
            );
        }
    }
    if diags.has_errors() {
        Err(diags)
    } else {
        Ok(rows)
    }
}
