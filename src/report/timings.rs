//! Wall time and peak memory per phase of a run (`--timings`): read, map, state, diff,
//! render, write, save (a plan to a file), load (a saved plan). Peak memory is the
//! process's resident high-water mark during the phase (Linux: VmHWM, reset at each phase
//! start through /proc/self/clear_refs); elsewhere it is not shown.

use std::time::Instant;

#[derive(Debug, Clone, PartialEq)]
pub struct Phase {
    pub name: &'static str,
    pub secs: f64,
    /// The highest resident memory during the phase, in bytes, when the system tells.
    pub peak: Option<u64>,
}

#[derive(Debug)]
pub struct Timings {
    started: Instant,
    last: Instant,
    pub phases: Vec<Phase>,
    /// Work done on a second thread beside the phases (reading state), and how long it took
    /// on its own: a phase that waits for it shows only the wait.
    pub beside: Vec<(&'static str, f64)>,
    /// Told when each phase ends.
    watch: super::Watch,
}

impl Default for Timings {
    fn default() -> Self {
        Self::start()
    }
}

impl Timings {
    pub fn start() -> Timings {
        Self::watched(super::Watch::default())
    }

    /// Timings that tell `watch` when each phase ends.
    pub fn watched(watch: super::Watch) -> Timings {
        reset_peak();
        let now = Instant::now();
        Timings {
            started: now,
            last: now,
            phases: Vec::new(),
            beside: Vec::new(),
            watch,
        }
    }

    /// Ends the phase `name` that started at the previous mark; a phase marked again (once
    /// per target) adds up.
    pub fn mark(&mut self, name: &'static str) {
        let now = Instant::now();
        let secs = (now - self.last).as_secs_f64();
        let peak = peak_resident();
        self.last = now;
        reset_peak();
        self.watch.end(name, secs);
        match self.phases.iter_mut().find(|p| p.name == name) {
            Some(p) => {
                p.secs += secs;
                p.peak = p.peak.max(peak);
            }
            None => self.phases.push(Phase { name, secs, peak }),
        }
    }

    /// Notes how long work on a second thread took (`what` says which work, and beside which
    /// phases).
    pub fn beside(&mut self, what: &'static str, secs: f64) {
        self.beside.push((what, secs));
    }

    /// One line per phase and a total: `  read     0.412 s    310 MiB`; then a line per work
    /// done beside them.
    pub fn render(&self) -> String {
        let mut out = String::from("Timings (wall time, peak resident memory):\n");
        let line = |name: &str, secs: f64, peak: Option<u64>| {
            let mem = peak.map_or(String::new(), |b| format!("{:>8} MiB", b >> 20));
            format!("  {name:<6} {secs:>8.3} s{mem}\n")
        };
        for p in &self.phases {
            out.push_str(&line(p.name, p.secs, p.peak));
        }
        let peak = self.phases.iter().filter_map(|p| p.peak).max();
        out.push_str(&line("total", self.started.elapsed().as_secs_f64(), peak));
        for (what, secs) in &self.beside {
            out.push_str(&format!("  ({what}: {secs:.3} s)\n"));
        }
        out
    }
}

#[cfg(target_os = "linux")]
fn peak_resident() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

#[cfg(target_os = "linux")]
fn reset_peak() {
    // "5" resets the high-water mark to the current resident size; best effort.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

#[cfg(not(target_os = "linux"))]
fn peak_resident() -> Option<u64> {
    None
}

#[cfg(not(target_os = "linux"))]
fn reset_peak() {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_add_up_and_render_with_a_total() {
        let mut t = Timings::start();
        t.mark("read");
        t.mark("diff");
        t.mark("diff");
        let names: Vec<_> = t.phases.iter().map(|p| p.name).collect();
        assert_eq!(names, ["read", "diff"]);
        let text = t.render();
        assert!(
            text.lines()
                .nth(1)
                .is_some_and(|l| l.trim_start().starts_with("read "))
        );
        assert!(
            text.lines()
                .last()
                .is_some_and(|l| l.trim_start().starts_with("total "))
        );
        #[cfg(target_os = "linux")]
        assert!(t.phases[0].peak.is_some_and(|b| b > 0));
    }
}
