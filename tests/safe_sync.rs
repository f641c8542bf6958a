//! Safe sync through the real binary, one scenario each: a truncated export held by the
//! limits (and let through once with --allow), an empty export, trash and restore, a
//! delayed delete, an archived group with frozen members, protected identities, rollover
//! and additions-only runs. Every refused run must leave targets and state byte-identical.

mod common;

use common::{Sandbox, stderr, stdout};
use predicates::prelude::*;
use roster_etl::state::State;

const STRICT: &str = "delete.person: { count: 2, percent: 20 }";
const LIMITS: &str = "delete.person: { count: 25, percent: 2 }";

/// Removes pupil rows from the register export, as a truncated export would.
#[test]
fn a_truncated_export_is_held_and_let_through_once_with_allow() {
    let sb = Sandbox::example();
    sb.edit("pipeline.yaml", LIMITS, STRICT);
    sb.apply(&[]).assert().success();
    let before = sb.written();
    sb.drop_pupils(&["E1001", "E1002", "E1008"]);

    let plan = sb.plan(&["--detailed-exitcode"]).output().unwrap();
    assert_eq!(
        plan.status.code(),
        Some(3),
        "held plans exit 3 with --detailed-exitcode"
    );
    let text = stdout(&plan);
    assert!(
        text.contains("HELD by 1 safety limit(s) (normal limits)"),
        "{text}"
    );
    assert!(
        text.contains("delete.person: 3 of the 10 the target held (30%); the limit is more than 2 and more than 20%"),
        "{text}"
    );
    assert!(
        text.contains("3 of 3 person deletes are pupils of school unit 12345678"),
        "{text}"
    );
    assert!(text.contains("--allow delete.person=3"), "{text}");
    insta::assert_snapshot!("held_plan", text);
    let json = stdout(&sb.plan(&["--json"]).output().unwrap());
    let plan: serde_json::Value = serde_json::from_str(&json).unwrap();
    let held = &plan["targets"][0]["safety"]["held"][0];
    assert_eq!(held["limit"], "delete.person");
    assert_eq!(held["changes"], 3);
    assert_eq!(held["max"]["count"], 2);
    assert!(
        held["concentration"]
            .as_str()
            .unwrap()
            .contains("school unit 12345678")
    );

    let out = sb.apply(&[]).output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("etl::E0507"), "{}", stderr(&out));
    assert!(
        !stdout(&out).contains("Do you want"),
        "a held plan is not offered"
    );
    common::assert_unchanged(&before, &sb.written(), "a held plan");

    // A saved held plan is refused too.
    sb.plan(&["--out", "held.json"]).assert().success();
    sb.etl(&["apply", "held.json"]).assert().code(3);
    common::assert_unchanged(&before, &sb.written(), "a saved held plan");

    // An override that is too small still holds; a big enough one lets it through, once.
    sb.apply(&["--allow", "delete.person=2"]).assert().code(3);
    sb.apply(&["--allow", "delete.person=3"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("3 trashed").and(predicate::str::contains(
                "overrides used: --allow delete.person=3",
            )),
        );
    let state = State::open_existing(&sb.path("state/extens-ad.db"))
        .unwrap()
        .unwrap();
    let runs = state.runs("skolon").unwrap();
    assert_eq!(runs.len(), 2);
    assert!(
        runs[0]
            .allowed
            .contains("\"allowed_by\":\"delete.person=3\""),
        "{:?}",
        runs[0]
    );
    assert!(runs[1].allowed == "[]");
    sb.plan(&[])
        .assert()
        .stdout(predicate::str::contains("No changes."));
}

