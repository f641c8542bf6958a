//! What OneRoster 1.1 and 1.2 share: orgs, academicSessions, classes and enrollments have
//! the same headers in both; the manifest differs only in its list of files.

use crate::diff::Held;
use crate::model::{EntityKind, RecordRef, Status};
use crate::target::folder::Staged;
use crate::target::school_year;
use crate::target::table::{Table, enrollment_role, f, org_type};
use std::collections::BTreeSet;

const MANIFEST: &[&str] = &["propertyName", "value"];
pub const ORGS: &[&str] = &[
    "sourcedId",
    "status",
    "dateLastModified",
    "name",
    "type",
    "identifier",
    "parentSourcedId",
];
pub const SESSIONS: &[&str] = &[
    "sourcedId",
    "status",
    "dateLastModified",
    "title",
    "type",
    "startDate",
    "endDate",
    "parentSourcedId",
    "schoolYear",
];
pub const CLASSES: &[&str] = &[
    "sourcedId",
    "status",
    "dateLastModified",
    "title",
    "grades",
    "courseSourcedId",
    "classCode",
    "classType",
    "location",
    "schoolSourcedId",
    "termSourcedIds",
    "subjects",
    "subjectCodes",
    "periods",
];
pub const ENROLLMENTS: &[&str] = &[
    "sourcedId",
    "status",
    "dateLastModified",
    "classSourcedId",
    "schoolSourcedId",
    "userSourcedId",
    "role",
    "primary",
    "beginDate",
    "endDate",
];

/// The files both versions write alike: the manifest (of `version`, naming the `known` and
/// `written` files), orgs, academic sessions, classes and enrollments.
pub fn tables(
    held: &Held,
    out: &mut Staged,
    (version, known, written): (&str, &[&str], &[&str]),
) -> Result<Vec<Table>, String> {
    Ok(vec![
        manifest(version, known, written, out.table("manifest.csv", MANIFEST)),
        orgs(held, out.table("orgs.csv", ORGS)),
        sessions(held, out.table("academicSessions.csv", SESSIONS))?,
        classes(held, out.table("classes.csv", CLASSES)),
        enrollments(held, out.table("enrollments.csv", ENROLLMENTS)),
    ])
}

/// `manifest.csv`: the version, then `file.NAME` = `bulk` for each file written and
/// `absent` for every other file the version knows.
fn manifest(version: &str, known: &[&str], written: &[&str], mut rows: Table) -> Table {
    rows.push(&["manifest.version", "1.0"]);
    rows.push(&["oneroster.version", version]);
    for name in known {
        let mode = if written.contains(name) {
            "bulk"
        } else {
            "absent"
        };
        rows.push(&[&format!("file.{name}"), mode]);
    }
    rows.push(&["source.systemCode", "roster-etl"]);
    rows.push(&["source.systemName", "roster-etl"]);
    rows
}

fn orgs(held: &Held, mut rows: Table) -> Table {
    let k = EntityKind::Organisation;
    for (key, r) in held.records(k) {
        let kind = org_type(r);
        rows.push(&[
            key,
            status(r),
            "",
            f(r, k, "name"),
            kind,
            f(r, k, "code"),
            f(r, k, "parent"),
        ]);
    }
    rows
}

/// The school years the groups name, each one an academic session.
pub fn school_years(held: &Held) -> BTreeSet<String> {
    held.records(EntityKind::Group)
        .filter_map(|(_, g)| g.get(EntityKind::Group, "schoolYear"))
        .map(str::to_string)
        .collect()
}

fn sessions(held: &Held, mut rows: Table) -> Result<Table, String> {
    for year in school_years(held) {
        let (start, end) = school_year::dates(&year)?;
        let last = &end[..4];
        rows.push(&[
            &year,
            "active",
            "",
            &format!("Läsår {year}"),
            "schoolYear",
            &start,
            &end,
            "",
            last,
        ]);
    }
    Ok(rows)
}

fn classes(held: &Held, mut rows: Table) -> Table {
    let k = EntityKind::Group;
    for (key, r) in held.records(k) {
        let class_type = if r.get(k, "type") == Some("class") {
            "homeroom"
        } else {
            "scheduled"
        };
        rows.push(&[
            key,
            status(r),
            "",
            f(r, k, "name"),
            "",
            key,
            "",
            class_type,
            "",
            f(r, k, "school"),
            f(r, k, "schoolYear"),
            "",
            "",
            "",
        ]);
    }
    rows
}

fn enrollments(held: &Held, mut rows: Table) -> Table {
    let k = EntityKind::Membership;
    // Each group's school, as the target holds the groups after this run.
    let schools: foldhash::HashMap<&str, &str> = held
        .records(EntityKind::Group)
        .filter_map(|(key, g)| Some((key, g.get(EntityKind::Group, "school")?)))
        .collect();
    // Scanned, not kept: memberships are most of what a target holds.
    held.each(k, |key, r| {
        let school = schools.get(f(r, k, "group")).copied().unwrap_or("");
        let role = enrollment_role(r);
        rows.push(&[
            key,
            status(r),
            "",
            f(r, k, "group"),
            school,
            f(r, k, "person"),
            role,
            "false",
            f(r, k, "start"),
            f(r, k, "end"),
        ]);
    });
    rows
}

/// A user's `enabledUser`: a trashed account is disabled.
pub fn enabled(r: RecordRef) -> &'static str {
    if r.status == Status::Trashed {
        "FALSE"
    } else {
        "TRUE"
    }
}

/// OneRoster's own deactivation: a trashed record is `tobedeleted`. An archived class stays
/// `active` with its old school year as its term (OneRoster has no archive flag); a pending
/// delete stays `active` until it is due.
pub fn status(r: RecordRef) -> &'static str {
    match r.status {
        Status::Trashed => "tobedeleted",
        _ => "active",
    }
}
