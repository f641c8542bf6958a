//! Hostile Rhai scripts: each is called from the example's mapping after a first apply and
//! must be stopped by the sandbox with E0402 naming the script's line and the mapping line
//! that called it, a hint, exit 1, nothing written and state byte-identical
//! (`common::refused`, which also runs `etl plan`). The run-wide `script_time:` is tried
//! with a call that would otherwise run for seconds. docs/reliability.md lists these.

mod common;

use common::{Sandbox, refused};

const MAP: &str = "../../mappings/extens-ad.map";
const CALLED_FROM: &str = "extens-ad.map:30:16";

/// The example's `grade` comes from `hostile.rhai`, which holds `script`.
fn call(sb: &Sandbox, script: &str) {
    std::fs::write(sb.path("../../mappings/scripts/hostile.rhai"), script).unwrap();
    sb.edit(
        MAP,
        "  grade      = e.Årskurs",
        "  grade      = script(\"scripts/hostile.rhai\", e.Årskurs)",
    );
}

fn stopped(script: &str, expect: &[&str]) -> String {
    let err = refused(|sb| call(sb, script), expect);
    assert!(err.contains("etl::E0402"), "{err}");
    assert!(err.contains(CALLED_FROM), "names the mapping line:\n{err}");
    err
}

#[test]
fn a_loop_that_never_ends_is_stopped_by_the_operation_limit() {
    stopped(
        "let n = 0;\nloop { n += 1; }",
        &[
            "more than 200 000 operations on one record",
            "hostile.rhai:2:",
        ],
    );
}

#[test]
fn endless_recursion_is_stopped_by_the_call_depth() {
    stopped(
        "fn deeper(x) { deeper(x + 1) }\ndeeper(0)",
        &["called each other more than 32 deep", "hostile.rhai:"],
    );
}

#[test]
fn a_doubling_string_is_stopped_at_64_kib() {
    stopped(
        "let s = \"x\";\nloop { s += s; }",
        &["a string longer than 64 KiB", "hostile.rhai:2:"],
    );
}

#[test]
fn a_growing_array_is_stopped_at_10_000_items() {
    stopped(
        "let a = [];\nloop { a.push(args); }",
        &["an array of more than 10 000 items", "hostile.rhai:2:"],
    );
}

#[test]
fn a_gigabyte_blob_is_never_allocated() {
    stopped(
        "let b = blob(1000000000);\nb.len()",
        &["an array of more than 10 000 items", "hostile.rhai:1:"],
    );
}

#[test]
fn a_huge_object_map_is_stopped() {
    stopped(
        "let m = #{};\nfor i in 0..20000 { m[`k${i}`] = i; }\nm.len()",
        &["an object map of more than 10 000 entries", "hostile.rhai:"],
    );
}

#[test]
fn reading_a_file_is_not_possible() {
    stopped(
        "open_file(\"/etc/passwd\").read_string()",
        &[
            "calls `open_file(...)`, which scripts do not have",
            "cannot read or write files",
        ],
    );
}

#[test]
fn opening_a_socket_is_not_possible() {
    stopped(
        "let c = connect(\"127.0.0.1:22\");\nc",
        &[
            "calls `connect(...)`, which scripts do not have",
            "open connections",
        ],
    );
}

#[test]
fn running_a_shell_command_is_not_possible() {
    let marker = std::env::temp_dir().join(format!("roster-etl-hostile-{}", std::process::id()));
    let script = format!("system(\"touch {}\")", marker.display());
    stopped(
        &script,
        &[
            "calls `system(...)`, which scripts do not have",
            "run programs",
        ],
    );
    assert!(!marker.exists(), "no command ran");
}

#[test]
fn importing_a_module_is_not_possible() {
    stopped(
        "import \"fs\" as fs;\nfs::read(\"/etc/passwd\")",
        &[
            "imports `fs`, and scripts cannot import modules",
            "hostile.rhai:1:",
        ],
    );
}

#[test]
fn eval_is_refused_when_the_script_is_compiled() {
    let err = refused(
        |sb| call(sb, "eval(\"1 + 1\")"),
        &["etl::E0114", "'eval' is disabled", "hostile.rhai:1:"],
    );
    assert!(err.contains(CALLED_FROM), "{err}");
}

/// Each call sorts a 10 000-item array in a loop: about 5 s of work before the operation
/// limit. `script_time: 300ms` stops it in the middle of the first call, so the error is
/// the run's time, not the operation count.
#[test]
fn the_runs_script_time_stops_even_one_long_call() {
    let started = std::time::Instant::now();
    stopped_with_time(
        "let a = [];\nfor i in 0..10000 { a.push(10000 - i); }\nloop { a.sort(); a.reverse(); }",
        "300ms",
        &[
            "scripts used up this run's `script_time` of 300ms",
            "raise `script_time:`",
        ],
    );
    eprintln!("two refused runs took {:?}", started.elapsed());
}

fn stopped_with_time(script: &str, time: &str, expect: &[&str]) {
    let set_time = move |sb: &Sandbox| {
        sb.edit(
            "pipeline.yaml",
            "tier: silver\n",
            &format!("tier: silver\nscript_time: {time}\n"),
        );
        call(sb, script);
    };
    let err = refused(set_time, expect);
    assert!(err.contains(CALLED_FROM), "{err}");
}

#[test]
fn a_script_time_of_zero_or_over_an_hour_is_refused() {
    for time in ["0s", "2h"] {
        let err = refused(
            |sb| {
                sb.edit(
                    "pipeline.yaml",
                    "tier: silver\n",
                    &format!("tier: silver\nscript_time: {time}\n"),
                )
            },
            &["etl::E0007", "is not a script time", "pipeline.yaml:6:14"],
        );
        assert!(err.contains("at most 1h"), "{err}");
    }
}
