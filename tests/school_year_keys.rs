//! A group is its key and its school year together: a register that reuses a group id in a
//! new school year gets a new group (`KEY@YYYY-YY`), not last year's class updated into this
//! year's; and one export may hold the same id in two school years. Each is shown failing
//! without the rule (an update of last year's group; a duplicate key).

mod common;
use common::{Sandbox, stderr, stdout};

const NEXT_YEAR: &str = "2027-08-16";

/// The register reuses `G-5A-26` for next year's class (the pupils move up with it).
fn with_the_id_reused_next_year(sb: &Sandbox) {
    sb.edit_cp1252(
        "data/grupper.csv",
        "G-5A-26;Klass 5A;Klass;12345678;2026/27;2026-08-17;2027-06-15;J",
        "G-5A-26;Klass 6A;Klass;12345678;2027/28;2027-08-16;2028-06-14;J",
    );
}

fn next_year(sb: &Sandbox, command: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec![command, "pipeline.yaml", "--today", NEXT_YEAR, "--rollover"];
    if command == "apply" {
        args.push("--auto-approve");
    }
    args.extend_from_slice(extra);
    sb.etl(&args).output().unwrap()
}

#[test]
fn a_group_id_reused_in_a_new_school_year_is_a_new_group_and_last_year_s_is_archived() {
    let sb = Sandbox::example();
    sb.apply(&[]).assert().success();
    with_the_id_reused_next_year(&sb);

    let out = next_year(&sb, "plan", &["--full"]);
    let text = stdout(&out);
    assert!(out.status.success(), "{}{text}", stderr(&out));
    // Last year's class is archived under its own id, this year's is created beside it.
    assert!(text.contains("+ G-5A-26@2027-28"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.contains("G-5A-26") && !l.contains('@') && l.contains("archive")),
        "{text}"
    );
    assert!(!text.contains("~ G-5A-26 "), "{text}");
    // The memberships of the new class are new too; last year's stay frozen.
    assert!(text.contains("+ G-5A-26/E1001@2027-28"), "{text}");
    assert!(
        text.contains("kept unchanged because their group is archived"),
        "{text}"
    );
    assert!(
        text.contains("group: 1 new id(s) carry their school year (KEY@YYYY-YY)"),
        "{text}"
    );
    common::assert_doc_shows("docs/safe-sync.md", "Run mode: rollover", &text);
    let json = stdout(&next_year(&sb, "plan", &["--json"]));
    assert!(json.contains("\"year_scoped\": 1"), "{json}");

    let out = next_year(&sb, "apply", &[]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    let classes = sb.read("out/skolon/classes.csv");
    assert!(classes.contains("G-5A-26@2027-28"), "{classes}");
    assert!(
        classes.lines().any(|l| l.starts_with("G-5A-26,")),
        "{classes}"
    );
    let again = stdout(&next_year(&sb, "plan", &[]));
    assert!(again.contains("No changes"), "{again}");
}

/// Last year's class is still exported under the id this year's class uses.
fn with_last_year_s_class_under_the_same_id(sb: &Sandbox) {
    sb.edit_cp1252(
        "data/grupper.csv",
        "G-5A-25;Klass 4A;Klass;12345678;2025/26;2025-08-18;2026-06-12;J",
        "G-5A-26;Klass 4A;Klass;12345678;2025/26;2025-08-18;;J",
    );
    sb.edit_cp1252(
        "data/medlemskap.csv",
        "G-5A-25;E1001;Elev;2025-08-18;2026-06-12",
        "G-5A-26;E1006;Elev;2025-08-18;",
    );
}

#[test]
fn one_export_may_hold_an_id_in_two_school_years() {
    let sb = Sandbox::example();
    sb.apply(&[]).assert().success();
    with_last_year_s_class_under_the_same_id(&sb);

    let out = sb.plan(&["--full"]).output().unwrap();
    let text = stdout(&out);
    assert!(out.status.success(), "{}{text}", stderr(&out));
    // The class the target holds keeps its id; last year's is a group of its own, with the
    // membership that started in its year.
    assert!(text.contains("+ G-5A-26@2025-26"), "{text}");
    assert!(text.contains("+ G-5A-26/E1006@2025-26"), "{text}");
    assert!(!text.contains("~ G-5A-26"), "{text}");
    assert!(!text.contains("G-5A-26@2026-27"), "{text}");
}

#[test]
fn the_same_id_twice_in_one_school_year_is_still_a_duplicate() {
    let sb = Sandbox::example();
    sb.edit_cp1252(
        "data/grupper.csv",
        "G-5A-25;Klass 4A;Klass;12345678;2025/26;2025-08-18;2026-06-12;J",
        "G-5A-26;Klass 4A;Klass;12345678;2026/27;2026-08-17;;J",
    );
    let out = sb.plan(&[]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains("E0403") && err.contains("group G-5A-26"),
        "{err}"
    );
}
