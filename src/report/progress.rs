//! What a run is doing now, for whoever watches: a progress bar on a terminal, log lines
//! with `--verbose`, JSON events with `--log-format json`, nothing with `--quiet` or when
//! nobody is watching. The engine announces its steps through [`Progress`] and counts what
//! a long step has done with [`Tally`]; the command line decides how it is shown.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// What a step counts as it goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Bytes of a file read.
    Bytes,
    /// Objects or entries read from a server (which does not say how many there are).
    Objects,
    /// Planned changes carried out on a server target.
    Changes,
}

impl Unit {
    pub fn name(self) -> &'static str {
        match self {
            Unit::Bytes => "bytes",
            Unit::Objects => "objects",
            Unit::Changes => "changes",
        }
    }
}

pub trait Progress: Send + Sync {
    /// A step starts: `read` with `extens.elever (2 of 6)`, `write` with `skolon`, ...
    fn begin(&self, step: &str, detail: &str);
    /// The running step has done `done` units of `total` (`None`: the total is not known,
    /// as for a register read page by page).
    fn advance(&self, _done: u64, _total: Option<u64>, _unit: Unit) {}
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

    pub fn advance(&self, done: u64, total: Option<u64>, unit: Unit) {
        self.0.advance(done, total, unit);
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

/// Counts what one step has done, from any number of concurrent tasks, and tells the watch.
pub struct Tally {
    watch: Watch,
    total: Option<u64>,
    unit: Unit,
    done: AtomicU64,
}

impl Tally {
    pub fn new(watch: &Watch, total: Option<u64>, unit: Unit) -> Tally {
        Tally {
            watch: watch.clone(),
            total,
            unit,
            done: AtomicU64::new(0),
        }
    }

    /// `n` more units are done (never counted past the total).
    pub fn add(&self, n: u64) {
        let done = self.done.fetch_add(n, Ordering::Relaxed).saturating_add(n);
        let done = self.total.map_or(done, |t| done.min(t));
        self.watch.advance(done, self.total, self.unit);
    }

    pub fn done(&self) -> u64 {
        let done = self.done.load(Ordering::Relaxed);
        self.total.map_or(done, |t| done.min(t))
    }
}

/// A display that remembers every count it is told, for tests and for programs that embed
/// the engine and show progress their own way.
#[derive(Default)]
pub struct Recorded(std::sync::Mutex<Vec<(u64, Option<u64>, Unit)>>);

impl Recorded {
    /// A recorder and the watch that reports to it.
    pub fn watch() -> (Arc<Recorded>, Watch) {
        let recorded = Arc::new(Recorded::default());
        (recorded.clone(), Watch(recorded))
    }

    /// Every `advance` so far: done, total, unit.
    pub fn advances(&self) -> Vec<(u64, Option<u64>, Unit)> {
        self.0.lock().map(|a| a.clone()).unwrap_or_default()
    }

    /// The last count told (a finished step's whole).
    pub fn last(&self) -> Option<(u64, Option<u64>, Unit)> {
        self.advances().last().copied()
    }
}

impl Progress for Recorded {
    fn begin(&self, _: &str, _: &str) {}

    fn advance(&self, done: u64, total: Option<u64>, unit: Unit) {
        if let Ok(mut a) = self.0.lock() {
            a.push((done, total, unit));
        }
    }

    fn end(&self, _: &str, _: f64) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tally_reports_each_addition_and_never_passes_its_total() {
        let (seen, watch) = Recorded::watch();
        let tally = Tally::new(&watch, Some(5), Unit::Changes);
        tally.add(2);
        tally.add(2);
        tally.add(4);
        assert_eq!(tally.done(), 5);
        let open = Tally::new(&watch, None, Unit::Objects);
        open.add(1000);
        assert_eq!(
            seen.advances(),
            [
                (2, Some(5), Unit::Changes),
                (4, Some(5), Unit::Changes),
                (5, Some(5), Unit::Changes),
                (1000, None, Unit::Objects)
            ]
        );
    }
}
