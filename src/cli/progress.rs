//! The ways a run's progress is shown (see [`super::output::Output::watch`]): a progress
//! bar on a terminal, plain log lines (`--verbose`) and JSON lines (`--log-format json`).

use crate::diagnostic::{Diag, SourceMap};
use crate::report::Progress;
use crate::report::Unit;
use indicatif::{BinaryBytes, HumanCount, ProgressBar, ProgressStyle};
use std::io::Write;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The current step on stderr: a spinner with the step and its detail, which becomes a bar
/// once the step says how far it is (bytes of a file, changes sent to a server). Cleared
/// when the run ends.
pub struct Bar {
    bar: ProgressBar,
    /// The look in use: `None` for the spinner, else what the bar counts.
    look: Mutex<Option<(Unit, bool)>>,
}

impl Bar {
    pub fn new() -> Bar {
        Bar::drawn_to(ProgressBar::new_spinner())
    }

    fn drawn_to(bar: ProgressBar) -> Bar {
        if let Ok(style) = ProgressStyle::with_template(SPINNER) {
            bar.set_style(style);
        }
        bar.enable_steady_tick(Duration::from_millis(120));
        Bar {
            bar,
            look: Mutex::new(None),
        }
    }

    fn set_look(&self, look: Option<(Unit, bool)>) {
        let Ok(mut now) = self.look.lock() else {
            return;
        };
        if *now == look {
            return;
        }
        *now = look;
        let template = look.map_or(SPINNER, |(unit, known)| template(unit, known));
        if let Ok(style) = ProgressStyle::with_template(template) {
            self.bar.set_style(style.progress_chars("=> "));
        }
    }
}

const SPINNER: &str = "{spinner} {elapsed:>4} {msg}";

/// How a step that counts `unit` is drawn, with a bar when its total is `known`.
fn template(unit: Unit, known: bool) -> &'static str {
    match (unit, known) {
        (Unit::Bytes, true) => {
            "{spinner} {elapsed:>4} {msg} [{bar:24}] {binary_bytes}/{binary_total_bytes}"
        }
        (Unit::Bytes, false) => "{spinner} {elapsed:>4} {msg} {binary_bytes}",
        (Unit::Objects, true) => {
            "{spinner} {elapsed:>4} {msg} [{bar:24}] {human_pos}/{human_len} objects"
        }
        (Unit::Objects, false) => "{spinner} {elapsed:>4} {msg} {human_pos} objects",
        (Unit::Changes, true) => {
            "{spinner} {elapsed:>4} {msg} [{bar:24}] {human_pos}/{human_len} changes"
        }
        (Unit::Changes, false) => "{spinner} {elapsed:>4} {msg} {human_pos} changes",
    }
}

impl Progress for Bar {
    fn begin(&self, step: &str, detail: &str) {
        self.set_look(None);
        self.bar.unset_length();
        self.bar.set_position(0);
        self.bar.set_message(format!("{step}: {detail}"));
    }

    fn advance(&self, done: u64, total: Option<u64>, unit: Unit) {
        self.set_look(Some((unit, total.is_some())));
        // indicatif draws a new position only now and then, a new length at once.
        self.bar.set_position(done);
        match total {
            Some(total) => self.bar.set_length(total),
            None => self.bar.unset_length(),
        }
    }

    fn end(&self, _: &str, _: f64) {}

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// How often a log tells how far a long step is.
const HEARTBEAT: Duration = Duration::from_secs(2);

/// When a log last told how far the running step is: a step shorter than [`HEARTBEAT`]
/// logs only its start and end.
struct Heartbeat(Mutex<(String, Instant)>);

impl Heartbeat {
    fn new() -> Heartbeat {
        Heartbeat(Mutex::new((String::new(), Instant::now())))
    }

    fn begin(&self, step: &str) {
        if let Ok(mut at) = self.0.lock() {
            *at = (step.to_string(), Instant::now());
        }
    }

