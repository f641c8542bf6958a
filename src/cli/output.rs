//! Where output goes: results to stdout, diagnostics to stderr.

use crate::diagnostic::{Diag, SourceMap, render_all};
use std::io::{IsTerminal, Write};

pub struct Output {
    pub color: bool,
}

impl Output {
    pub fn detect() -> Self {
        let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        Output { color }
    }

    pub fn diagnostics(&self, diags: &[Diag], sources: &SourceMap) {
        if diags.is_empty() {
            return;
        }
        let _ = std::io::stderr().write_all(render_all(diags, sources, self.color).as_bytes());
    }

    /// A remark about the run beside its results (stderr, so piped output stays clean).
    pub fn note(&self, text: &str) {
        let _ = std::io::stderr().write_all(text.as_bytes());
    }

    pub fn print(&self, text: &str) {
        let mut out = std::io::stdout();
        let _ = out.write_all(text.as_bytes());
        let _ = out.flush();
    }
}
