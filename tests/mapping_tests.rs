//! `etl test`: the bundled example's mapping unit tests pass, and a test that should fail
//! does, pointing at the failing expectation in the test file; mistakes in a test file are
//! reported at their place; nothing is read from the sources and nothing is written.

mod common;

use common::{Sandbox, stderr, stdout};

fn etl_test(sb: &Sandbox) -> std::process::Output {
    sb.etl(&["test", "pipeline.yaml"]).output().unwrap()
}

#[test]
fn the_example_tests_pass_and_write_nothing() {
    let sb = Sandbox::example();
    let out = etl_test(&sb);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("ok    a pupil gone from the register is trashed in Skolon, not deleted"),
        "{text}"
    );
    assert!(text.ends_with("6 test(s): 6 passed, 0 failed.\n"), "{text}");
    assert!(!sb.path("state").exists() && !sb.path("out").exists());
}

#[test]
fn a_changed_mapping_fails_the_test_that_covers_it_at_its_expectation() {
    let sb = Sandbox::example();
    sb.edit(
        "../../mappings/extens-ad.map",
        "\"@elev.example.se\"",
        "\"@skola.example.se\"",
    );
    let out = etl_test(&sb);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("FAIL  a pupil AD does not know gets a generated e-mail"),
        "{text}"
    );
    assert!(
        text.contains("ok    a pupil found in AD gets the directory's e-mail and account"),
        "{text}"
    );
    assert!(text.ends_with("6 test(s): 5 passed, 1 failed.\n"), "{text}");
    let err = stderr(&out);
    assert!(err.contains("E0606"), "{err}");
    assert!(
        err.contains("person `E9002`: `email` is `liam.berg@skola.example.se`, expected `liam.berg@elev.example.se`"),
        "{err}"
    );
    common::assert_doc_shows(
        "docs/mapping-tests.md",
        "FAIL  a pupil AD does not know",
        // The FAIL line is on stdout; its diagnostic follows on stderr.
        &format!("{text}{err}"),
    );
    assert!(
        err.contains("[pipeline.tests.yaml:23:25]"),
        "points at the expectation: {err}"
    );
}

#[test]
fn a_record_that_is_not_made_says_why_its_rows_were_left_out() {
    let sb = Sandbox::example();
    sb.edit(
        "pipeline.tests.yaml",
        "    absent:\n      person: [E9003]",
        "    expect:\n      person:\n        E9003: { role: pupil }",
    );
    let out = etl_test(&sb);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("person `E9003` is not in the roster"), "{err}");
    assert!(
        err.contains("left out in this test: pipeline.tests.yaml:29: the `where` at"),
        "{err}"
    );
}

#[test]
fn plan_expectations_are_checked_per_target() {
    let sb = Sandbox::example();
    sb.edit("pipeline.tests.yaml", "E9002: trash", "E9002: delete");
    let out = etl_test(&sb);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("target skolon: person `E9002` gets `trash`, expected `delete`"),
        "{err}"
    );
}

#[test]
fn mistakes_in_a_test_file_are_each_shown_at_their_place() {
    let sb = Sandbox::example();
    std::fs::write(
        sb.path("broken.tests.yaml"),
        "tests:\n  - name: typos\n    given:\n      extens.elevr:\n        - { ElevId: E1 }\n      extens.personal:\n        - { PersonalID: P1 }\n    expect:\n      persn:\n        E1: {}\n      group:\n        G1: { nmae: x }\n    plan:\n      skolom:\n        person: { E1: create }\n",
    )
    .unwrap();
    let out = sb
        .etl(&["test", "pipeline.yaml", "broken.tests.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    for expected in [
        "the mappings read no dataset `extens.elevr`",
        "did you mean `extens.elever`?",
        "extens.personal has no column `PersonalID`",
        "did you mean `PersonalId`?",
        "[broken.tests.yaml:4:7]",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in\n{err}");
    }
    // With the rows right, the expectations' own mistakes are reported.
    std::fs::write(
        sb.path("broken.tests.yaml"),
        "tests:\n  - name: typos\n    expect:\n      persn:\n        E1: {}\n      group:\n        G1: { nmae: x }\n    plan:\n      skolom:\n        person: { E1: creat }\n",
    )
    .unwrap();
    let out = sb
        .etl(&["test", "pipeline.yaml", "broken.tests.yaml"])
        .output()
        .unwrap();
    let err = stderr(&out);
    for expected in [
        "unknown entity `persn`",
        "did you mean `person`?",
        "the pipeline has no target `skolom`",
        "did you mean `skolon`?",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in\n{err}");
    }
}

#[test]
fn a_test_file_that_is_not_there_or_not_a_test_file_is_an_error() {
    let sb = Sandbox::example();
    let out = sb
        .etl(&["test", "pipeline.yaml", "missing.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("cannot read the test file missing.yaml"),
        "{}",
        stderr(&out)
    );
    std::fs::write(sb.path("bad.yaml"), "tests:\n  - nme: x\n").unwrap();
    let out = sb
        .etl(&["test", "pipeline.yaml", "bad.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("unknown field `nme`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn the_ss12000_tests_pass_without_contacting_the_server() {
    let sb = Sandbox::of("ss12000");
    // Port 9 (discard) on loopback: any request would fail the run.
    let out = sb
        .etl(&["test", "pipeline.yaml"])
        .env("SS12000_URL", "http://127.0.0.1:9/v2.0")
        .env("SS12000_TOKEN", "unused")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).ends_with("3 test(s): 3 passed, 0 failed.\n"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn the_docs_show_the_example_tests_as_they_are() {
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(repo.join("docs/mapping-tests.md")).unwrap();
    let tests =
        std::fs::read_to_string(repo.join("examples/extens-ad/pipeline.tests.yaml")).unwrap();
    assert!(
        doc.contains(&tests),
        "docs/mapping-tests.md must show examples/extens-ad/pipeline.tests.yaml as it is"
    );
}

#[test]
fn the_ldap_pipeline_passes_the_same_tests_without_contacting_the_directory() {
    let sb = Sandbox::example();
    let out = sb
        .etl(&["test", "pipeline-ldap.yaml", "pipeline.tests.yaml"])
        .env("AD_URL", "ldap://127.0.0.1:9")
        .env("AD_PASSWORD", "unused")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).ends_with("6 test(s): 6 passed, 0 failed.\n"),
        "{}",
        stdout(&out)
    );
}