    /// The running step's name when it is time to tell how far it is.
    fn due(&self, now: Instant) -> Option<String> {
        let mut at = self.0.lock().ok()?;
        if now.duration_since(at.1) < HEARTBEAT {
            return None;
        }
        at.1 = now;
        Some(at.0.clone())
    }
}

/// `12.5 MiB of 40.0 MiB (31 %)`, `120 000 objects so far`, `300 of 1 200 changes (25 %)`.
fn how_far(done: u64, total: Option<u64>, unit: Unit) -> String {
    let amount = |n: u64| match unit {
        Unit::Bytes => BinaryBytes(n).to_string(),
        _ => HumanCount(n).to_string(),
    };
    let noun = match unit {
        Unit::Bytes => String::new(),
        _ => format!(" {}", unit.name()),
    };
    match total {
        Some(total) if total > 0 => format!(
            "{} of {}{noun} ({} %)",
            amount(done),
            amount(total),
            done.saturating_mul(100) / total
        ),
        _ => format!("{}{noun} so far", amount(done)),
    }
}

/// `etl: read extens.elever (2 of 6)` and `etl: read done in 0.012 s`; a long step also
/// logs how far it is every few seconds.
pub struct Lines(Heartbeat);

impl Lines {
    pub fn new() -> Lines {
        Lines(Heartbeat::new())
    }
}

impl Progress for Lines {
    fn begin(&self, step: &str, detail: &str) {
        self.0.begin(step);
        let _ = writeln!(std::io::stderr(), "etl: {step} {detail}");
    }

    fn advance(&self, done: u64, total: Option<u64>, unit: Unit) {
        if let Some(step) = self.0.due(Instant::now()) {
            let far = how_far(done, total, unit);
            let _ = writeln!(std::io::stderr(), "etl: {step} {far}");
        }
    }

    fn end(&self, step: &str, secs: f64) {
        let _ = writeln!(std::io::stderr(), "etl: {step} done in {secs:.3} s");
    }
}

/// One JSON object per line: `{"time": ..., "level": "info", "event": "begin", ...}`.
pub struct JsonLines(Heartbeat);

impl JsonLines {
    pub fn new() -> JsonLines {
        JsonLines(Heartbeat::new())
    }
}

impl Progress for JsonLines {
    fn begin(&self, step: &str, detail: &str) {
        self.0.begin(step);
        let mut e = event("info", "begin");
        e["step"] = step.into();
        e["detail"] = detail.into();
        let _ = writeln!(std::io::stderr(), "{e}");
    }

    fn advance(&self, done: u64, total: Option<u64>, unit: Unit) {
        let Some(step) = self.0.due(Instant::now()) else {
            return;
        };
        let mut e = event("info", "progress");
        e["step"] = step.into();
        e["done"] = done.into();
        e["total"] = total.into();
        e["unit"] = unit.name().into();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_fills_as_a_step_counts_and_a_new_step_starts_as_a_spinner() {
        let bar = Bar::drawn_to(ProgressBar::hidden());
        bar.begin("read", "extens.elever (1 of 6)");
        bar.advance(300, Some(1200), Unit::Bytes);
        assert_eq!((bar.bar.position(), bar.bar.length()), (300, Some(1200)));
        assert_eq!(*bar.look.lock().unwrap(), Some((Unit::Bytes, true)));
        bar.begin("read", "register (3 dataset(s) from its server)");
        assert_eq!((bar.bar.position(), bar.bar.length()), (0, None));
        assert_eq!(*bar.look.lock().unwrap(), None);
        bar.advance(5000, None, Unit::Objects);
        assert_eq!((bar.bar.position(), bar.bar.length()), (5000, None));
        assert_eq!(*bar.look.lock().unwrap(), Some((Unit::Objects, false)));
        for (unit, known) in [(Unit::Bytes, false), (Unit::Changes, true)] {
            assert!(ProgressStyle::with_template(template(unit, known)).is_ok());
        }
    }

    #[test]
    fn logs_tell_how_far_in_words() {
        assert_eq!(
            how_far(3 << 20, Some(12 << 20), Unit::Bytes),
            "3.00 MiB of 12.00 MiB (25 %)"
        );
        assert_eq!(
            how_far(120_000, None, Unit::Objects),
            "120,000 objects so far"
        );
        assert_eq!(
            how_far(300, Some(1200), Unit::Changes),
            "300 of 1,200 changes (25 %)"
        );
    }

    #[test]
    fn a_log_tells_how_far_a_step_is_at_most_every_few_seconds() {
        let beat = Heartbeat::new();
        beat.begin("read");
        let start = Instant::now();
        assert_eq!(beat.due(start), None, "a short step logs no progress");
        let later = start + HEARTBEAT;
        assert_eq!(beat.due(later).as_deref(), Some("read"));
        assert_eq!(beat.due(later + Duration::from_millis(10)), None);
        assert_eq!(beat.due(later + HEARTBEAT).as_deref(), Some("read"));
    }
}
