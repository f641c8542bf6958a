//! A state written in the previous format (4: one row per record) through the real binary:
//! `etl plan` reads it as it is, and the next `etl apply` rewrites it into chunks (format 5)
//! holding what a state that was never downgraded holds.

mod common;

use common::Sandbox;
use predicates::prelude::*;
use roster_etl::state::State;

const STATE: &str = "state/extens-ad.db";

/// Rewrites the sandbox's state as format 4 wrote it: one `records` row per record.
fn downgrade_to_format_4(sb: &Sandbox) {
    let path = sb.path(STATE);
    let state = State::open_existing(&path).unwrap().expect("a state");
    let db = rusqlite::Connection::open(&path).unwrap();
    let targets: Vec<String> = db
        .prepare("SELECT name FROM targets")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    db.execute_batch(roster_etl::state::FORMAT_4_RECORDS_TABLE)
        .unwrap();
    let mut rows = 0;
    for target in &targets {
        for (kind, records) in state.records(target).unwrap() {
            for (key, record) in records.iter() {
                db.execute(
                    "INSERT INTO records VALUES (?1, ?2, ?3, 0, ?4, ?5, ?6)",
                    rusqlite::params![
                        target,
                        kind.name(),
                        key,
                        record.fields.as_blob(),
                        record.status.name(),
                        record.status.due().map(|d| d.to_string())
                    ],
                )
                .unwrap();
                rows += 1;
            }
        }
    }
    assert!(rows > 20, "the example's state has records: {rows}");
    db.execute_batch("DROP TABLE chunks; PRAGMA user_version = 4;")
        .unwrap();
}

fn format(sb: &Sandbox) -> (i64, bool) {
    let db = rusqlite::Connection::open(sb.path(STATE)).unwrap();
    let version = db
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    let rows: bool = db
        .query_row(
            "SELECT count(*) > 0 FROM sqlite_master WHERE name = 'records'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    (version, rows)
}

#[test]
fn a_format_4_state_is_read_by_plan_and_upgraded_by_apply() {
    let sb = Sandbox::example();
    let control = Sandbox::example();
    for s in [&sb, &control] {
        s.apply(&[]).assert().success();
    }
    let written = sb.state_rows();
    downgrade_to_format_4(&sb);
    assert_eq!(format(&sb), (4, true));
    assert_eq!(sb.state_rows(), written, "format 4 holds the same records");

    sb.plan(&[])
        .assert()
        .success()
        .stdout(predicate::str::contains("No changes."));
    assert_eq!(format(&sb), (4, true), "a plan does not write");

    for s in [&sb, &control] {
        s.drop_pupils(&["E1002"]);
        s.apply(&[]).assert().success();
    }
    assert_eq!(format(&sb), (5, false), "upgraded: chunks, no rows");
    assert_eq!(sb.state_rows(), control.state_rows());
    assert_ne!(sb.state_rows(), written, "the pupil's leaving is recorded");
    sb.plan(&[])
        .assert()
        .success()
        .stdout(predicate::str::contains("No changes."));
}