#[test]
fn an_empty_export_stops_the_run_unless_it_may_be_empty() {
    let sb = Sandbox::example();
    sb.edit("pipeline.yaml", LIMITS, STRICT);
    sb.apply(&[]).assert().success();
    let before = sb.written();
    let header = "ElevId;Personnummer;Förnamn;Efternamn;Skolenhetskod;Årskurs;Klass;Startdatum;Slutdatum;SkyddadIdentitet\r\n";
    sb.write_cp1252("data/elever.csv", header);

    let out = sb.apply(&[]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("etl::E0306"), "{err}");
    assert!(
        err.contains(
            "dataset `extens.elever` (data/elever.csv) has no rows, but the last apply read 7"
        ),
        "{err}"
    );
    assert!(
        err.contains("pipeline.yaml:"),
        "points at the dataset: {err}"
    );
    assert!(err.contains("may_be_empty: true"), "{err}");
    common::assert_unchanged(&before, &sb.written(), "an empty export");

    // Declared as possibly empty, the run goes on to the limits, which hold every pupil's delete.
    sb.edit(
        "pipeline.yaml",
        "delimiter: \";\"\n        columns:",
        "delimiter: \";\"\n        may_be_empty: true\n        columns:",
    );
    let plan = sb.plan(&[]).output().unwrap();
    assert!(stdout(&plan).contains("HELD"), "{}", stdout(&plan));
}

#[test]
fn a_pupil_who_leaves_is_trashed_and_restored_on_return() {
    let sb = Sandbox::example();
    sb.apply(&[]).assert().success();
    let line = sb.pupil_line("E1002");
    sb.drop_pupils(&["E1002"]);
    sb.apply(&[])
        .assert()
        .success()
        .stdout(predicate::str::contains("1 trashed"));
    assert!(
        sb.read("out/skolon/users.csv")
            .contains("E1002,tobedeleted,,FALSE,")
    );

    sb.edit_cp1252("data/elever.csv", "E1008;", &format!("{line}E1008;"));
    let plan = stdout(&sb.plan(&[]).output().unwrap());
    assert!(plan.contains("+ E1002 (restore)"), "{plan}");
    assert!(plan.contains("1 to restore"), "{plan}");
    sb.apply(&[])
        .assert()
        .success()
        .stdout(predicate::str::contains("1 restored"));
    assert!(
        sb.read("out/skolon/users.csv")
            .contains("E1002,active,,TRUE,")
    );
    sb.plan(&[])
        .assert()
        .stdout(predicate::str::contains("No changes."));
}

