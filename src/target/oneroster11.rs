//! OneRoster 1.1 CSV (bulk): manifest, orgs, academicSessions, users, classes, enrollments.
//! Headers and value formats follow the 1EdTech sample set in `tests/fixtures/oneroster-1.1/`.

use crate::diff::Stored;
use crate::model::{EntityKind, Record, Status};
use std::collections::{BTreeMap, BTreeSet};

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

/// One file: its name and rows (header first).
pub type File = (&'static str, Vec<Vec<String>>);

/// Renders all files; an error names the record that cannot be expressed in OneRoster.
pub fn render(stored: &Stored) -> Result<Vec<File>, String> {
    let view = View { stored };
    Ok(vec![
        ("manifest.csv", manifest()),
        ("orgs.csv", view.orgs()),
        ("academicSessions.csv", view.sessions()?),
        ("users.csv", view.users()),
        ("classes.csv", view.classes()),
        ("enrollments.csv", view.enrollments()),
    ])
}

fn manifest() -> Vec<Vec<String>> {
    let rows = [
        ("propertyName", "value"),
        ("manifest.version", "1.0"),
        ("oneroster.version", "1.1"),
        ("file.academicSessions", "bulk"),
        ("file.categories", "absent"),
        ("file.classes", "bulk"),
        ("file.classResources", "absent"),
        ("file.courses", "absent"),
        ("file.courseResources", "absent"),
        ("file.demographics", "absent"),
        ("file.enrollments", "bulk"),
        ("file.lineItems", "absent"),
        ("file.orgs", "bulk"),
        ("file.resources", "absent"),
        ("file.results", "absent"),
        ("file.users", "bulk"),
        ("source.systemCode", "roster-etl"),
        ("source.systemName", "roster-etl"),
    ];
    rows.iter()
        .map(|(k, v)| vec![k.to_string(), v.to_string()])
        .collect()
}

struct View<'a> {
    stored: &'a Stored,
}

impl View<'_> {
    fn records(&self, kind: EntityKind) -> impl Iterator<Item = &Record> {
        self.stored.get(&kind).into_iter().flat_map(|m| m.values())
    }

    fn orgs(&self) -> Vec<Vec<String>> {
        let k = EntityKind::Organisation;
        let mut rows = vec![header(ORGS)];
        for r in self.records(k) {
            let kind = match r.get(k, "type") {
                Some("owner") => "district",
                _ => "school",
            };
            rows.push(row(&[
                &r.key,
                status(r),
                "",
                f(r, k, "name"),
                kind,
                f(r, k, "code"),
                f(r, k, "parent"),
            ]));
        }
        rows
    }

    fn school_years(&self) -> BTreeSet<String> {
        self.records(EntityKind::Group)
            .filter_map(|g| g.get(EntityKind::Group, "schoolYear"))
            .map(str::to_string)
            .collect()
    }

    fn sessions(&self) -> Result<Vec<Vec<String>>, String> {
        let mut rows = vec![header(SESSIONS)];
        for year in self.school_years() {
            let start = first_year(&year).ok_or_else(|| {
                format!("schoolYear `{year}` is not a school year like `2026/27`; OneRoster needs its dates")
            })?;
            rows.push(row(&[
                &year,
                "active",
                "",
                &format!("Läsår {year}"),
                "schoolYear",
                &format!("{start}-07-01"),
                &format!("{}-06-30", start + 1),
                "",
                &(start + 1).to_string(),
            ]));
        }
        Ok(rows)
    }

    fn users(&self) -> Vec<Vec<String>> {
        let k = EntityKind::Person;
        let mut rows = vec![header(USERS)];
        for r in self.records(k) {
            let role = match r.get(k, "role") {
                Some("pupil") => "student",
                Some("teacher") => "teacher",
                Some("principal") => "administrator",
                _ => "aide",
            };
            let enabled = if r.status == Status::Trashed {
                "FALSE"
            } else {
                "TRUE"
            };
            rows.push(row(&[
                &r.key,
                status(r),
                "",
                enabled,
                f(r, k, "school"),
                role,
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
            ]));
        }
        rows
    }

    fn classes(&self) -> Vec<Vec<String>> {
        let k = EntityKind::Group;
        let mut rows = vec![header(CLASSES)];
        for r in self.records(k) {
            let class_type = if r.get(k, "type") == Some("class") {
                "homeroom"
            } else {
                "scheduled"
            };
            rows.push(row(&[
                &r.key,
                status(r),
                "",
                f(r, k, "name"),
                "",
                &r.key,
                "",
                class_type,
                "",
                f(r, k, "school"),
                f(r, k, "schoolYear"),
                "",
                "",
                "",
            ]));
        }
        rows
    }

    fn enrollments(&self) -> Vec<Vec<String>> {
        let k = EntityKind::Membership;
        let empty = BTreeMap::new();
        let groups = self.stored.get(&EntityKind::Group).unwrap_or(&empty);
        let mut rows = vec![header(ENROLLMENTS)];
        for r in self.records(k) {
            let school = groups
                .get(f(r, k, "group"))
                .and_then(|g| g.get(EntityKind::Group, "school"))
                .unwrap_or("");
            let role = if r.get(k, "role") == Some("teacher") {
                "teacher"
            } else {
                "student"
            };
            rows.push(row(&[
                &r.key,
                status(r),
                "",
                f(r, k, "group"),
                school,
                f(r, k, "person"),
                role,
                "false",
                f(r, k, "start"),
                f(r, k, "end"),
            ]));
        }
        rows
    }
}

/// OneRoster's own deactivation: a trashed record is `tobedeleted`. An archived class stays
/// `active` with its old school year as its term (OneRoster has no archive flag); a pending
/// delete stays `active` until it is due.
fn status(r: &Record) -> &'static str {
    match r.status {
        Status::Trashed => "tobedeleted",
        _ => "active",
    }
}

fn f<'r>(r: &'r Record, kind: EntityKind, field: &str) -> &'r str {
    r.get(kind, field).unwrap_or("")
}

fn header(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

fn row(values: &[&str]) -> Vec<String> {
    values.iter().map(|s| s.to_string()).collect()
}

/// `2026/27`, `2026/2027`, `2026-27` or `2026-2027` -> 2026.
fn first_year(text: &str) -> Option<i32> {
    let (a, b) = text.split_once(['/', '-'])?;
    let start: i32 = a.trim().parse().ok()?;
    let end: i32 = b.trim().parse().ok()?;
    let ok = end == start + 1 || end == (start + 1) % 100;
    (a.trim().len() == 4 && ok).then_some(start)
}

#[cfg(test)]
mod tests {
    #[test]
    fn school_years() {
        assert_eq!(super::first_year("2026/27"), Some(2026));
        assert_eq!(super::first_year("2026-2027"), Some(2026));
        assert_eq!(super::first_year("2099/00"), Some(2099));
        assert_eq!(super::first_year("2026/28"), None);
        assert_eq!(super::first_year("HT26"), None);
    }
}
