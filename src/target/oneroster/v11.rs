//! OneRoster 1.1 CSV: the user's role and school sit on `users.csv`.

use super::shared::{self, enabled, status};
use crate::diff::Held;
use crate::model::EntityKind;
use crate::target::folder::Staged;
use crate::target::table::{RoleWords, Table, f, finish, person_role};

pub const USERS: &[&str] = &[
    "sourcedId",
    "status",
    "dateLastModified",
    "enabledUser",
    "orgSourcedIds",
    "role",
    "username",
    "userIds",
    "givenName",
    "familyName",
    "middleName",
    "identifier",
    "email",
    "sms",
    "phone",
    "agentSourcedIds",
    "grades",
    "password",
];

const KNOWN: &[&str] = &[
    "academicSessions",
    "categories",
    "classes",
    "classResources",
    "courses",
    "courseResources",
    "demographics",
    "enrollments",
    "lineItems",
    "orgs",
    "resources",
    "results",
    "users",
];
const WRITTEN: &[&str] = &[
    "academicSessions",
    "classes",
    "enrollments",
    "orgs",
    "users",
];

/// Renders all files; an error names the record that cannot be expressed in OneRoster.
pub fn render(held: &Held, out: &mut Staged) -> Result<(), String> {
    let mut tables = shared::tables(held, out, ("1.1", KNOWN, WRITTEN))?;
    tables.push(users(held, out.table("users.csv", USERS)));
    finish(tables)
}

/// 1.1 roles: `student`, `teacher`, `administrator`, `aide`.
const ROLE_WORDS: RoleWords = RoleWords {
    pupil: "student",
    teacher: "teacher",
    principal: "administrator",
    staff: "aide",
};

fn users(held: &Held, mut rows: Table) -> Table {
    let k = EntityKind::Person;
    for (key, r) in held.records(k) {
        rows.push(&[
            key,
            status(r),
            "",
            enabled(r),
            f(r, k, "school"),
            person_role(r, &ROLE_WORDS),
            f(r, k, "username"),
            "",
            f(r, k, "givenName"),
            f(r, k, "familyName"),
            "",
            "",
            f(r, k, "email"),
            "",
            "",
            "",
            f(r, k, "grade"),
            "",
        ]);
    }
    rows
}
