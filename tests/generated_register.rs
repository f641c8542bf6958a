//! The bench's nightly job on a small generated register (gen-roster, 3 000 pupils): a normal
//! night (day 2) passes the default safety limits, the school-year rollover is held unless
//! it is run as one, and a held plan writes nothing. Nothing here is timed: the benchmark
//! (benches/nightly.rs) measures; this checks behaviour.

mod common;
use assert_cmd::Command;
use common::{assert_unchanged, stderr, stdout};
use std::path::{Path, PathBuf};

const PIPELINE: &str = "benches/nightly/pipeline.yaml";

struct Bench {
    dir: tempfile::TempDir,
}

impl Bench {
    /// Day 1, day 2 and the rollover of one seed.
    fn generate(students: usize) -> Bench {
        let dir = tempfile::tempdir().unwrap();
        for day in ["1", "2", "rollover"] {
            let out = Command::cargo_bin("gen-roster")
                .unwrap()
                .args([
                    "--students",
                    &students.to_string(),
                    "--seed",
                    "7",
                    "--day",
                    day,
                ])
                .arg("--out")
                .arg(dir.path().join(format!("day{day}")))
                .output()
                .unwrap();
            assert!(out.status.success(), "{}", stderr(&out));
        }
        Bench { dir }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// `etl VERB` on the bench pipeline with the export of `day`.
    fn etl(&self, verb: &str, day: &str, today: &str, extra: &[&str]) -> std::process::Output {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut cmd = common::etl_command();
        cmd.current_dir(repo)
            .env("NO_COLOR", "1")
            .env("BENCH_DATA", self.path(&format!("day{day}")))
            .env("BENCH_OUT", self.path("out"))
            .env("BENCH_STATE", self.path("state/bench.db"))
            .args([verb, PIPELINE, "--today", today])
            .args(extra);
        cmd.output().unwrap()
    }

    fn written(&self) -> Vec<(String, Vec<u8>)> {
        common::written_in(self.dir.path(), &["out", "state"])
    }
}

fn line<'t>(text: &'t str, start: &str) -> &'t str {
    text.lines()
        .find(|l| l.trim_start().starts_with(start))
        .unwrap_or_else(|| panic!("no line starting {start:?} in:\n{text}"))
}

#[test]
fn a_generated_normal_night_passes_the_defaults_and_a_rollover_is_held_unless_run_as_one() {
    let bench = Bench::generate(3000);
    let first = bench.etl("apply", "1", "2025-11-20", &["--auto-approve"]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(stdout(&first).contains("first run: no state yet"));

    // The rollover, planned as a normal night: held, with the limits it goes over.
    let before = bench.written();
    let held = bench.etl("apply", "rollover", "2026-08-17", &["--auto-approve"]);
    assert_eq!(held.status.code(), Some(3), "{}", stdout(&held));
    let text = stdout(&held);
    assert!(text.contains("(normal limits)"), "{text}");
    for limit in [
        "create.group",
        "delete.group",
        "delete.membership",
        "update.person",
    ] {
        assert!(
            text.contains(&format!("    {limit}: ")),
            "{limit} not held:\n{text}"
        );
    }
    assert_unchanged(&before, &bench.written(), "a held rollover");

    // Day 2, a normal night: within the default limits, and applied.
    let night = bench.etl("apply", "2", "2025-11-21", &["--auto-approve"]);
    let text = stdout(&night);
    assert!(night.status.success(), "{}{text}", stderr(&night));
    assert!(text.contains("within the normal limits"), "{text}");
    let persons = line(&text, "person: ");
    assert!(
        persons.contains("to add") && persons.contains("to destroy"),
        "{persons}"
    );
    let again = bench.etl("plan", "2", "2025-11-21", &[]);
    assert!(stdout(&again).contains("No changes."), "{}", stdout(&again));

    // The rollover run as one: its own limits let it through; last year's groups are archived.
    let rollover = bench.etl(
        "apply",
        "rollover",
        "2026-08-17",
        &["--auto-approve", "--rollover"],
    );
    let text = stdout(&rollover);
    assert!(rollover.status.success(), "{}{text}", stderr(&rollover));
    assert!(text.contains("within the rollover limits"), "{text}");
    assert!(line(&text, "group: ").contains("to archive"), "{text}");
}

/// A large block's rows are mapped on several threads (`--threads`); the plan is the same,
/// byte for byte, as on one, and so is what an apply writes.
#[test]
fn the_plan_is_the_same_on_one_thread_and_on_several() {
    let bench = Bench::generate(3000);
    let first = bench.etl("apply", "1", "2025-11-20", &["--auto-approve"]);
    assert!(first.status.success(), "{}", stderr(&first));
    let mut plans = Vec::new();
    for threads in ["1", "3"] {
        let file = bench.path(&format!("plan-{threads}.json"));
        let out = bench.etl(
            "plan",
            "2",
            "2025-11-21",
            &["--threads", threads, "--out", file.to_str().unwrap()],
        );
        assert!(out.status.success(), "{}", stderr(&out));
        let shown = stdout(&out).replace(file.to_str().unwrap(), "PLAN");
        plans.push((shown, std::fs::read(&file).unwrap()));
    }
    assert!(plans[0].0.contains("to add"), "{}", plans[0].0);
    assert_eq!(plans[0].0, plans[1].0, "the plans shown differ");
    assert!(plans[0].1 == plans[1].1, "the saved plans differ");
}

/// Scripts called from several threads share the run's `script_time:`: when it is used up
/// the run stops with E0402 naming the script, whichever thread hit it, and writes nothing.
#[test]
fn scripts_on_several_threads_stop_together_when_the_run_time_is_used_up() {
    let bench = Bench::generate(12_000);
    let jobs = bench.path("job");
    std::fs::create_dir_all(&jobs).unwrap();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/nightly");
    for file in ["nightly.map", "translit.rhai"] {
        std::fs::copy(repo.join(file), jobs.join(file)).unwrap();
    }
    let pipeline = std::fs::read_to_string(repo.join("pipeline.yaml")).unwrap();
    let pipeline = pipeline.replace("read_ahead: 0d", "read_ahead: 0d\nscript_time: 1ms");
    assert!(pipeline.contains("script_time: 1ms"));
    std::fs::write(jobs.join("pipeline.yaml"), pipeline).unwrap();
    let before = bench.written();
    let out = common::etl_command()
        .env("NO_COLOR", "1")
        .env("BENCH_DATA", bench.path("day1"))
        .env("BENCH_OUT", bench.path("out"))
        .env("BENCH_STATE", bench.path("state/bench.db"))
        .args([
            "apply",
            "--today",
            "2025-11-20",
            "--threads",
            "2",
            "--auto-approve",
        ])
        .arg(jobs.join("pipeline.yaml"))
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("E0402"), "{err}");
    assert!(err.contains("script_time"), "{err}");
    assert!(err.contains("translit.rhai"), "{err}");
    assert_unchanged(
        &before,
        &bench.written(),
        "a run stopped by its script time",
    );
}
