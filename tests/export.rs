//! `etl export` on the bundled example, through the real binary: the roster and every
//! record left out, as CSV files or JSON, masked unless asked otherwise.

mod common;

use common::{Sandbox, TODAY, stderr, stdout};

fn export(sb: &Sandbox, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["export", "pipeline.yaml", "--today", TODAY];
    args.extend_from_slice(extra);
    sb.etl(&args).output().unwrap()
}

#[test]
fn csv_export_writes_each_entity_and_the_left_out_records_with_reasons() {
    let sb = Sandbox::example();
    let out = export(&sb, &["--out", "export"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("export/person.csv: 10 row(s)"),
        "{}",
        stdout(&out)
    );
    insta::assert_snapshot!("export_person_csv", sb.read("export/person.csv"));
    let left = sb.read("export/left_out.csv");
    assert!(
        left.contains(
            "person,the `where` at ../../mappings/extens-ad.map:21:9 is false for them,extens.elever,data/elever.csv:5,"
        ),
        "{left}"
    );
    assert!(
        left.contains("membership,its group is not in the roster (inactive or not marked for export),,,G-SL8-26/E1006"),
        "{left}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(sb.path("export/person.csv"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "an export holds personal data");
    }
    assert!(
        !sb.path("state").exists() && !sb.path("out").exists(),
        "export writes no target or state"
    );
}

#[test]
fn json_export_has_the_roster_the_first_plan_adds() {
    let sb = Sandbox::example();
    let out = export(&sb, &["--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["format"], "roster-etl-export");
    let count = |name: &str| json[name].as_array().map_or(0, Vec::len);
    // The first plan adds 29 records: 2 organisations, 10 persons, 5 groups, 12 memberships.
    assert_eq!(
        [
            count("organisation"),
            count("person"),
            count("group"),
            count("membership")
        ],
        [2, 10, 5, 12]
    );
    assert_eq!(json["person"][0]["key"], "E1001");
    assert_eq!(json["person"][0]["email"], "asa.oberg@elev.example.se");
    assert_eq!(count("left_out"), 8);
}

#[test]
fn personal_numbers_are_masked_unless_asked_for() {
    let sb = Sandbox::example();
    sb.edit(
        "../../mappings/extens-ad.map",
        "  grade      = e.Årskurs\n",
        "  grade      = e.Årskurs\n  civicNo    = e.Personnummer\n",
    );
    let masked = stdout(&export(&sb, &["--format", "json"]));
    let json: serde_json::Value = serde_json::from_str(&masked).unwrap();
    assert_eq!(json["person"][0]["civicNo"], "(sensitive)");
    assert!(!masked.contains("20150312-1236"), "{masked}");
    let shown = stdout(&export(&sb, &["--format", "json", "--show-sensitive"]));
    let json: serde_json::Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(json["person"][0]["civicNo"], "20150312-1236");
}

#[test]
fn a_broken_mapping_writes_no_export() {
    let sb = Sandbox::example();
    sb.edit(
        "../../mappings/extens-ad.map",
        "e.Efternamn\n",
        "e.Efternman\n",
    );
    let out = export(&sb, &["--out", "export"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("etl::E0103") && err.contains("did you mean `Efternamn`?"),
        "{err}"
    );
    assert!(!sb.path("export").exists());
}

#[test]
fn csv_without_a_folder_is_refused() {
    let sb = Sandbox::example();
    let out = export(&sb, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("etl::E0602"), "{}", stderr(&out));
}
