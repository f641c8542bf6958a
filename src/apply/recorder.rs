//! Records applied targets in state on a second thread. A file target's changes are staged
//! in an open transaction while the main thread renders and writes its files, and are
//! committed only when the main thread says the files are written: state is never ahead
//! of a target, and a large apply's two halves (files, state) use both cores.

use crate::diagnostic::Diag;
use crate::load::TargetKind;
use crate::plan::{Plan, TargetPlan};
use crate::state::{AppliedRun, RemoteIds, State, TargetVersion};
use std::path::Path;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread::{Scope, ScopedJoinHandle};

/// What the main thread tells the recorder about the target it is at.
pub enum Verdict {
    /// The file target's files are written: commit what was staged.
    Written,
    /// The server target took these changes (the planned ones it accepted), with the ids
    /// every record now has there.
    Synced {
        accepted: Box<TargetPlan>,
        ids: RemoteIds,
    },
}

/// The main thread's end of the recorder.
pub struct Recorder<'s> {
    verdicts: Option<Sender<Verdict>>,
    answers: Receiver<Result<(), Diag>>,
    thread: Option<ScopedJoinHandle<'s, ()>>,
}

impl<'s> Recorder<'s> {
    /// Opens (or creates) the state at `path` on a new thread of `scope` and starts staging
    /// the first of `targets` (those of `plan` with changes, in order).
    pub fn start<'e: 's>(
        scope: &'s Scope<'s, 'e>,
        path: &'e Path,
        plan: &'e Plan,
        targets: Vec<&'e TargetPlan>,
    ) -> Recorder<'s> {
        let (verdicts, wait) = channel();
        let (answer, answers) = channel();
        let thread = scope.spawn(move || record_all(path, plan, &targets, &wait, &answer));
        Recorder {
            verdicts: Some(verdicts),
            answers,
            thread: Some(thread),
        }
    }

    /// Waits until the state is open: an error here comes before anything is written.
    pub fn opened(&mut self) -> Result<(), Diag> {
        self.answer()
    }

    /// Tells the recorder how the current target went and waits until it is recorded.
    pub fn record(&mut self, verdict: Verdict) -> Result<(), Diag> {
        let sent = self.verdicts.as_ref().map(|v| v.send(verdict).is_ok());
        if sent != Some(true) {
            return Err(self.gone());
        }
        self.answer()
    }

    /// Stops the recorder: whatever it staged and was not told to commit is rolled back.
    /// Returns once the state is closed.
    pub fn abandon(mut self) {
        self.stop();
    }

    fn answer(&mut self) -> Result<(), Diag> {
        match self.answers.recv() {
            Ok(answer) => answer,
            Err(_) => Err(self.gone()),
        }
    }

    fn stop(&mut self) {
        self.verdicts = None;
        if let Some(thread) = self.thread.take() {
            // Joining waits until the state is closed. A panic there has printed its
            // message and is answered by `gone`'s error.
            let _ = thread.join();
        }
    }

    /// The recorder stopped without an answer: it panicked.
    fn gone(&mut self) -> Diag {
        self.stop();
        Diag::error(
            crate::diagnostic::Code::StateFailed,
            "recording the run in state stopped unexpectedly; this target's changes were not recorded",
        )
        .help("the target may hold changes state does not know of: run `etl plan` to see what is left; the next apply converges")
    }
}

impl Drop for Recorder<'_> {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The recorder's thread: opens the state, then per target stages and commits as told.
/// Stops at the first error, or when the main thread stops sending.
fn record_all(
    path: &Path,
    plan: &Plan,
    targets: &[&TargetPlan],
    verdicts: &Receiver<Verdict>,
    answer: &Sender<Result<(), Diag>>,
) {
    let mut state = match State::open_or_create(path) {
        Ok(state) => state,
        Err(e) => {
            let _ = answer.send(Err(e));
            return;
        }
    };
    if answer.send(Ok(())).is_err() {
        return;
    }
    for target in targets {
        let recorded = match record_one(&mut state, plan, target, verdicts) {
            Some(recorded) => recorded,
            None => return,
        };
        let failed = recorded.is_err();
        if answer.send(recorded).is_err() || failed {
            return;
        }
    }
}

/// Records one target; `None` when the main thread stopped instead of giving a verdict.
fn record_one(
    state: &mut State,
    plan: &Plan,
    target: &TargetPlan,
    verdicts: &Receiver<Verdict>,
) -> Option<Result<(), Diag>> {
    let expected = TargetVersion {
        lineage: target.lineage.clone(),
        serial: target.serial,
    };
    if !is_server(target) {
        let run = applied_run(plan, target, None);
        let mut asked = false;
        let go = || {
            asked = true;
            matches!(verdicts.recv(), Ok(Verdict::Written))
        };
        return match state.record(&expected, &run, go) {
            Ok(true) => Some(Ok(())),
            // Told to stop, or told something that does not fit a file target.
            Ok(false) => None,
            Err(e) if asked => Some(Err(e)),
            // Staging failed: the verdict, once it comes, is answered with the error.
            Err(e) => verdicts.recv().ok().map(|_| Err(e)),
        };
    }
    match verdicts.recv().ok()? {
        Verdict::Synced { accepted, ids } => {
            let run = applied_run(plan, &accepted, Some(&ids));
            Some(state.commit(&expected, &run))
        }
        Verdict::Written => None,
    }
}

fn is_server(target: &TargetPlan) -> bool {
    TargetKind::parse(&target.kind).is_some_and(|kind| kind.is_server())
}

fn applied_run<'a>(
    plan: &'a Plan,
    recorded: &'a TargetPlan,
    remote: Option<&'a RemoteIds>,
) -> AppliedRun<'a> {
    AppliedRun {
        target: recorded,
        today: &plan.today,
        mode: plan.mode.name(),
        summary: recorded.summary(),
        datasets: &plan.datasets,
        remote,
    }
}
