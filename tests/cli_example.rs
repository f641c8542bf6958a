//! The bundled example, through the real `etl` binary: validate, plan, apply, re-plan.

mod common;

use common::{Sandbox, stderr, stdout};
use predicates::prelude::*;

#[test]
fn validate_accepts_the_silver_example() {
    let sb = Sandbox::example();
    let out = sb.etl(&["validate", "pipeline.yaml"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("tier silver with 2 source system(s) used (extens, ad)"),
        "{text}"
    );
    assert!(
        !sb.path("state").exists(),
        "validate reads no state and writes nothing"
    );
    insta::assert_snapshot!("validate_steps", text);
}

#[test]
fn bronze_variant_fails_naming_both_systems() {
    let sb = Sandbox::example();
    let out = sb
        .etl(&["validate", "pipeline-bronze.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!("bronze_validate_stderr", stderr(&out));
    assert!(!sb.path("state").exists() && !sb.path("out").exists());
}

#[test]
fn plan_apply_then_no_changes() {
    let sb = Sandbox::example();
    let plan = sb.plan(&["--full"]).output().unwrap();
    assert!(plan.status.success(), "{}", stderr(&plan));
    insta::assert_snapshot!("first_plan", stdout(&plan));
    assert!(!sb.path("state").exists(), "plan must not create state");
    assert!(!sb.path("out").exists(), "plan must not write targets");

    sb.apply(&[])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Apply complete! Records: 29 added, 0 changed, 0 destroyed.",
        ));
    assert!(sb.path("out/skolon/users.csv").exists());

    sb.plan(&[])
        .assert()
        .success()
        .stdout(predicate::str::contains("No changes."));
    sb.plan(&["--detailed-exitcode"]).assert().code(0);
}

#[test]
fn detailed_exitcode_is_two_when_there_are_changes() {
    let sb = Sandbox::example();
    sb.plan(&["--detailed-exitcode"]).assert().code(2);
}

#[test]
fn a_changed_export_shows_updates_and_deletes_then_converges() {
    let sb = Sandbox::example();
    sb.apply(&[]).assert().success();
    sb.edit_cp1252("data/elever.csv", "E1002;", "E1099;");
    sb.edit_cp1252("data/elever.csv", ";Öberg;", ";Öberg-Lind;");
    let out = sb.plan(&["--full"]).output().unwrap();
    let text = stdout(&out);
    assert!(
        text.contains("~ E1001\n        familyName: \"Öberg\" -> \"Öberg-Lind\""),
        "{text}"
    );
    // Same AD account (the declared identity), new register id: a key change, not a new pupil.
    assert!(text.contains("~ E1099 (new key; was E1002)"), "{text}");
    assert!(
        !text.contains("+ E1099") && !text.contains("- E1002"),
        "{text}"
    );
    insta::assert_snapshot!("second_day_plan", text);
    sb.apply(&[])
        .assert()
        .success()
        .stdout(predicate::str::contains("1 re-keyed"));
    sb.plan(&[])
        .assert()
        .stdout(predicate::str::contains("No changes."));
    let users = sb.read("out/skolon/users.csv");
    assert!(users.contains("E1099") && users.contains("Öberg-Lind"));
    assert!(
        !users.contains("E1002"),
        "the old id is gone, not duplicated: {users}"
    );
}

#[test]
fn a_plan_that_cannot_be_saved_is_an_error() {
    let sb = Sandbox::example();
    let out = sb
        .plan(&["--out", "no/such/folder/plan.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("cannot save the plan to no/such/folder/plan.json"),
        "{}",
        stderr(&out)
    );
    assert!(!sb.path("state").exists());
}

/// A save that fails while writing removes its half-written plan, but never what the path
/// names when that is not a regular file: here a link to /dev/full, where no write fits
/// (the save once removed what it named, which, run as root, was the device itself).
#[test]
fn a_failed_save_removes_only_a_plan_file_it_wrote() {
    let sb = Sandbox::example();
    std::os::unix::fs::symlink("/dev/full", sb.path("full.json")).unwrap();
    let out = sb.plan(&["--out", "full.json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("cannot save the plan to full.json"),
        "{}",
        stderr(&out)
    );
    let kept = std::fs::symlink_metadata(sb.path("full.json")).expect("the link is kept");
    assert!(kept.file_type().is_symlink());
}

#[test]
fn a_damaged_saved_plan_is_refused_and_nothing_is_written() {
    let sb = Sandbox::example();
    sb.plan(&["--out", "plan.json"]).assert().success();
    let saved = std::fs::read(sb.path("plan.json")).unwrap();
    std::fs::write(sb.path("plan.json"), &saved[..saved.len() / 2]).unwrap();
    let out = sb.etl(&["apply", "plan.json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("plan.json is not a usable plan"),
        "{}",
        stderr(&out)
    );
    assert!(!sb.path("state").exists() && !sb.path("out").exists());
}

#[test]
fn saved_plan_applies_exactly_and_a_stale_one_is_refused() {
    let sb = Sandbox::example();
    sb.plan(&["--out", "first.plan.json"]).assert().success();
    sb.plan(&["--out", "second.plan.json"]).assert().success();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(sb.path("first.plan.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "saved plans hold personal data");
    }
    // The export changes after the plan was made: apply FILE still does exactly the plan.
    sb.edit_cp1252("data/elever.csv", ";Öberg;", ";Changed;");
    sb.etl(&["apply", "first.plan.json"])
        .assert()
        .success()
        .stdout(predicate::str::contains("29 added"));
    assert!(sb.read("out/skolon/users.csv").contains("Öberg"));
    let before = sb.written();
    let out = sb.etl(&["apply", "second.plan.json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("etl::E0502") && stderr(&out).contains("stale"),
        "{}",
        stderr(&out)
    );
    common::assert_unchanged(&before, &sb.written(), "a refused plan");
}

#[test]
fn json_plan_is_versioned() {
    let sb = Sandbox::example();
    let out = sb.plan(&["--json"]).output().unwrap();
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(plan["format"], "roster-etl-plan");
    assert_eq!(plan["version"], 2);
    assert_eq!(plan["targets"][0]["name"], "skolon");
    let persons = plan["targets"][0]["entities"][1]["changes"]
        .as_array()
        .unwrap();
    assert_eq!(persons.len(), 10);
    assert!(persons.iter().all(|c| c["action"] == "create"));
    assert!(
        plan["targets"][0]["safety"]["exempt"]
            .as_str()
            .unwrap()
            .contains("first run")
    );
}

#[test]
fn apply_without_yes_writes_nothing() {
    let sb = Sandbox::example();
    let out = sb
        .etl(&["apply", "pipeline.yaml", "--today", common::TODAY])
        .write_stdin("no\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("etl::E0506"));
    assert!(sb.written().is_empty());
    sb.etl(&["apply", "pipeline.yaml", "--today", common::TODAY])
        .write_stdin("yes\n")
        .assert()
        .success();
    assert!(!sb.written().is_empty());
}

#[test]
fn a_second_run_is_locked_out_and_told_who_holds_the_lock() {
    let sb = Sandbox::example();
    let lock = roster_etl::state::StateLock::acquire(
        &sb.path("state/extens-ad.db"),
        "etl apply (nightly)",
    )
    .unwrap();
    let out = sb.apply(&[]).output().unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("locked by `etl apply (nightly)` (pid"),
        "{}",
        stderr(&out)
    );
    assert!(!sb.path("out").exists());
    drop(lock);
    sb.apply(&[]).assert().success();
}

#[test]
fn targets_use_the_oneroster_sample_headers() {
    let sb = Sandbox::example();
    sb.apply(&[]).assert().success();
    let samples =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/oneroster-1.1");
    for file in [
        "orgs.csv",
        "users.csv",
        "classes.csv",
        "enrollments.csv",
        "academicSessions.csv",
        "manifest.csv",
    ] {
        let sample = std::fs::read_to_string(samples.join(file)).unwrap();
        let ours = sb.read(&format!("out/skolon/{file}"));
        let first = |t: &str| {
            t.lines()
                .next()
                .unwrap_or("")
                .trim_end_matches('\r')
                .to_string()
        };
        assert_eq!(first(&ours), first(&sample), "{file} header");
    }
    let manifest = |t: &str| {
        t.lines()
            .map(|l| l.split(',').next().unwrap_or("").to_string())
            .collect::<Vec<_>>()
    };
    let sample = std::fs::read_to_string(samples.join("manifest.csv")).unwrap();
    assert_eq!(
        manifest(&sb.read("out/skolon/manifest.csv")),
        manifest(&sample),
        "manifest properties"
    );
}

#[test]
fn personnummer_is_masked_unless_asked_for() {
    let sb = Sandbox::example();
    sb.edit(
        "../../mappings/extens-ad.map",
        "  grade      = e.Årskurs",
        "  grade      = e.Årskurs\n  civicNo    = pnr(e.Personnummer) ?? null",
    );
    let pnr = "201503121236";
    for args in [&["--full"][..], &["--json"][..]] {
        let out = sb.plan(args).output().unwrap();
        let text = stdout(&out);
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(
            !text.contains(pnr) && !text.contains("20150312-1236"),
            "{args:?} leaks a personnummer"
        );
        assert!(text.contains("(sensitive)"), "{args:?}");
    }
    let shown = sb.plan(&["--full", "--show-sensitive"]).output().unwrap();
    assert!(stdout(&shown).contains(pnr));
}

#[test]
fn a_key_derived_from_personnummer_is_masked() {
    let sb = Sandbox::example();
    sb.edit(
        "../../mappings/extens-ad.map",
        "  key e.ElevId",
        "  key pnr(e.Personnummer) ?? e.ElevId",
    );
    let out = sb.plan(&["--full"]).output().unwrap();
    let text = stdout(&out);
    assert!(!text.contains("201503121236"), "{text}");
    assert!(text.contains("+ (sensitive)  givenName=\"Åsa\""), "{text}");
}

#[test]
fn a_lookup_table_can_come_from_a_csv_file() {
    let sb = Sandbox::example();
    std::fs::write(
        sb.path("data/befattningar.csv"),
        "Befattning;Roll\nLärare;teacher\nRektor;principal\nVaktmästare;teacher\n",
    )
    .unwrap();
    sb.edit(
        "pipeline.yaml",
        "  befattningar:\n    values:",
        "  befattningar:\n    file: data/befattningar.csv\n    key: Befattning\n    value: Roll\n  unused:\n    values:",
    );
    let out = sb.plan(&["--full"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("+ P2004  givenName=\"Per\" familyName=\"Olsson\" role=\"teacher\""),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_runaway_script_is_stopped_and_named() {
    let sb = Sandbox::example();
    std::fs::write(
        sb.path("../../mappings/scripts/forever.rhai"),
        "let n = 0;\nloop { n += 1; }\n",
    )
    .unwrap();
    sb.edit(
        "../../mappings/extens-ad.map",
        "  grade      = e.Årskurs",
        "  grade      = script(\"scripts/forever.rhai\", e.Årskurs)",
    );
    let out = sb.apply(&[]).output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("etl::E0402")
            && err.contains("forever.rhai:2:")
            && err.contains("extens-ad.map:"),
        "{err}"
    );
    assert!(err.contains("data/elever.csv:2"), "names the record: {err}");
    assert!(sb.written().is_empty());
}

#[test]
fn a_failed_target_write_leaves_state_untouched() {
    let sb = Sandbox::example();
    sb.apply(&[]).assert().success();
    let state = |sb: &Sandbox| {
        sb.written()
            .into_iter()
            .filter(|(n, _)| n.starts_with("state"))
            .collect::<Vec<_>>()
    };
    let state_before = state(&sb);
    assert!(!state_before.is_empty());
    // A file where the target's parent folder should be: the write must fail.
    sb.edit(
        "pipeline.yaml",
        "${ETL_OUT_DIR:-out}/skolon",
        "blocked/skolon",
    );
    std::fs::write(sb.path("blocked"), "not a folder").unwrap();
    sb.edit_cp1252("data/elever.csv", ";Öberg;", ";Öberg-Lind;");
    let out = sb.apply(&[]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("etl::E0505"), "{}", stderr(&out));
    common::assert_unchanged(&state_before, &state(&sb), "state after a failed write");
    // Once the target can be written, the next run converges.
    std::fs::remove_file(sb.path("blocked")).unwrap();
    sb.apply(&[]).assert().success();
    sb.plan(&[])
        .assert()
        .stdout(predicate::str::contains("No changes."));
}

/// `--timings` reports each phase on stderr and leaves the plan on stdout as it was.
#[test]
fn timings_name_every_phase_on_stderr() {
    let sb = Sandbox::example();
    let plain = sb.plan(&[]).output().unwrap();
    let timed = sb.plan(&["--timings"]).output().unwrap();
    assert!(timed.status.success(), "{}", stderr(&timed));
    assert_eq!(stdout(&plain), stdout(&timed));
    assert!(!stderr(&plain).contains("Timings"));
    let has = |out: &std::process::Output, name: &str| {
        stderr(out)
            .lines()
            .any(|l| l.trim_start().starts_with(&format!("{name} ")) && l.contains(" s"))
    };
    for name in ["read", "map", "state", "diff", "render", "total"] {
        assert!(has(&timed, name), "no {name} line in:\n{}", stderr(&timed));
    }
    let saved = sb
        .plan(&["--timings", "--out", "plan.json"])
        .output()
        .unwrap();
    assert!(has(&saved, "save"), "{}", stderr(&saved));
    let applied = sb
        .etl(&["apply", "plan.json", "--timings"])
        .output()
        .unwrap();
    assert!(applied.status.success(), "{}", stderr(&applied));
    assert!(
        has(&applied, "load") && has(&applied, "write"),
        "{}",
        stderr(&applied)
    );
    assert!(
        !stderr(&timed).contains("second thread"),
        "no state yet, nothing read beside: {}",
        stderr(&timed)
    );
    sb.drop_pupils(&["E1002"]);
    let applied = sb.apply(&["--timings"]).output().unwrap();
    assert!(applied.status.success(), "{}", stderr(&applied));
    assert!(has(&applied, "write"), "{}", stderr(&applied));
    // With state, how long its read took on its own (the `state` phase shows only the wait).
    let beside = "(state read on a second thread, beside read and map: ";
    assert!(
        stderr(&applied)
            .lines()
            .any(|l| l.trim_start().starts_with(beside)),
        "{}",
        stderr(&applied)
    );
}
