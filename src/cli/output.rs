//! Where output goes: results to stdout; diagnostics, remarks and progress to stderr, as
//! miette reports and plain lines, or as JSON lines with `--log-format json`. `--quiet`
//! keeps only errors; `--verbose` adds each step of the run as it starts and ends.

use super::progress::{Bar, JsonLines, Lines};
use crate::diagnostic::{Diag, SourceMap, render_all};
use crate::report::Watch;
use std::io::{IsTerminal, Write};
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Quiet,
    Normal,
    Verbose,
}

pub struct Output {
    pub color: bool,
    pub level: Level,
    /// Diagnostics, remarks and progress as JSON lines.
    pub json: bool,
    /// stderr is a terminal (a progress line can be drawn and cleared).
    terminal: bool,
}

impl Output {
    pub fn detect(level: Level, json: bool) -> Self {
        let terminal = std::io::stderr().is_terminal();
        let color = terminal && std::env::var_os("NO_COLOR").is_none() && !json;
        Output {
            color,
            level,
            json,
            terminal,
        }
    }

    /// How this run shows its progress: nothing when quiet or unwatched, a progress line
    /// on a terminal, log lines when verbose, JSON events with `--log-format json`.
    pub fn watch(&self) -> Watch {
        match (self.level, self.json) {
            (Level::Quiet, _) => Watch::default(),
            (_, true) => Watch(Arc::new(JsonLines::new())),
            (Level::Verbose, false) => Watch(Arc::new(Lines::new())),
            (Level::Normal, false) if self.terminal => Watch(Arc::new(Bar::new())),
            (Level::Normal, false) => Watch::default(),
        }
    }

    pub fn diagnostics(&self, diags: &[Diag], sources: &SourceMap) {
        let shown: Vec<Diag> = diags
            .iter()
            .filter(|d| self.level != Level::Quiet || d.is_error())
            .cloned()
            .collect();
        if shown.is_empty() {
            return;
        }
        let text = if self.json {
            shown
                .iter()
                .map(|d| format!("{}\n", super::progress::diag_json(d, sources)))
                .collect()
        } else {
            render_all(&shown, sources, self.color)
        };
        let _ = std::io::stderr().write_all(text.as_bytes());
    }

    /// A remark about the run beside its results (stderr, so piped output stays clean).
    pub fn note(&self, text: &str) {
        if self.level == Level::Quiet {
            return;
        }
        let line = if self.json {
            format!(
                "{}\n",
                super::progress::event_json("info", "note", text.trim_end())
            )
        } else {
            text.to_string()
        };
        let _ = std::io::stderr().write_all(line.as_bytes());
    }

    /// A question to the user, on stdout whatever the level.
    pub fn ask(&self, text: &str) {
        let mut out = std::io::stdout();
        let _ = out.write_all(text.as_bytes());
        let _ = out.flush();
    }

    /// A result: the plan, the explanation, the export's summary. Not shown with `--quiet`.
    pub fn print(&self, text: &str) {
        if self.level != Level::Quiet {
            self.ask(text);
        }
    }
}
