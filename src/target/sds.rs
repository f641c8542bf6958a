//! Microsoft School Data Sync, CSV format v2.1. Headers are case-sensitive and follow the
//! sample set in `tests/fixtures/sds-2.1/`. SDS marks a record inactive when it is missing
//! from the next upload, and does the same to every record of a file that is missing, so
//! every run writes the same six files, with a header even when they are empty. A trashed
//! record is left out: that is SDS's own deactivation. Dates are ISO 8601, as Microsoft
//! recommends.

use crate::diff::Held;
use crate::model::{EntityKind, RecordRef, Status};
use crate::target::folder::Staged;
use crate::target::school_year;
use crate::target::table::{RoleWords, Table, enrollment_role, f, finish, org_type, person_role};

pub const ORGS: &[&str] = &["sourcedId", "name", "type", "parentSourcedId"];
pub const USERS: &[&str] = &[
    "sourcedId",
    "username",
    "givenName",
    "familyName",
    "password",
    "activeDirectoryMatchId",
    "email",
    "phone",
    "sms",
];
pub const ROLES: &[&str] = &[
    "userSourcedId",
    "orgSourcedId",
    "role",
    "sessionSourcedId",
    "grade",
    "isPrimary",
    "roleStartDate",
    "roleEndDate",
];
pub const CLASSES: &[&str] = &[
    "sourcedId",
    "orgSourcedId",
    "title",
    "sessionSourcedIds",
    "courseSourcedId",
];
pub const ENROLLMENTS: &[&str] = &["classSourcedId", "userSourcedId", "role"];
pub const SESSIONS: &[&str] = &[
    "sourcedId",
    "title",
    "type",
    "schoolYear",
    "startDate",
    "endDate",
];

/// The files SDS gets on every run, in this order.
pub const FILES: &[&str] = &[
    "orgs.csv",
    "users.csv",
    "roles.csv",
    "classes.csv",
    "enrollments.csv",
    "academicSessions.csv",
];

pub fn render(held: &Held, out: &mut Staged) -> Result<(), String> {
    finish(vec![
        orgs(held, out.table(FILES[0], ORGS)),
        users(held, out.table(FILES[1], USERS))?,
        roles(held, out.table(FILES[2], ROLES)),
        classes(held, out.table(FILES[3], CLASSES)),
        enrollments(held, out.table(FILES[4], ENROLLMENTS)),
        sessions(held, out.table(FILES[5], SESSIONS))?,
    ])
}

/// Records SDS should still see: everything but the trash.
fn live<'a>(held: &Held<'a>, kind: EntityKind) -> impl Iterator<Item = (&'a str, RecordRef<'a>)> {
    held.records(kind)
        .filter(|(_, r)| r.status != Status::Trashed)
}

fn orgs(held: &Held, mut rows: Table) -> Table {
    let k = EntityKind::Organisation;
    for (key, r) in live(held, k) {
        let kind = org_type(r);
        rows.push(&[key, f(r, k, "name"), kind, f(r, k, "parent")]);
    }
    rows
}

fn users(held: &Held, mut rows: Table) -> Result<Table, String> {
    let k = EntityKind::Person;
    for (key, r) in live(held, k) {
        let username = f(r, k, "username");
        if !username.contains('@') {
            return Err(format!(
                "person `{}` has username `{username}`; SDS needs the username with its domain (name@school.example)",
                key
            ));
        }
        rows.push(&[
            key,
            username,
            f(r, k, "givenName"),
            f(r, k, "familyName"),
            "",
            "",
            f(r, k, "email"),
            "",
            "",
        ]);
    }
    Ok(rows)
}

/// SDS roles: `student`, `teacher`, `principal`, `staff`.
const ROLE_WORDS: RoleWords = RoleWords {
    pupil: "student",
    teacher: "teacher",
    principal: "principal",
    staff: "staff",
};

/// SDS grades are `01` to `13` (and a few words); a grade that is not a number from 1 to 13
/// is left out rather than sent as something SDS rejects.
fn grade(r: RecordRef) -> String {
    match r.get(EntityKind::Person, "grade").map(str::trim) {
        Some(g) => match g.parse::<u8>() {
            Ok(n @ 1..=13) => format!("{n:02}"),
            _ => String::new(),
        },
        None => String::new(),
    }
}

fn roles(held: &Held, mut rows: Table) -> Table {
    let k = EntityKind::Person;
    for (key, r) in live(held, k) {
        let Some(school) = r.get(k, "school") else {
            continue;
        };
        rows.push(&[
            key,
            school,
            person_role(r, &ROLE_WORDS),
            "",
            &grade(r),
            "TRUE",
            "",
            "",
        ]);
    }
    rows
}

fn classes(held: &Held, mut rows: Table) -> Table {
    let k = EntityKind::Group;
    for (key, r) in live(held, k) {
        rows.push(&[
            key,
            f(r, k, "school"),
            f(r, k, "name"),
            f(r, k, "schoolYear"),
            "",
        ]);
    }
    rows
}

fn enrollments(held: &Held, mut rows: Table) -> Table {
    let k = EntityKind::Membership;
    // Scanned, not kept: memberships are most of what a target holds.
    held.each(k, |_, r| {
        if r.status != Status::Trashed {
            let role = enrollment_role(r);
            rows.push(&[f(r, k, "group"), f(r, k, "person"), role]);
        }
    });
    rows
}

/// One session per school year the classes name; SDS's `schoolYear` is the year the
/// session starts in, as in Microsoft's sample (`2021` for 2021-08-24 to 2022-06-11).
fn sessions(held: &Held, mut rows: Table) -> Result<Table, String> {
    let years: std::collections::BTreeSet<&str> = live(held, EntityKind::Group)
        .filter_map(|(_, g)| g.get(EntityKind::Group, "schoolYear"))
        .collect();
    for year in years {
        let (start, end) = school_year::dates(year)?;
        rows.push(&[
            year,
            &format!("Läsår {year}"),
            "schoolYear",
            &start[..4],
            &start,
            &end,
        ]);
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use crate::model::{EntityKind, Record, Status};

    fn pupil(grade: &str) -> Record {
        let k = EntityKind::Person;
        let mut fields = vec![None; k.fields().len()];
        if let Some(i) = k.field_index("grade") {
            fields[i] = Some(grade.to_string());
        }
        Record {
            fields: fields.into(),
            status: Status::Active,
        }
    }

    #[test]
    fn grades_are_two_digits_or_left_out() {
        assert_eq!(super::grade((&pupil("7")).into()), "07");
        assert_eq!(super::grade((&pupil(" 12 ")).into()), "12");
        assert_eq!(super::grade((&pupil("0")).into()), "");
        assert_eq!(super::grade((&pupil("F-klass")).into()), "");
    }
}
