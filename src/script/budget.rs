//! The time all script calls of one run may take together (`script_time:` in the pipeline).
//!
//! Each call is also bounded by the sandbox's operation count, but a run calls a script once
//! per record: at national scale that alone could keep a nightly run busy for hours. The
//! budget is checked while a script runs (every few operations), so even one long call stops
//! when the run's time is used up.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How often, in operations, a running script looks at the clock.
const CHECK_EVERY: u64 = 64;

#[derive(Debug)]
pub struct Budget {
    pub limit: Duration,
    epoch: Instant,
    /// Nanoseconds spent in finished calls.
    spent: AtomicU64,
    /// The running call must stop at this many nanoseconds after `epoch`.
    deadline: AtomicU64,
    calls: AtomicU64,
}

impl Budget {
    pub fn new(limit: Duration) -> Self {
        Budget {
            limit,
            epoch: Instant::now(),
            spent: AtomicU64::new(0),
            deadline: AtomicU64::new(u64::MAX),
            calls: AtomicU64::new(0),
        }
    }

    /// Starts a call: `None` when the run's time is already used up.
    pub fn start(&self) -> Option<Instant> {
        let left = self.limit.checked_sub(self.spent())?;
        if left.is_zero() {
            return None;
        }
        let now = Instant::now();
        let deadline = (now - self.epoch) + left;
        self.deadline.store(nanos(deadline), Ordering::Relaxed);
        self.calls.fetch_add(1, Ordering::Relaxed);
        Some(now)
    }

    /// Ends a call that started at `started`.
    pub fn finish(&self, started: Instant) {
        self.spent
            .fetch_add(nanos(started.elapsed()), Ordering::Relaxed);
    }

    /// Called by the engine as a script runs: true when the call must stop.
    pub fn overdue(&self, operations: u64) -> bool {
        operations.is_multiple_of(CHECK_EVERY)
            && nanos(self.epoch.elapsed()) > self.deadline.load(Ordering::Relaxed)
    }

    pub fn spent(&self) -> Duration {
        Duration::from_nanos(self.spent.load(Ordering::Relaxed))
    }

    pub fn calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_start_until_the_time_is_spent() {
        let budget = Budget::new(Duration::from_millis(200));
        let started = budget.start().expect("time is left");
        assert!(!budget.overdue(CHECK_EVERY));
        std::thread::sleep(Duration::from_millis(250));
        assert!(
            budget.overdue(CHECK_EVERY),
            "the running call is past its deadline"
        );
        assert!(
            !budget.overdue(CHECK_EVERY + 1),
            "the clock is read every few operations only"
        );
        budget.finish(started);
        assert!(budget.spent() >= Duration::from_millis(250));
        assert!(
            budget.start().is_none(),
            "no call starts once the time is spent"
        );
        assert_eq!(budget.calls(), 1);
    }

    #[test]
    fn a_call_gets_only_what_is_left() {
        let budget = Budget::new(Duration::from_millis(400));
        let first = budget.start().expect("time is left");
        std::thread::sleep(Duration::from_millis(100));
        budget.finish(first);
        assert!(budget.start().is_some(), "about 300 ms are left");
        std::thread::sleep(Duration::from_millis(350));
        assert!(
            budget.overdue(CHECK_EVERY),
            "the second call had about 300 ms, not 400"
        );
    }
}
