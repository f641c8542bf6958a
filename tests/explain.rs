//! `etl explain` on the bundled example, through the real binary: one record traced from
//! the source rows through joins, filters and fields to each target's plan.

mod common;

use common::{Sandbox, TODAY, stderr, stdout};

const ASA_PNR: &str = "20150312-1236";

fn explain(sb: &Sandbox, who: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["explain", "pipeline.yaml", who, "--today", TODAY];
    args.extend_from_slice(extra);
    sb.etl(&args).output().unwrap()
}

fn explained(sb: &Sandbox, who: &str, extra: &[&str]) -> String {
    let out = explain(sb, who, extra);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
}

#[test]
fn a_pupil_is_traced_from_the_register_row_to_the_target() {
    let sb = Sandbox::example();
    let text = explained(&sb, "E1001", &[]);
    insta::assert_snapshot!("explain_new_pupil", text);
    assert!(
        !sb.path("state").exists() && !sb.path("out").exists(),
        "explain writes nothing"
    );
}

#[test]
fn a_filtered_pupil_shows_the_date_that_left_them_out() {
    let sb = Sandbox::example();
    let text = explained(&sb, "E1004", &[]);
    assert!(
        text.contains("Slutdatum 2026-10-30 has passed (today is 2026-11-21)"),
        "{text}"
    );
    assert!(text.contains("=> false: left out here"), "{text}");
    assert!(text.contains("person E1004: not in the roster"), "{text}");
}

#[test]
fn a_start_beyond_the_read_ahead_says_when_the_pupil_appears() {
    let sb = Sandbox::example();
    sb.edit_cp1252(
        "data/elever.csv",
        "E1005;20120405-5675;Elsa;Andersson;87654321;8;8A;2026-12-07",
        "E1005;20120405-5675;Elsa;Andersson;87654321;8;8A;2027-01-11",
    );
    let text = explained(&sb, "E1005", &[]);
    assert!(
        text.contains(
            "Startdatum 2027-01-11 has not come; with 30 days read-ahead it appears on 2026-12-12"
        ),
        "{text}"
    );
}

#[test]
fn a_failed_ad_match_is_named_and_the_fallback_shown() {
    let sb = Sandbox::example();
    let text = explained(&sb, "E1005", &[]);
    assert!(
        text.contains("no ad.users row has the same value; kept without it (left join)"),
        "{text}"
    );
    assert!(
        text.contains("the part before `??` gave null, so the fallback made it"),
        "{text}"
    );
    let temporary = explained(&sb, "E1007", &[]);
    assert!(
        temporary.contains("a temporary personnummer is never matched"),
        "{temporary}"
    );
}

#[test]
fn a_personnummer_finds_the_pupil_and_stays_masked() {
    let sb = Sandbox::example();
    let out = explain(&sb, ASA_PNR, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("etl explain (sensitive) in pipeline"),
        "{text}"
    );
    assert!(
        text.contains("extens.elever  data/elever.csv:2  (Personnummer)"),
        "{text}"
    );
    assert!(
        text.contains("ad.users  data/ad_users.csv:2  (employeeNumber)"),
        "{text}"
    );
    assert!(text.contains("key E1001"), "{text}");
    for shown in [ASA_PNR, "201503121236", "1503121236"] {
        assert!(
            !text.contains(shown) && !stderr(&out).contains(shown),
            "{shown} shown: {text}"
        );
    }
    let shown = explained(&sb, ASA_PNR, &["--show-sensitive"]);
    assert!(
        shown.contains(&format!("e.Personnummer = \"{ASA_PNR}\"")),
        "{shown}"
    );
}

#[test]
fn an_e_mail_or_account_name_finds_the_pupil() {
    let sb = Sandbox::example();
    let by_mail = explained(&sb, "Liam.Berg@elev.example.se", &[]);
    assert!(
        by_mail.contains("ad.users  data/ad_users.csv:3  (mail)"),
        "{by_mail}"
    );
    assert!(by_mail.contains("person E1002: in the roster"), "{by_mail}");
    let by_account = explained(&sb, "liam.berg", &[]);
    assert!(
        by_account.contains("person E1002: in the roster"),
        "{by_account}"
    );
}

#[test]
fn a_group_is_traced_with_its_memberships() {
    let sb = Sandbox::example();
    let text = explained(&sb, "G-5A-26", &[]);
    assert!(
        text.contains("group from extens.grupper, row data/grupper.csv:2"),
        "{text}"
    );
    assert!(text.contains("group G-5A-26: in the roster"), "{text}");
    assert!(text.contains("Memberships (4):"), "{text}");
    assert!(text.contains("G-5A-26/E1008: in the roster"), "{text}");
}

#[test]
fn a_pupil_gone_from_the_register_is_trashed_and_a_held_plan_says_so() {
    let sb = Sandbox::example();
    sb.apply(&[]).assert().success();
    sb.drop_pupils(&["E1002"]);
    let text = explained(&sb, "E1002", &[]);
    assert!(
        text.contains("person E1002: not in the roster: no source row makes it"),
        "{text}"
    );
    assert!(
        text.contains("target skolon (oneroster-1.1): active; plan: - trash"),
        "{text}"
    );
    assert!(!text.contains("HELD"), "{text}");

    sb.edit(
        "pipeline.yaml",
        "delete.person: { count: 25, percent: 2 }",
        "delete.person: { count: 0, percent: 0 }",
    );
    let before = sb.written();
    let held = explained(&sb, "E1002", &[]);
    assert!(
        held.contains("HELD: the plan for skolon goes over a safety limit")
            && held.contains("--allow delete.person=1"),
        "{held}"
    );
    common::assert_unchanged(&before, &sb.written(), "explain");
}

#[test]
fn json_holds_the_same_answer() {
    let sb = Sandbox::example();
    let text = explained(&sb, "E1004", &["--json"]);
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["who"], "E1004");
    let trace = &json["traces"][0];
    assert_eq!(trace["entity"], "person");
    assert_eq!(trace["outcome"]["result"], "filtered");
    assert_eq!(trace["filter"]["passed"], false);
    assert_eq!(json["records"][0]["in_roster"], false);
}

#[test]
fn an_unknown_id_fails_with_a_suggestion() {
    let sb = Sandbox::example();
    let out = explain(&sb, "E1O01", &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("etl::E0601"), "{err}");
    assert!(err.contains("did you mean `E1001`?"), "{err}");
    assert!(stdout(&out).is_empty());
}

#[test]
fn a_protected_pupil_is_never_shown() {
    let sb = Sandbox::example();
    // E1003 has protected identity: the register row is dropped as it is read. Only the
    // membership row (which holds no personal data) is left, and it leads nowhere.
    let out = explain(&sb, "E1003", &[]);
    let all = format!("{}{}", stdout(&out), stderr(&out));
    assert!(out.status.success(), "{all}");
    assert!(!all.contains("Märta") && !all.contains("Ek-Lund"), "{all}");
    assert!(!all.contains("extens.elever"), "{all}");
    assert!(
        all.contains("G-6B-26/E1003: not in the roster: its person is not in the roster"),
        "{all}"
    );
}

#[test]
fn the_troubleshooting_guide_shows_a_real_answer() {
    let sb = Sandbox::example();
    let text = explained(&sb, "E1004", &[]);
    common::assert_doc_shows("docs/troubleshooting.md", "etl explain E1004", &text);
}
