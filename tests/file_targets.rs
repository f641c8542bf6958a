//! The file-shaped targets through the real binary: OneRoster 1.2 and SDS v2.1 CSV files
//! are checked against the official samples in `tests/fixtures/`.

mod common;
use common::{Sandbox, stderr};
use std::collections::BTreeSet;
use std::path::Path;

/// The example with more targets beside Skolon, and usernames with their domain (SDS
/// needs the UPN).
fn with_targets(targets: &str) -> Sandbox {
    let sb = Sandbox::example();
    sb.edit(
        "pipeline.yaml",
        "targets:\n",
        &format!("targets:\n{targets}"),
    );
    sb.edit(
        "../../mappings/extens-ad.map",
        "username   = a.sAMAccountName ?? slug(e.Förnamn) + \".\" + slug(e.Efternamn)",
        "username   = a.mail ?? slug(e.Förnamn) + \".\" + slug(e.Efternamn) + \"@elev.example.se\"",
    );
    sb.edit(
        "../../mappings/extens-ad.map",
        "username   = a.sAMAccountName ?? slug(p.Förnamn) + \".\" + slug(p.Efternamn)",
        "username   = a.mail ?? slug(p.Förnamn) + \".\" + slug(p.Efternamn) + \"@example.se\"",
    );
    sb
}

fn fixture(dir: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(dir)
}

fn first_line(text: &str) -> String {
    text.lines()
        .next()
        .unwrap_or("")
        .trim_end_matches('\r')
        .to_string()
}

