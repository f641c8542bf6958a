//! What a run is doing now, for whoever watches: a progress line on a terminal, log lines
//! with `--verbose`, JSON events with `--log-format json`, nothing with `--quiet` or when
//! nobody is watching. The engine announces its steps through [`Progress`]; the command
//! line decides how they are shown.

use std::sync::Arc;

pub trait Progress: Send + Sync {
    /// A step starts: `read` with `extens.elever (2 of 6)`, `write` with `skolon`, ...
    fn begin(&self, step: &str, detail: &str);
    /// The run's step `step` ended after `secs` seconds.
    fn end(&self, step: &str, secs: f64);
    /// The run is over (a progress line is cleared).
    fn finish(&self) {}
}

/// Shows nothing.
pub struct Silent;

impl Progress for Silent {
    fn begin(&self, _: &str, _: &str) {}
    fn end(&self, _: &str, _: f64) {}
}

/// The progress display a run reports to (silent unless the command line chose one).
#[derive(Clone)]
pub struct Watch(pub Arc<dyn Progress>);

impl Watch {
    pub fn begin(&self, step: &str, detail: &str) {
        self.0.begin(step, detail);
    }

    pub fn end(&self, step: &str, secs: f64) {
        self.0.end(step, secs);
    }

    pub fn finish(&self) {
        self.0.finish();
    }
}

impl Default for Watch {
    fn default() -> Self {
        Watch(Arc::new(Silent))
    }
}

impl std::fmt::Debug for Watch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Watch")
    }
}
