//! Stage "report": what a run tells its operators besides the plan: the status report of
//! each plan and apply (terminal, JSON and a self-contained HTML page) and the time and
//! peak memory of each phase (`--timings`).

pub mod alert;
mod html;
mod mail;
mod progress;
mod status;
mod steps;
mod text;
mod timings;

pub use mail::{DEFAULT_WHEN, MailOptions, WHEN, subject};
pub use progress::{Progress, Recorded, Silent, Tally, Unit, Watch};
pub use status::{Outcome, RunReport, Status, report};
pub use steps::{STEPS, stopped_at};
pub use timings::{Phase, Timings};

use crate::diagnostic::{Code, Diag};
use std::path::Path;

pub fn render_html(r: &RunReport) -> String {
    html::render(r)
}

pub fn render_text(r: &RunReport) -> String {
    text::render(r)
}

/// Writes the report to each file: `.json` as JSON, `.html` as a page, anything else as
/// text. Files are readable by their owner only (reports name records).
pub fn write(r: &RunReport, files: &[std::path::PathBuf]) -> Vec<Diag> {
    let mut problems = Vec::new();
    for file in files {
        let body = match file.extension().and_then(|e| e.to_str()) {
            Some("json") => serde_json::to_string_pretty(r).unwrap_or_default() + "\n",
            Some("html" | "htm") => render_html(r),
            _ => render_text(r),
        };
        if let Err(e) = save(file, &body) {
            problems.push(
                Diag::error(
                    Code::ReportWrite,
                    format!("cannot write the report {}: {e}", file.display()),
                )
                .help("choose a writable path for --report"),
            );
        }
    }
    problems
}

fn save(file: &Path, body: &str) -> std::io::Result<()> {
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    crate::private_file::write(file, body.as_bytes())
}