fn names_in(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

const BOTH: &str = "  teams:\n    type: sds-2.1\n    path: out/teams\n  lms:\n    type: oneroster-1.2\n    path: out/lms\n";

#[test]
fn oneroster_12_files_have_the_sample_headers_and_manifest() {
    let sb = with_targets(BOTH);
    let out = sb.apply(&[]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let samples = fixture("oneroster-1.2");
    let ours = names_in(&sb.path("out/lms"));
    for file in &ours {
        let sample = std::fs::read_to_string(samples.join(file))
            .unwrap_or_else(|_| panic!("{file} is not a OneRoster 1.2 file"));
        let mine = sb.read(&format!("out/lms/{file}"));
        assert_eq!(first_line(&mine), first_line(&sample), "{file} header");
    }
    let manifest = sb.read("out/lms/manifest.csv");
    let sample = std::fs::read_to_string(samples.join("manifest.csv")).unwrap();
    let properties = |t: &str| -> BTreeSet<String> {
        t.lines()
            .map(|l| l.split(',').next().unwrap_or("").to_string())
            .collect()
    };
    assert_eq!(properties(&manifest), properties(&sample));
    assert!(manifest.contains("oneroster.version,1.2"));
    for file in &ours {
        if let Some(stem) = file.strip_suffix(".csv").filter(|s| *s != "manifest") {
            assert!(
                manifest.contains(&format!("file.{stem},bulk")),
                "manifest must list {stem} as bulk:\n{manifest}"
            );
        }
    }
    let roles = sb.read("out/lms/roles.csv");
    assert!(
        roles.contains("E1001-12345678,active,,E1001,primary,student,,,12345678,"),
        "{roles}"
    );
    let classes = sb.read("out/lms/classes.csv");
    let courses = sb.read("out/lms/courses.csv");
    for line in classes.lines().skip(1) {
        let course = line.split(',').nth(5).unwrap();
        assert!(
            courses
                .lines()
                .any(|c| c.starts_with(&format!("{course},"))),
            "class {line} names course {course}, which courses.csv lacks"
        );
    }
}

#[test]
fn sds_gets_exactly_its_six_files_with_the_sample_headers() {
    let sb = with_targets(BOTH);
    let out = sb.apply(&[]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let expected: BTreeSet<String> = [
        "orgs.csv",
        "users.csv",
        "roles.csv",
        "classes.csv",
        "enrollments.csv",
        "academicSessions.csv",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(names_in(&sb.path("out/teams")), expected);
    let samples = fixture("sds-2.1");
    for file in &expected {
        let sample = std::fs::read_to_string(samples.join(file)).unwrap();
        assert_eq!(
            first_line(&sb.read(&format!("out/teams/{file}"))),
            first_line(&sample),
            "{file} header"
        );
    }
    let users = sb.read("out/teams/users.csv");
    assert!(
        users.contains("E1001,asa.oberg@elev.example.se,Åsa,Öberg,,,asa.oberg@elev.example.se,,"),
        "{users}"
    );
    let sessions = sb.read("out/teams/academicSessions.csv");
    assert!(
        sessions.contains("2026/27,Läsår 2026/27,schoolYear,2026,2026-07-01,2027-06-30"),
        "{sessions}"
    );
}

#[test]
fn sds_keeps_its_file_set_when_a_file_has_no_rows_and_drops_the_trash() {
    let sb = with_targets(BOTH);
    // No groups in the export at all: SDS still gets classes and enrollments, with headers.
    let header = sb
        .read_cp1252("data/grupper.csv")
        .lines()
        .next()
        .unwrap()
        .to_string();
    sb.write_cp1252("data/grupper.csv", &format!("{header}\n"));
    let out = sb.apply(&[]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(names_in(&sb.path("out/teams")).len(), 6);
    for (file, header) in [
        (
            "classes.csv",
            "sourcedId,orgSourcedId,title,sessionSourcedIds,courseSourcedId",
        ),
        ("enrollments.csv", "classSourcedId,userSourcedId,role"),
        (
            "academicSessions.csv",
            "sourcedId,title,type,schoolYear,startDate,endDate",
        ),
    ] {
        assert_eq!(
            sb.read(&format!("out/teams/{file}")).trim_end(),
            header,
            "{file}"
        );
    }
    // A pupil leaves: trashed, so SDS no longer gets them; OneRoster marks them.
    sb.drop_pupils(&["E1001"]);
    let out = sb.apply(&[]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let users = sb.read("out/teams/users.csv");
    assert!(
        !users.contains("E1001,"),
        "a trashed pupil is left out of SDS:\n{users}"
    );
    assert!(!sb.read("out/teams/roles.csv").contains("E1001,"));
    let lms = sb.read("out/lms/users.csv");
    assert!(
        lms.lines()
            .any(|l| l.starts_with("E1001,tobedeleted,,FALSE,")),
        "OneRoster 1.2 marks the trashed pupil:\n{lms}"
    );
}

/// Adds an SDS target, which refuses the example's usernames (they lack the domain), and
/// applies: the run fails. Returns its errors.
fn apply_with_sds_refused(sb: &Sandbox) -> String {
    sb.edit(
        "pipeline.yaml",
        "targets:\n",
        "targets:\n  teams:\n    type: sds-2.1\n    path: out/teams\n",
    );
    let out = sb.apply(&[]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    stderr(&out)
}

#[test]
fn sds_refuses_a_username_without_its_domain_and_writes_nothing() {
    let sb = Sandbox::example();
    let err = apply_with_sds_refused(&sb);
    assert!(
        err.contains("has username `asa.oberg`; SDS needs the username"),
        "{err}"
    );
    assert!(
        !sb.path("out").exists(),
        "no target is written, Skolon neither"
    );
    assert!(!sb.path("state/extens-ad.db").exists());
}

/// Validates a document with xmllint against the PIFU-IMS schema. xmllint is a test peer
/// (`scripts/peers/install.sh` installs it): when it is missing the test fails, it is not skipped.
fn assert_valid_pifu(path: &Path) {
    let xsd = fixture("pifu-ims/PIFU-IMS_SAS.xsd");
    let out = std::process::Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&xsd)
        .arg(path)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "xmllint is needed to validate PIFU-IMS files (apt-get install libxml2-utils): {e}"
            )
        });
    assert!(
        out.status.success(),
        "{} does not validate against PIFU-IMS_SAS.xsd:\n{}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

const PIFU_FULL: &str = "  itslearning:\n    type: pifu-ims\n    path: out/itslearning\n    pifu: { source: extens-ad }\n";
const PIFU_DELTA: &str = "  itslearning:\n    type: pifu-ims\n    path: out/itslearning\n    pifu: { document: delta, source: extens-ad }\n";

#[test]
fn the_schema_sample_validates_so_the_validator_is_real() {
    assert_valid_pifu(&fixture("pifu-ims/PIFU-IMS_SAS_eksempel.xml"));
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.xml");
    let sample = std::fs::read_to_string(fixture("pifu-ims/PIFU-IMS_SAS_eksempel.xml")).unwrap();
    std::fs::write(
        &bad,
        sample.replacen("<type>full</type>", "<type>fully</type>", 1),
    )
    .unwrap();
    let out = std::process::Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(fixture("pifu-ims/PIFU-IMS_SAS.xsd"))
        .arg(&bad)
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "xmllint must reject a document outside the schema"
    );
}

#[test]
fn a_full_pifu_document_validates_and_leaves_out_the_trash() {
    let sb = with_targets(PIFU_FULL);
    sb.apply(&[]).assert().success();
    let doc = sb.path("out/itslearning/enterprise.xml");
    assert_valid_pifu(&doc);
    let xml = sb.read("out/itslearning/enterprise.xml");
    assert!(xml.contains("<type>full</type>"), "{xml}");
    assert!(
        !xml.contains("recstatus"),
        "a full document has no recstatus"
    );
    for needle in [
        "<typevalue level=\"2\">skole</typevalue>",
        "<typevalue level=\"1\">basisgruppe</typevalue>",
        "<typevalue level=\"2\">undervisningsgruppe</typevalue>",
        "<adminperiod>2026/2027</adminperiod>",
        "<id>E1001</id>",
        "<role roletype=\"01\">",
        "<role roletype=\"02\">",
    ] {
        assert!(xml.contains(needle), "missing {needle}:\n{xml}");
    }
    sb.drop_pupils(&["E1001"]);
    sb.apply(&[]).assert().success();
    assert_valid_pifu(&doc);
    let xml = sb.read("out/itslearning/enterprise.xml");
    assert!(
        !xml.contains("<id>E1001</id>"),
        "the trashed pupil is left out:\n{xml}"
    );
}

#[test]
fn delta_pifu_documents_carry_recstatus_and_key_changes() {
    let sb = with_targets(PIFU_DELTA);
    sb.apply(&[]).assert().success();
    let first = sb.path("out/itslearning/delta-000001.xml");
    assert_valid_pifu(&first);
    let xml = std::fs::read_to_string(&first).unwrap();
    assert!(xml.contains("<type>delta</type>"));
    assert!(xml.contains("<person recstatus=\"1\">"), "{xml}");
    assert!(!xml.contains("recstatus=\"3\""), "{xml}");

    // E1001 leaves, and E1002 gets a new register id but keeps their account (a re-key).
    let lines = sb.read_cp1252("data/elever.csv");
    let kept: Vec<String> = lines
        .lines()
        .filter(|l| !l.starts_with("E1001;"))
        .map(|l| l.replacen("E1002;", "E1099;", 1))
        .collect();
    sb.write_cp1252("data/elever.csv", &(kept.join("\n") + "\n"));
    let members = sb
        .read_cp1252("data/medlemskap.csv")
        .replace(";E1002;", ";E1099;");
    sb.write_cp1252("data/medlemskap.csv", &members);
    sb.apply(&[
        "--allow",
        "delete.membership=100",
        "--allow",
        "remove_members=100",
    ])
    .assert()
    .success();
    let second = sb.path("out/itslearning/delta-000002.xml");
    assert_valid_pifu(&second);
    let xml = std::fs::read_to_string(&second).unwrap();
    assert!(
        xml.contains("<person recstatus=\"3\">\n    <sourcedid>\n      <source>extens-ad</source>\n      <id>E1001</id>"),
        "the pupil who left is deleted:\n{xml}"
    );
    assert!(
        xml.contains("<sourcedid sourcedidtype=\"Old\">\n      <source>extens-ad</source>\n      <id>E1002</id>"),
        "the re-key names the old id:\n{xml}"
    );
    assert!(xml.contains("<sourcedid sourcedidtype=\"New\">"), "{xml}");
    assert!(
        xml.contains("<role recstatus=\"3\" roletype=\"01\">"),
        "{xml}"
    );
    assert!(
        !xml.contains("<id>E1005</id>"),
        "unchanged pupils are not in a delta:\n{xml}"
    );
}

#[test]
fn a_pifu_target_sends_the_personnummer_only_when_told_to() {
    let pnr = "201503121236";
    let with_civic_no = |send: &str| {
        let sb = with_targets(
            &PIFU_FULL.replace("source: extens-ad", &format!("source: extens-ad{send}")),
        );
        sb.edit(
            "../../mappings/extens-ad.map",
            "  grade      = e.Årskurs",
            "  grade      = e.Årskurs\n  civicNo    = pnr(e.Personnummer) ?? null",
        );
        sb.apply(&[]).assert().success();
        assert_valid_pifu(&sb.path("out/itslearning/enterprise.xml"));
        sb.read("out/itslearning/enterprise.xml")
    };
    assert!(!with_civic_no("").contains(pnr));
    let sent = with_civic_no(", send: [civicNo]");
    assert!(
        sent.contains(&format!("<userid useridtype=\"personNIN\">{pnr}</userid>")),
        "{sent}"
    );
}

#[test]
fn a_pifu_document_that_would_not_validate_is_not_written() {
    let sb = with_targets(PIFU_FULL);
    sb.edit(
        "../../mappings/extens-ad.map",
        "  email      = a.mail ?? slug(e.Förnamn)",
        "  email      = \"nobody\" ?? slug(e.Förnamn)",
    );
    let out = sb.apply(&[]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("has e-mail `nobody`, which PIFU-IMS does not accept"),
        "{err}"
    );
    assert!(
        !sb.path("out").exists(),
        "nothing is written, Skolon neither"
    );
}

#[test]
fn format_settings_are_checked_where_they_are_written() {
    let sb = Sandbox::example();
    sb.edit(
        "pipeline.yaml",
        "    type: oneroster-1.1\n",
        "    type: oneroster-1.1\n    pifu: { document: full }\n",
    );
    sb.edit(
        "pipeline.yaml",
        "targets:\n",
        "targets:\n  lms:\n    type: pifu-ims\n    path: out/lms\n    pifu: { document: weekly, source: a-source-name-that-is-far-too-long-for-pifu, send: [civicNr] }\n",
    );
    let out = sb.etl(&["validate", "pipeline.yaml"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    for needle in [
        "`pifu:` applies only to targets of type `pifu-ims`",
        "unknown document type `weekly`",
        "`civicNr` is not a sensitive person field",
        "did you mean `civicNo`",
        "pipeline.yaml:",
    ] {
        assert!(err.contains(needle), "missing {needle:?} in:\n{err}");
    }
}

#[test]
fn a_target_that_cannot_be_rendered_leaves_state_as_it_was() {
    // State is staged while the targets are rendered: a render that fails must roll it back.
    let sb = Sandbox::example();
    sb.apply(&[]).assert().success();
    let before = sb.state_rows();
    assert!(before.iter().any(|r| r.starts_with("skolonperson")));
    sb.drop_pupils(&["E1002"]);
    let err = apply_with_sds_refused(&sb);
    assert!(err.contains("SDS needs the username"), "{err}");
    assert_eq!(sb.state_rows(), before, "state is as day 1 left it");
    assert!(!sb.path("out/teams").exists());
}

#[test]
fn a_target_that_cannot_be_written_leaves_state_as_it_was() {
    // State is staged while the files are written: it commits only once they are.
    let sb = Sandbox::example();
    sb.apply(&[]).assert().success();
    let before = sb.state_rows();
    sb.drop_pupils(&["E1002"]);
    std::fs::remove_dir_all(sb.path("out/skolon")).unwrap();
    std::fs::write(
        sb.path("out/skolon"),
        "a file where the target's folder was",
    )
    .unwrap();
    let out = sb.apply(&[]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("skolon"), "{}", stderr(&out));
    assert_eq!(sb.state_rows(), before, "state is as day 1 left it");
}
