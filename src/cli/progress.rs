//! The ways a run's progress is shown (see [`super::output::Output::watch`]): a progress
//! line on a terminal, plain log lines (`--verbose`) and JSON lines (`--log-format json`).

use crate::diagnostic::{Diag, SourceMap};
use crate::report::Progress;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::Write;
use std::time::Duration;

/// A spinner with the current step on stderr, cleared when the run ends.
pub struct Bar(ProgressBar);

impl Bar {
    pub fn new() -> Bar {
        let bar = ProgressBar::new_spinner();
        if let Ok(style) = ProgressStyle::with_template("{spinner} {elapsed:>4} {msg}") {
            bar.set_style(style);
        }
        bar.enable_steady_tick(Duration::from_millis(120));
        Bar(bar)
    }
}

impl Progress for Bar {
    fn begin(&self, step: &str, detail: &str) {
        self.0.set_message(format!("{step}: {detail}"));
    }

    fn end(&self, _: &str, _: f64) {}

    fn finish(&self) {
        self.0.finish_and_clear();
    }
}

/// `etl: read extens.elever (2 of 6)` and `etl: read done in 0.012 s`.
pub struct Lines;

impl Progress for Lines {
    fn begin(&self, step: &str, detail: &str) {
        let _ = writeln!(std::io::stderr(), "etl: {step} {detail}");
    }

    fn end(&self, step: &str, secs: f64) {
        let _ = writeln!(std::io::stderr(), "etl: {step} done in {secs:.3} s");
    }
}

/// One JSON object per line: `{"time": ..., "level": "info", "event": "begin", ...}`.
pub struct JsonLines;

impl Progress for JsonLines {
    fn begin(&self, step: &str, detail: &str) {
        let mut e = event("info", "begin");
        e["step"] = step.into();
        e["detail"] = detail.into();
        let _ = writeln!(std::io::stderr(), "{e}");
    }

    fn end(&self, step: &str, secs: f64) {
        let mut e = event("info", "end");
        e["step"] = step.into();
        e["seconds"] = ((secs * 1000.0).round() / 1000.0).into();
        let _ = writeln!(std::io::stderr(), "{e}");
    }
}

fn event(level: &str, kind: &str) -> serde_json::Value {
    serde_json::json!({
        "time": chrono::Local::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "level": level,
        "event": kind,
    })
}

/// A remark as one JSON line.
pub fn event_json(level: &str, kind: &str, message: &str) -> serde_json::Value {
    let mut e = event(level, kind);
    e["message"] = message.into();
    e
}

/// A diagnostic as one JSON line: its code, message, place (`file:line:column` in the
/// user's file, or a row or request) and hint. Secrets are already blanked in `sources`.
pub fn diag_json(d: &Diag, sources: &SourceMap) -> serde_json::Value {
    let level = if d.is_error() { "error" } else { "warning" };
    let mut e = event_json(level, "diagnostic", &d.message);
    e["code"] = d.code.as_str().into();
    let at = d
        .labels
        .first()
        .map(|l| sources.position(l.span))
        .or_else(|| d.location.clone());
    if let Some(at) = at {
        e["at"] = at.into();
    }
    if let Some(help) = &d.help {
        e["help"] = help.clone().into();
    }
    e
}
