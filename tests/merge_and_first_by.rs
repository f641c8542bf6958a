//! Several source rows for one record: `first by` picks one of several join matches, and
//! `merge` folds records that share a key. Each is shown failing without the feature.

mod common;
use common::{Sandbox, stderr, stdout};

const MAP: &str = "../../mappings/extens-ad.map";

/// Åsa gets a second, disabled AD account whose name sorts first.
fn with_two_ad_accounts() -> Sandbox {
    let sb = Sandbox::example();
    sb.edit(
        "data/ad_users.csv",
        "201503121236,asa.oberg,asa.oberg@elev.example.se,TRUE\r\n",
        "201503121236,asa.oberg,asa.oberg@elev.example.se,TRUE\r\n\
         201503121236,asa.ob,asa.ob@elev.example.se,FALSE\r\n",
    );
    sb
}

#[test]
fn two_ad_accounts_for_one_pupil_are_duplicates_without_first_by() {
    let sb = with_two_ad_accounts();
    let out = sb.plan(&[]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains("E0403") && err.contains("person E1001"),
        "{err}"
    );
}

#[test]
fn first_by_keeps_the_enabled_account() {
    let sb = with_two_ad_accounts();
    sb.edit(
        MAP,
        "  where active(e.Startdatum, e.Slutdatum, ahead: 30d) ?? false",
        "    first by upper(a.enabled ?? \"\") == \"TRUE\" desc, a.sAMAccountName ?? \"\"\n  \
         where active(e.Startdatum, e.Slutdatum, ahead: 30d) ?? false",
    );
    let out = sb.plan(&["--full"]).output().unwrap();
    let text = stdout(&out);
    assert!(out.status.success(), "{}{text}", stderr(&out));
    assert!(
        text.contains("email=\"asa.oberg@elev.example.se\""),
        "{text}"
    );
    assert!(!text.contains("asa.ob@"), "{text}");

    // Without `desc` false sorts first: now the disabled account wins.
    sb.edit(MAP, "== \"TRUE\" desc,", "== \"TRUE\",");
    let text = stdout(&sb.plan(&["--full"]).output().unwrap());
    assert!(text.contains("email=\"asa.ob@elev.example.se\""), "{text}");
}

/// Karin is also principal at the other school: a second staff row with her id.
fn with_a_second_employment(given: &str) -> Sandbox {
    let sb = Sandbox::example();
    sb.edit_cp1252(
        "data/personal.csv",
        "P2002;",
        &format!("P2001;19800115-1128;{given};Lindqvist;87654321;Rektor;2015-08-01;\nP2002;"),
    );
    sb
}

#[test]
fn two_rows_for_one_person_are_duplicates_without_merge() {
    let sb = with_a_second_employment("Karin");
    let out = sb.plan(&[]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("E0403") && err.contains("person P2001"),
        "{err}"
    );
}

const MERGE: &str = "\nmerge person {\n  school = union\n  role   = prefer(\"principal\", \"teacher\", \"staff\")\n}\n";

#[test]
fn merge_folds_two_employments_into_one_person() {
    let sb = with_a_second_employment("Karin");
    let text = sb.read(MAP);
    std::fs::write(sb.path(MAP), format!("{text}{MERGE}")).unwrap();
    let out = sb.plan(&["--full"]).output().unwrap();
    let text = stdout(&out);
    assert!(out.status.success(), "{}{text}", stderr(&out));
    let karin = text
        .lines()
        .find(|l| l.contains("+ P2001"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(karin.contains("role=\"principal\""), "{karin}");
    assert!(karin.contains("school=\"12345678,87654321\""), "{karin}");
}

#[test]
fn merged_rows_that_disagree_without_a_rule_stop_the_run() {
    let sb = with_a_second_employment("Karina");
    let text = sb.read(MAP);
    std::fs::write(sb.path(MAP), format!("{text}{MERGE}")).unwrap();
    let out = sb.plan(&[]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(err.contains("E0406"), "{err}");
    assert!(
        err.contains(
            "person P2001: givenName is \"Karin\" (data/personal.csv:2) and \"Karina\" (data/personal.csv:3)"
        ),
        "{err}"
    );
    assert!(err.contains("givenName = first"), "{err}");
    assert!(!sb.path("state").exists(), "nothing may be written");
}
