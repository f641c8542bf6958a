//! The nightly-job benchmark (issue 6): for each size, generate a register with gen-roster
//! (day 1, day 2, rollover), apply day 1 untimed, then time `etl plan` and `etl apply` of
//! day 2 and of the rollover (each from the same day-1 state), with the wall time and peak
//! memory of every phase; run the DuckDB and Polars yardsticks on the same files in the same
//! run, and check that the counts of creates, updates and deletes agree.
//!
//!     cargo bench --bench nightly -- [--sizes 10000,100000,1000000] [--no-yardstick]
//!
//! Data goes to target/bench-data (kept between runs); the yardsticks run in a Python venv
//! at target/bench-venv (made on first use: pip install duckdb polars). This is a benchmark,
//! not a test: nothing is asserted about time. docs/performance.md has the figures.

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

const ETL: &str = env!("CARGO_BIN_EXE_etl");
const GEN: &str = env!("CARGO_BIN_EXE_gen-roster");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const DAY1: &str = "2025-11-20";
const DAY2: &str = "2025-11-21";
const ROLLOVER: &str = "2026-08-17";

/// (create, update, delete) per yardstick entity: users, classes, enrollments.
type Counts = BTreeMap<String, [u64; 3]>;

struct Run {
    label: String,
    wall: f64,
    phases: Vec<(String, f64, u64)>,
    counts: Counts,
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let sizes: Vec<usize> = arg(&args, "--sizes")
        .unwrap_or("10000,100000,1000000")
        .split(',')
        .map(|s| s.trim().parse().expect("--sizes takes numbers"))
        .collect();
    let yardstick = !args.iter().any(|a| a == "--no-yardstick");
    let root = Path::new(ROOT);
    let data = root.join("target/bench-data");
    let python = yardstick.then(|| venv(&root.join("target/bench-venv")));
    println!("etl: {ETL}\n");
    for n in sizes {
        let dir = data.join(format!("n{n}"));
        generate(n, &dir);
        let mut runs = etl_runs(&dir);
        if let Some(py) = &python {
            runs.extend(yardstick_runs(py, &dir));
        }
        table(n, &runs);
    }
}

fn arg<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    let at = args.iter().position(|a| a == name)?;
    args.get(at + 1).map(String::as_str)
}

fn run(cmd: &mut Command) -> (Output, f64) {
    let started = Instant::now();
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    (out, started.elapsed().as_secs_f64())
}

