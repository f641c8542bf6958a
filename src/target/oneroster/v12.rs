//! OneRoster 1.2 CSV: roles move from `users.csv` to `roles.csv`, and every class names a
//! course, so each group gets a course of its own in `courses.csv`.

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
    "userMasterIdentifier",
    "preferredGivenName",
    "preferredMiddleName",
    "preferredFamilyName",
    "primaryOrgSourcedId",
    "pronouns",
];
pub const ROLES: &[&str] = &[
    "sourcedId",
    "status",
    "dateLastModified",
    "userSourcedId",
    "roleType",
    "role",
    "beginDate",
    "endDate",
    "orgSourcedId",
    "userProfileSourcedId",
];
pub const COURSES: &[&str] = &[
    "sourcedId",
    "status",
    "dateLastModified",
    "schoolYearSourcedId",
    "title",
    "courseCode",
    "grades",
    "orgSourcedId",
    "subjects",
    "subjectCodes",
];

const KNOWN: &[&str] = &[
    "academicSessions",
    "categories",
    "classResources",
    "classes",
    "courseResources",
    "courses",
    "demographics",
    "enrollments",
    "lineItemLearningObjectiveIds",
    "lineItemScoreScales",
    "lineItems",
    "orgs",
    "resources",
    "resultLearningObjectiveIds",
    "resultScoreScales",
    "results",
    "roles",
    "scoreScales",
    "userProfiles",
    "userResources",
    "users",
];
const WRITTEN: &[&str] = &[
    "academicSessions",
    "classes",
    "courses",
    "enrollments",
    "orgs",
    "roles",
    "users",
];

/// Renders all files; an error names the record that cannot be expressed in OneRoster.
pub fn render(held: &Held, out: &mut Staged) -> Result<(), String> {
    let mut tables = shared::tables(held, out, ("1.2", KNOWN, WRITTEN))?;
    tables.push(users(held, out.table("users.csv", USERS)));
    tables.push(roles(held, out.table("roles.csv", ROLES)));
    tables.push(courses(held, out.table("courses.csv", COURSES)));
    finish(tables)
}

/// 1.2 roles include `principal`; other staff are `aide`.
const ROLE_WORDS: RoleWords = RoleWords {
    pupil: "student",
    teacher: "teacher",
    principal: "principal",
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
            "",
            "",
            "",
            "",
            f(r, k, "school"),
            "",
        ]);
    }
    rows
}

/// One primary role per person at their school; a person without a school has no role row.
fn roles(held: &Held, mut rows: Table) -> Table {
    let k = EntityKind::Person;
    for (key, r) in held.records(k) {
        let Some(school) = r.get(k, "school") else {
            continue;
        };
        rows.push(&[
            &format!("{key}-{school}"),
            status(r),
            "",
            key,
            "primary",
            person_role(r, &ROLE_WORDS),
            "",
            "",
            school,
            "",
        ]);
    }
    rows
}

/// A course per group (OneRoster 1.2 requires every class to name one).
fn courses(held: &Held, mut rows: Table) -> Table {
    let k = EntityKind::Group;
    for (key, r) in held.records(k) {
        rows.push(&[
            key,
            status(r),
            "",
            f(r, k, "schoolYear"),
            f(r, k, "name"),
            "",
            "",
            f(r, k, "school"),
            "",
            "",
        ]);
    }
    rows
}