#[test]
fn a_delayed_delete_waits_for_its_due_date() {
    let sb = Sandbox::example();
    sb.edit("pipeline.yaml", "person: trash,", "person: { delay: 14d },");
    sb.apply(&[]).assert().success();
    sb.drop_pupils(&["E1002"]);
    let plan = stdout(&sb.plan(&[]).output().unwrap());
    assert!(plan.contains("- E1002 (delete on 2026-12-05)"), "{plan}");

    // A saved plan whose delayed delete lost its due date (edited by hand) is refused.
    sb.plan(&["--out", "delay.json"]).assert().success();
    let saved = sb.read("delay.json");
    assert!(saved.contains("\"due\":\"2026-12-05\""), "{saved}");
    std::fs::write(
        sb.path("delay.json"),
        saved.replace("\"due\":\"2026-12-05\"", "\"due\":\"soon\""),
    )
    .unwrap();
    let before = sb.written();
    let out = sb.etl(&["apply", "delay.json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("etl::E0504"), "{err}");
    assert!(
        err.contains("a delayed delete of a person in target `skolon` has no due"),
        "{err}"
    );
    common::assert_unchanged(&before, &sb.written(), "a plan without a due date");

    sb.apply(&[]).assert().success();
    assert!(
        sb.read("out/skolon/users.csv").contains("E1002,active"),
        "kept until due"
    );

    let waiting = stdout(&sb.plan(&[]).output().unwrap());
    assert!(
        waiting.contains(
            "person: 1 delete(s) pending, gone from the sources; the next is due 2026-12-05"
        ),
        "{waiting}"
    );
    assert!(waiting.contains("No changes."), "{waiting}");

    let due = ["--today", "2026-12-05"];
    let mut args = vec!["plan", "pipeline.yaml"];
    args.extend(due);
    let plan = stdout(&sb.etl(&args).output().unwrap());
    assert!(
        plan.contains("- E1002  "),
        "carried out on its due date: {plan}"
    );
}

#[test]
fn an_archived_group_keeps_its_members_frozen() {
    let sb = Sandbox::example();
    sb.apply(&[]).assert().success();
    // Class 8A is no longer marked for export.
    sb.edit_cp1252(
        "data/grupper.csv",
        "2027-06-15;J\r\nG-MA5-26",
        "2027-06-15;N\r\nG-MA5-26",
    );
    let plan = stdout(&sb.plan(&["--full"]).output().unwrap());
    assert!(plan.contains("- G-8A-26 (archive)"), "{plan}");
    assert!(
        plan.contains("membership: 3 kept unchanged because their group is archived"),
        "its members are frozen, not removed: {plan}"
    );
    sb.apply(&[])
        .assert()
        .success()
        .stdout(predicate::str::contains("1 archived"));
    let classes = sb.read("out/skolon/classes.csv");
    assert!(
        classes.contains("G-8A-26,active"),
        "an archived class stays: {classes}"
    );
    assert!(
        sb.read("out/skolon/enrollments.csv")
            .contains("G-8A-26/E1006,active")
    );
    // A member leaves the register's group later: the archived group keeps them.
    sb.edit_cp1252(
        "data/medlemskap.csv",
        "G-8A-26;E1006;Elev;2026-08-17;\r\n",
        "",
    );
    sb.plan(&[])
        .assert()
        .stdout(predicate::str::contains("No changes."));
}

#[test]
fn protected_pupils_never_reach_plan_state_or_target() {
    let sb = Sandbox::example();
    sb.apply(&[]).assert().success();
    let json = stdout(&sb.plan(&["--json", "--show-sensitive"]).output().unwrap());
    let mut everything: Vec<(String, Vec<u8>)> = sb.written();
    everything.push(("plan".into(), json.into_bytes()));
    for (name, bytes) in everything {
        let text = String::from_utf8_lossy(&bytes);
        for secret in ["E1003", "Märta", "Ek-Lund", "20140120", "201401203458"] {
            assert!(!text.contains(secret), "{secret} found in {name}");
        }
    }
    // Without the rule, the same pupil would be read (the rule is what keeps her out).
    sb.edit(
        "pipeline.yaml",
        "protected: { column: SkyddadIdentitet, values: [J] }",
        "",
    );
    let plan = stdout(&sb.plan(&["--full"]).output().unwrap());
    assert!(plan.contains("E1003"), "{plan}");
}

#[test]
fn a_protected_rule_naming_a_missing_column_is_an_error() {
    let sb = Sandbox::example();
    sb.edit(
        "pipeline.yaml",
        "column: SkyddadIdentitet",
        "column: Skyddad",
    );
    let out = sb.etl(&["validate", "pipeline.yaml"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("etl::E0304") && err.contains("no column `Skyddad` to mark protected persons"),
        "{err}"
    );
    assert!(
        err.contains("pipeline.yaml:20:30") && err.contains("`SkyddadIdentitet`?"),
        "{err}"
    );
}

#[test]
fn additions_only_lets_only_new_data_through() {
    let sb = Sandbox::example();
    sb.apply(&[]).assert().success();
    sb.drop_pupils(&["E1002"]);
    sb.edit_cp1252("data/elever.csv", ";Öberg;", ";Öberg-Lind;");
    sb.edit_cp1252(
        "data/elever.csv",
        "E1008;",
        "E1010;20150101-0008;Ny;Elev;12345678;5;5A;2021-08-16;;\r\nE1008;",
    );
    let plan = stdout(&sb.plan(&["--additions-only"]).output().unwrap());
    assert!(
        plan.contains("Run mode: additions-only (--additions-only)"),
        "{plan}"
    );
    assert!(plan.contains("+ E1010"), "{plan}");
    assert!(
        plan.contains("person: 2 change(s) held back by additions-only mode"),
        "{plan}"
    );
    sb.apply(&["--additions-only"]).assert().success();
    let users = sb.read("out/skolon/users.csv");
    assert!(users.contains("E1010") && users.contains("Öberg,") && users.contains("E1002,active"));
    // The next normal night applies what was held back.
    let plan = stdout(&sb.plan(&[]).output().unwrap());
    assert!(
        plan.contains("1 to change") && plan.contains("1 to trash"),
        "{plan}"
    );
}

#[test]
fn a_rollover_run_uses_its_own_limits() {
    let sb = Sandbox::example();
    sb.apply(&[]).assert().success();
    // Every group of the year ends: their rows are gone from the export (last year's stays).
    let kept: String = sb
        .read_cp1252("data/grupper.csv")
        .split_inclusive('\n')
        .filter(|l| l.starts_with("GruppId") || l.starts_with("G-5A-25"))
        .collect();
    sb.write_cp1252("data/grupper.csv", &kept);
    sb.edit(
        "pipeline.yaml",
        "limits:\n",
        "limits:\n      delete.group: 2\n",
    );

    let normal = stdout(&sb.plan(&[]).output().unwrap());
    assert!(
        normal.contains("HELD") && normal.contains("delete.group: 5 of the 5 the target held"),
        "{normal}"
    );
    let rollover = stdout(&sb.plan(&["--rollover"]).output().unwrap());
    assert!(
        rollover.contains("Run mode: rollover (--rollover)"),
        "{rollover}"
    );
    assert!(
        rollover.contains("within the rollover limits"),
        "{rollover}"
    );
    assert!(rollover.contains("5 to archive"), "{rollover}");

    // The same from the pipeline's yearly window.
    sb.edit(
        "pipeline.yaml",
        "\ntargets:",
        "\nschool_year:\n  rollover: { from: 11-15, to: 11-25 }\n\ntargets:",
    );
    let windowed = stdout(&sb.plan(&[]).output().unwrap());
    assert!(
        windowed.contains("Run mode: rollover (school_year.rollover 11-15..11-25)"),
        "{windowed}"
    );
}

#[test]
fn bad_safety_settings_are_reported_together_with_their_places() {
    let sb = Sandbox::example();
    sb.edit("pipeline.yaml", "person: trash,", "person: archive,");
    sb.edit(
        "pipeline.yaml",
        LIMITS,
        "delete.persons: 5\n      update.group: lots",
    );
    sb.edit("pipeline.yaml", "person: username", "person: mail");
    let out = sb.etl(&["validate", "pipeline.yaml"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("only groups can be archived, not persons"),
        "{err}"
    );
    assert!(
        err.contains("unknown limit `delete.persons`")
            && err.contains("did you mean `delete.person`?"),
        "{err}"
    );
    assert!(
        err.contains("this limit is not a count, a share or `none`"),
        "{err}"
    );
    assert!(
        err.contains("person has no field `mail`") && err.contains("`email`"),
        "{err}"
    );
    assert!(err.contains("4 errors"), "{err}");

    let sb = Sandbox::example();
    let out = sb.plan(&["--allow", "delete.persn=3"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("etl::E0009")
            && stderr(&out).contains("did you mean `delete.person`?"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_temporary_personnummer_is_never_matched_in_a_join() {
    // E1007 has the temporary number 20130101-TF01 and AD has an account with the same
    // number; the pupil must get the fallback e-mail, not that account.
    let sb = Sandbox::example();
    sb.apply(&[]).assert().success();
    let users = sb.read("out/skolon/users.csv");
    let sara = users.lines().find(|l| l.starts_with("E1007,")).unwrap();
    assert!(sara.contains("sara.niemi@elev.example.se"), "{sara}");
    assert!(!users.contains("sara.tmp"), "{users}");
    // A permanent number still matches: E1001 gets her AD account.
    assert!(users.contains("asa.oberg@elev.example.se"));
}

#[test]
fn the_pipeline_read_ahead_lets_staff_who_start_soon_in() {
    // Staff are read with `active(start, end)`: no `ahead:`, so the pipeline's read_ahead.
    let sb = Sandbox::example();
    sb.edit_cp1252(
        "data/personal.csv",
        "P2005;",
        "P2099;19820202-2224;Ny;Lärare;12345678;Lärare;2026-12-11;\r\nP2005;",
    );
    let plan = stdout(&sb.plan(&["--full"]).output().unwrap());
    assert!(plan.contains("+ P2099"), "30 days by default:\n{plan}");

    sb.edit(
        "pipeline.yaml",
        "tier: silver",
        "tier: silver\nread_ahead: 14d",
    );
    let plan = stdout(&sb.plan(&["--full"]).output().unwrap());
    assert!(!plan.contains("P2099"), "{plan}");
    assert!(
        plan.contains("2 person(s): the `where` at ../../mappings/extens-ad.map:36:9"),
        "{plan}"
    );

    sb.edit("pipeline.yaml", "read_ahead: 14d", "read_ahead: 2 weeks");
    let out = sb.etl(&["validate", "pipeline.yaml"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("`2 weeks` is not a read-ahead of whole days")
            && err.contains("pipeline.yaml:6:13"),
        "{err}"
    );
}

/// Each record the example's mappings leave out, as "reason: place" or "reason: key K".
fn left_out(sb: &Sandbox) -> Vec<String> {
    use roster_etl::diagnostic::SourceMap;
    use roster_etl::model::Which;
    let env: std::collections::HashMap<String, String> = Default::default();
    let mut sources = SourceMap::new();
    let compiled =
        roster_etl::plan::compile(&sb.path("pipeline.yaml"), &env, &mut sources).unwrap();
    let (program, pipeline) = (&compiled.checked.program, &compiled.loaded.pipeline);
    let reads =
        roster_etl::execute::read_datasets(program, pipeline, &mut sources, &Default::default())
            .unwrap();
    let ctx = roster_etl::functions::CallCtx::new(common::TODAY.parse().unwrap());
    let roster = roster_etl::execute::run(program, &reads.datasets, &ctx, &sources).unwrap();
    let mut left = Vec::new();
    for l in &roster.left_out {
        for which in &l.records {
            let what = match which {
                Which::Row { dataset, row } => reads.datasets[*dataset].place(*row),
                Which::Key(key) => format!("key {key}"),
            };
            left.push(format!("{}: {what}", l.reason));
        }
    }
    left
}

#[test]
fn every_record_left_out_keeps_its_reason() {
    let sb = Sandbox::example();
    let left = left_out(&sb);
    let has =
        |reason: &str, what: &str| left.iter().any(|l| l.contains(reason) && l.ends_with(what));
    // Gunnel Björk's employment ended on 2026-06-30 (row 6 of personal.csv).
    assert!(
        has("extens-ad.map:36:9 is false", "personal.csv:6"),
        "{left:#?}"
    );
    assert!(
        has("its person is not in the roster", "key G-6B-26/E1003"),
        "{left:#?}"
    );

    // An inner join keeps, for each row it drops, that it found no match.
    sb.edit(
        "../../mappings/extens-ad.map",
        "person from extens.personal as p\n  left join",
        "person from extens.personal as p\n  join",
    );
    let left = left_out(&sb);
    let unmatched: Vec<&String> = left
        .iter()
        .filter(|l| l.contains("no match for the join at"))
        .collect();
    assert!(!unmatched.is_empty(), "{left:#?}");
    assert!(
        unmatched
            .iter()
            .all(|l| l.contains("extens-ad.map:35:25") && l.contains("personal.csv:")),
        "{unmatched:#?}"
    );
}

#[test]
fn a_rollover_archives_last_year_s_groups_the_register_still_exports() {
    let sb = Sandbox::example();
    // Last year's class is still in the export, with no end date.
    sb.edit_cp1252(
        "data/grupper.csv",
        "2025/26;2025-08-18;2026-06-12;J",
        "2025/26;2025-08-18;;J",
    );
    sb.edit_cp1252(
        "data/medlemskap.csv",
        "G-5A-26;E1001;Elev;2026-08-17;",
        "G-5A-25;E1001;Elev;2025-08-18;\r\nG-5A-26;E1001;Elev;2026-08-17;",
    );
    sb.apply(&[]).assert().success();
    assert!(sb.read("out/skolon/classes.csv").contains("G-5A-25"));
    let normal = stdout(&sb.plan(&[]).output().unwrap());
    assert!(normal.contains("No changes"), "{normal}");

    let rollover = stdout(&sb.plan(&["--rollover", "--full"]).output().unwrap());
    assert!(rollover.contains("group: 1 to archive"), "{rollover}");
    assert!(rollover.contains("G-5A-25"), "{rollover}");
    assert!(
        rollover.contains("1 group(s): a group of an earlier school year than the rollover's")
            && rollover.contains("1 membership(s): a group of an earlier school year"),
        "{rollover}"
    );
    // Archived groups keep their members: no membership is removed.
    assert!(
        rollover.contains("membership: 1 kept unchanged because their group is archived"),
        "{rollover}"
    );
}