fn generate(n: usize, dir: &Path) {
    for (day, name) in [("1", "day1"), ("2", "day2"), ("rollover", "rollover")] {
        let out = dir.join(name);
        if out.join("meta.json").exists() {
            continue;
        }
        let (o, secs) = run(Command::new(GEN)
            .args([
                "--students",
                &n.to_string(),
                "--seed",
                "42",
                "--day",
                day,
                "--out",
            ])
            .arg(&out));
        assert!(
            o.status.success(),
            "gen-roster: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        println!("generated {} in {secs:.1} s", out.display());
    }
}

/// One etl command on the bench pipeline with `state` and `out` beside the data.
fn etl(dir: &Path, day: &str, verb: &str, today: &str, extra: &[&str]) -> (Output, f64) {
    run(Command::new(ETL)
        .current_dir(ROOT)
        .env("NO_COLOR", "1")
        .env("BENCH_DATA", dir.join(day))
        .env("BENCH_OUT", dir.join("etl-out"))
        .env("BENCH_STATE", dir.join("etl-state/bench.db"))
        .args([
            verb,
            "benches/nightly/pipeline.yaml",
            "--today",
            today,
            "--timings",
        ])
        .args(extra))
}

fn etl_runs(dir: &Path) -> Vec<Run> {
    let _ = std::fs::remove_dir_all(dir.join("etl-out"));
    let _ = std::fs::remove_dir_all(dir.join("etl-state"));
    let (o, secs) = etl(dir, "day1", "apply", DAY1, &["--auto-approve"]);
    assert!(
        o.status.success(),
        "etl apply day 1: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    println!("applied day 1 (untimed) in {secs:.1} s");
    snapshot(dir, "etl-state", "etl-state.day1");
    snapshot(dir, "etl-out", "etl-out.day1");
    let mut runs = Vec::new();
    for (day, today, extra) in [
        ("day2", DAY2, &[][..]),
        ("rollover", ROLLOVER, &["--rollover"][..]),
    ] {
        for verb in ["plan", "apply"] {
            snapshot(dir, "etl-state.day1", "etl-state");
            snapshot(dir, "etl-out.day1", "etl-out");
            let mut args = extra.to_vec();
            if verb == "apply" {
                args.push("--auto-approve");
            }
            let label = format!("etl {verb} {day}");
            runs.push(etl_run(label, etl(dir, day, verb, today, &args)));
        }
    }
    runs.extend(saved_rollover_plan(dir));
    runs
}

/// The rollover's plan saved with `--out` and applied from the file (issue 6: a plan of
/// about 12 million actions is written and read back in seconds).
fn saved_rollover_plan(dir: &Path) -> Vec<Run> {
    snapshot(dir, "etl-state.day1", "etl-state");
    snapshot(dir, "etl-out.day1", "etl-out");
    let file = dir.join("rollover.plan.json");
    let out = file.to_str().expect("a UTF-8 path");
    let args = ["--rollover", "--quiet", "--out", out];
    let saved = etl_run(
        "etl plan rollover --out".to_string(),
        etl(dir, "rollover", "plan", ROLLOVER, &args),
    );
    let size = std::fs::metadata(&file).map_or(0, |m| m.len());
    println!("saved rollover plan: {} MiB", size >> 20);
    let applied = etl_run(
        "etl apply of the saved rollover plan".to_string(),
        run(Command::new(ETL)
            .current_dir(ROOT)
            .env("NO_COLOR", "1")
            .args(["apply", out, "--auto-approve", "--quiet", "--timings"])),
    );
    let _ = std::fs::remove_file(&file);
    vec![saved, applied]
}

/// One timed etl run, shown as it ends (a long run at 1M gives its figures before the
/// table). A failure (an out-of-memory kill at 1M, say) is shown in the table as failed,
/// and the yardsticks still run, so the other figures of the size are not lost.
fn etl_run(label: String, (o, wall): (Output, f64)) -> Run {
    let stderr = String::from_utf8_lossy(&o.stderr);
    if !o.status.success() {
        let why = failure(&o.status);
        println!("{label} FAILED after {wall:.2} s: {why}\n{stderr}");
        return Run {
            label: format!("{label} (FAILED: {why})"),
            wall,
            phases: Vec::new(),
            counts: Counts::new(),
        };
    }
    println!(
        "{label}: {wall:.2} s\n{}",
        &stderr[stderr.find("Timings").unwrap_or(0)..]
    );
    Run {
        label,
        wall,
        phases: phases(&stderr),
        counts: etl_counts(&String::from_utf8_lossy(&o.stdout)),
    }
}

/// Why a process failed: its exit code, or the signal that killed it (9: the kernel's
/// out-of-memory killer, as a rule).
fn failure(status: &std::process::ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit code {code}"),
        (None, Some(9)) => "killed by SIGKILL, likely out of memory".to_string(),
        (None, Some(sig)) => format!("killed by signal {sig}"),
        (None, None) => "failed".to_string(),
    }
}

/// Replaces `to` with a copy of `from` (a folder beside the data).
fn snapshot(dir: &Path, from: &str, to: &str) {
    let (from, to) = (dir.join(from), dir.join(to));
    let _ = std::fs::remove_dir_all(&to);
    std::fs::create_dir_all(&to).expect("a bench folder");
    for entry in std::fs::read_dir(&from).expect("a bench folder").flatten() {
        std::fs::copy(entry.path(), to.join(entry.file_name())).expect("a copy");
    }
}

/// `  read      0.545 s     167 MiB` lines of `--timings`.
fn phases(stderr: &str) -> Vec<(String, f64, u64)> {
    let start = stderr.find("Timings (").expect("--timings output");
    stderr[start..]
        .lines()
        .skip(1)
        .filter_map(|l| {
            let w: Vec<&str> = l.split_whitespace().collect();
            match w.as_slice() {
                [name, secs, "s", mib, "MiB"] => {
                    Some((name.to_string(), secs.parse().ok()?, mib.parse().ok()?))
                }
                _ => None,
            }
        })
        .collect()
}

/// `  person: 50 to add, 54 to change, 32 to destroy` lines, as the yardstick counts them.
fn etl_counts(stdout: &str) -> Counts {
    let mut counts = Counts::new();
    for (entity, name) in [
        ("person", "users"),
        ("group", "classes"),
        ("membership", "enrollments"),
    ] {
        let prefix = format!("{entity}: ");
        let mut c = [0u64; 3];
        for line in stdout
            .lines()
            .map(str::trim)
            .filter(|l| l.starts_with(&prefix))
        {
            for part in line[prefix.len()..].split(", ") {
                let (count, what) = part.split_once(' ').unwrap_or(("0", ""));
                let count: u64 = count.parse().unwrap_or(0);
                match what {
                    "to add" | "to restore" => c[0] += count,
                    "to change" | "to re-key" => c[1] += count,
                    "to destroy" | "to trash" | "to archive" | "to delete later" => c[2] += count,
                    _ => {}
                }
            }
        }
        counts.insert(name.to_string(), c);
    }
    counts
}

/// The venv with duckdb and polars, made on first use.
fn venv(dir: &Path) -> PathBuf {
    let python = dir.join("bin/python");
    if !python.exists() {
        println!("making {} (pip install duckdb polars) ...", dir.display());
        let ok = Command::new("python3")
            .arg("-m")
            .arg("venv")
            .arg(dir)
            .status();
        assert!(ok.is_ok_and(|s| s.success()), "python3 -m venv failed");
        let ok = Command::new(&python)
            .args(["-m", "pip", "install", "-q", "duckdb", "polars"])
            .status();
        assert!(
            ok.is_ok_and(|s| s.success()),
            "pip install duckdb polars failed"
        );
    }
    python
}

fn yardstick_runs(python: &Path, dir: &Path) -> Vec<Run> {
    let script = Path::new(ROOT).join("benches/yardstick");
    let mut runs = Vec::new();
    for engine in ["duckdb", "polars"] {
        let prev = dir.join(format!("out_day1_{engine}"));
        let file = script.join(format!("yardstick_{engine}.py"));
        let (o, _) = run(Command::new(python)
            .arg(&file)
            .args(["--cur"])
            .arg(dir.join("day1"))
            .args(["--initial", "--today", DAY1, "--out"])
            .arg(&prev));
        assert!(
            o.status.success(),
            "{engine} day 1: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        for (day, today) in [("day2", DAY2), ("rollover", ROLLOVER)] {
            let (o, wall) = run(Command::new("/usr/bin/time")
                .args(["-f", "PEAK_KB %M"])
                .arg(python)
                .arg(&file)
                .args(["--cur"])
                .arg(dir.join(day))
                .args(["--today", today, "--prev-target"])
                .arg(&prev)
                .args(["--out"])
                .arg(dir.join(format!("out_{day}_{engine}"))));
            let stdout = String::from_utf8_lossy(&o.stdout);
            let stderr = String::from_utf8_lossy(&o.stderr);
            assert!(o.status.success(), "{engine} {day}: {stderr}");
            let result: Value = stdout
                .lines()
                .find_map(|l| l.strip_prefix("RESULT "))
                .and_then(|j| serde_json::from_str(j).ok())
                .expect("a RESULT line");
            let peak_kb: u64 = stderr
                .lines()
                .find_map(|l| l.strip_prefix("PEAK_KB "))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            let mut phases: Vec<(String, f64, u64)> =
                ["load", "transform", "validate", "diff", "write"]
                    .iter()
                    .map(|p| {
                        (
                            p.to_string(),
                            result["phases"][p].as_f64().unwrap_or(0.0),
                            0,
                        )
                    })
                    .collect();
            phases.push(("process".into(), wall, peak_kb >> 10));
            let mut counts = Counts::new();
            for entity in ["users", "classes", "enrollments"] {
                let c = &result["counts"][entity];
                let get = |k: &str| c[k].as_u64().unwrap_or(0);
                counts.insert(entity.into(), [get("create"), get("update"), get("delete")]);
            }
            runs.push(Run {
                label: format!("{engine} {day}"),
                wall,
                phases,
                counts,
            });
        }
    }
    runs
}

fn table(n: usize, runs: &[Run]) {
    println!("\n## {n} pupils\n");
    println!("| job | wall | phases (s) | peak |");
    println!("|---|---|---|---|");
    for r in runs {
        let peak = r.phases.iter().map(|p| p.2).max().unwrap_or(0);
        let phases: Vec<String> = r
            .phases
            .iter()
            .filter(|p| p.0 != "total" && p.0 != "process")
            .map(|p| format!("{} {:.2}", p.0, p.1))
            .collect();
        println!(
            "| {} | {:.2} s | {} | {peak} MiB |",
            r.label,
            r.wall,
            phases.join(", ")
        );
    }
    let wall = |label: &str| runs.iter().find(|r| r.label == label).map(|r| r.wall);
    for (ours, theirs) in [
        ("etl apply day2", "duckdb day2"),
        ("etl plan day2", "duckdb day2"),
        ("etl apply day2", "polars day2"),
        ("etl apply rollover", "etl apply day2"),
    ] {
        if let (Some(a), Some(b)) = (wall(ours), wall(theirs)) {
            println!("\n{ours} / {theirs}: {:.2}x", a / b);
        }
    }
    println!("\ncreate/update/delete per entity:");
    for day in ["day2", "rollover"] {
        for r in runs
            .iter()
            .filter(|r| r.label.ends_with(day) && !r.label.starts_with("etl plan"))
        {
            let c: Vec<String> = r
                .counts
                .iter()
                .map(|(e, c)| format!("{e} {}/{}/{}", c[0], c[1], c[2]))
                .collect();
            println!("  {:<20} {}", r.label, c.join("  "));
        }
        let counts = |label: String| runs.iter().find(|r| r.label == label).map(|r| &r.counts);
        if let (Some(ours), Some(duck)) = (
            counts(format!("etl apply {day}")),
            counts(format!("duckdb {day}")),
        ) {
            let differ: Vec<&String> = ours
                .keys()
                .filter(|e| ours.get(*e) != duck.get(*e))
                .collect();
            match differ.is_empty() {
                true => println!("  {day}: the counts agree with DuckDB"),
                false => println!("  {day}: the counts differ from DuckDB's for {differ:?}"),
            }
        }
    }
    println!(
        "  (a rollover archives last year's classes and keeps their enrollments frozen, where the\n   \
         yardstick deletes them: docs/performance.md)"
    );
}
