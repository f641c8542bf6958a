//! SS12000 JSON objects -> rows of the typed datasets (in the column order of
//! [`Resource::columns`]). References become the referenced object's id; lists of plain
//! values are joined with `,`. Rows that name a protected person are never made.

use super::protected::Protected;
use super::resource::Resource;
use serde_json::Value;
use std::collections::HashSet;

/// Calls `row` for every row `object` gives in dataset `resource`.
pub fn rows(
    resource: Resource,
    object: &Value,
    protected: &Protected,
    row: &mut dyn FnMut(&[String]),
) {
    let o = Obj(object);
    match resource {
        Resource::Organisations => row(&[
            o.text("id"),
            o.text("displayName"),
            o.text("organisationCode"),
            o.text("organisationType"),
            o.text("organisationNumber"),
            o.text("parentOrganisation"),
            o.text("schoolUnitCode"),
            o.text("schoolTypes"),
            o.text("municipalityCode"),
            o.text("email"),
            o.text("startDate"),
            o.text("endDate"),
            o.at("meta").text("modified"),
        ]),
        Resource::Persons => row(&person(&o)),
        Resource::Enrolments => {
            for e in o.list("enrolments") {
                row(&[
                    o.text("id"),
                    e.text("enroledAt"),
                    e.text("schoolType"),
                    e.text("schoolYear"),
                    e.text("startDate"),
                    e.text("endDate"),
                    e.text("cancelled"),
                    e.text("educationCode"),
                    e.text("programme"),
                ]);
            }
        }
        Resource::Groups => row(&[
            o.text("id"),
            o.text("displayName"),
            o.text("groupType"),
            o.text("schoolType"),
            o.text("organisation"),
            o.text("startDate"),
            o.text("endDate"),
            o.at("meta").text("modified"),
        ]),
        Resource::GroupMemberships => {
            for m in o.list("groupMemberships") {
                if protected.reference(&m.at("person")) {
                    continue;
                }
                row(&[
                    o.text("id"),
                    m.text("person"),
                    m.text("startDate"),
                    m.text("endDate"),
                ]);
            }
        }
        Resource::Placements => {
            if protected.reference(&o.at("child")) {
                return;
            }
            let owners: Vec<String> = o
                .list("owners")
                .filter(|p| !protected.reference(p))
                .map(|p| p.text("id"))
                .collect();
            row(&[
                o.text("id"),
                o.text("child"),
                o.text("placedAt"),
                o.text("group"),
                o.text("schoolType"),
                o.text("startDate"),
                o.text("endDate"),
                o.text("reason"),
                owners.join(","),
                o.at("meta").text("modified"),
            ]);
        }
        Resource::Duties => {
            if protected.reference(&o.at("person")) {
                return;
            }
            row(&[
                o.text("id"),
                o.text("person"),
                o.text("dutyAt"),
                o.text("dutyRole"),
                o.text("signature"),
                o.text("dutyPercent"),
                o.text("startDate"),
                o.text("endDate"),
                o.at("meta").text("modified"),
            ]);
        }
        Resource::AssignmentRoles => {
            if protected.reference(&o.at("person")) {
                return;
            }
            for a in o.list("assignmentRole") {
                row(&[
                    o.text("id"),
                    o.text("person"),
                    a.text("group"),
                    a.text("assignmentRoleType"),
                    a.text("startDate"),
                    a.text("endDate"),
                ]);
            }
        }
    }
}

/// What taking protected persons out did to a row kept from an earlier read.
#[derive(Debug, PartialEq)]
pub enum Purged {
    Unchanged,
    /// A list of persons in it lost some.
    Changed,
    /// It names one of them: it goes, as [`rows`] would not have made it.
    Drop,
}

/// Takes the persons `ids`, protected since, out of `row` of dataset `resource`.
pub fn without_persons(resource: Resource, row: &mut [String], ids: &HashSet<String>) -> Purged {
    // The column naming the person each row is about (as `rows` makes them).
    let column = match resource {
        Resource::Organisations | Resource::Groups => return Purged::Unchanged,
        Resource::Persons | Resource::Enrolments => 0,
        Resource::GroupMemberships
        | Resource::Placements
        | Resource::Duties
        | Resource::AssignmentRoles => 1,
    };
    if row.get(column).is_some_and(|id| ids.contains(id)) {
        return Purged::Drop;
    }
    let Some(owners) = row.get_mut(8).filter(|_| resource == Resource::Placements) else {
        return Purged::Unchanged;
    };
    if !owners.split(',').any(|o| ids.contains(o)) {
        return Purged::Unchanged;
    }
    let kept: Vec<&str> = owners
        .split(',')
        .filter(|o| !o.is_empty() && !ids.contains(*o))
        .collect();
    *owners = kept.join(",");
    Purged::Changed
}

fn person(o: &Obj) -> [String; 16] {
    let emails: Vec<Obj> = o.list("emails").collect();
    let all: Vec<String> = emails.iter().map(|e| e.text("value")).collect();
    let enrolment = current_enrolment(o);
    [
        o.text("id"),
        o.text("givenName"),
        o.text("middleName"),
        o.text("familyName"),
        o.at("civicNo").text("value"),
        o.text("birthDate"),
        o.text("sex"),
        o.text("personStatus"),
        school_email(&emails),
        all.join(","),
        o.list("eduPersonPrincipalNames")
            .next()
            .map(|v| text(v.0))
            .unwrap_or_default(),
        o.list("externalIdentifiers")
            .next()
            .map(|v| v.text("value"))
            .unwrap_or_default(),
        enrolment.text("enroledAt"),
        enrolment.text("schoolType"),
        enrolment.text("schoolYear"),
        o.at("meta").text("modified"),
    ]
}

/// The enrolment a person row summarises: of those not cancelled, the one that started
/// last (dates compare as text, as RFC 3339 dates do). Every enrolment is in `enrolments`.
fn current_enrolment<'a>(o: &Obj<'a>) -> Obj<'a> {
    o.list("enrolments")
        .filter(|e| e.text("cancelled") != "true")
        .max_by_key(|e| e.text("startDate"))
        .unwrap_or(Obj(&Value::Null))
}

/// The address to give services: a school address, else a work address; a private
/// address is never picked on its own (it is still in `emails`).
fn school_email(emails: &[Obj]) -> String {
    let of_type = |types: &[&str]| {
        emails
            .iter()
            .find(|e| types.contains(&e.text("type").as_str()))
            .map(|e| e.text("value"))
    };
    of_type(&["Skola elev", "Skola personal"])
        .or_else(|| of_type(&["Arbete övrigt"]))
        .unwrap_or_default()
}

/// A JSON value read leniently: a missing or null member reads as empty.
#[derive(Clone, Copy)]
pub struct Obj<'a>(pub &'a Value);

impl<'a> Obj<'a> {
    pub fn at(&self, key: &str) -> Obj<'a> {
        Obj(self.0.get(key).unwrap_or(&Value::Null))
    }

    pub fn text(&self, key: &str) -> String {
        text(self.0.get(key).unwrap_or(&Value::Null))
    }

    pub fn list(&self, key: &str) -> impl Iterator<Item = Obj<'a>> + use<'a> {
        let items = match self.0.get(key) {
            Some(Value::Array(items)) => items.as_slice(),
            _ => &[],
        };
        items.iter().map(Obj)
    }
}

/// A value as one field: a reference gives its id, a list its values joined by `,`.
fn text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) => items.iter().map(text).collect::<Vec<_>>().join(","),
        Value::Object(_) => v.get("id").map(text).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn all(resource: Resource, object: Value, protected: &Protected) -> Vec<Vec<String>> {
        let mut out = Vec::new();
        rows(resource, &object, protected, &mut |r| out.push(r.to_vec()));
        out
    }

    #[test]
    fn a_person_gives_its_school_address_and_civic_number() {
        let p = json!({"id": "p1", "givenName": "Alva", "familyName": "Berg",
            "civicNo": {"value": "201001011234"}, "meta": {"modified": "2026-08-01T00:00:00Z"},
            "emails": [{"value": "alva@home.se", "type": "Privat"}, {"value": "alva@skola.se", "type": "Skola elev"}],
            "eduPersonPrincipalNames": ["alva@skola.se"]});
        let row = &all(Resource::Persons, p, &Protected::default())[0];
        assert_eq!(row.len(), Resource::Persons.columns().len());
        assert_eq!(row[4], "201001011234");
        assert_eq!(row[8], "alva@skola.se");
        assert_eq!(row[9], "alva@home.se,alva@skola.se");
        assert_eq!(row[10], "alva@skola.se");
        assert_eq!(row[15], "2026-08-01T00:00:00Z");
    }

    #[test]
    fn a_person_row_names_the_enrolment_that_started_last_and_is_not_cancelled() {
        let p = json!({"id": "p1", "enrolments": [
            {"enroledAt": {"id": "old"}, "schoolType": "GR", "schoolYear": 6, "startDate": "2020-08-17"},
            {"enroledAt": {"id": "new"}, "schoolType": "GR", "schoolYear": 7, "startDate": "2026-08-17"},
            {"enroledAt": {"id": "gone"}, "startDate": "2026-09-01", "cancelled": true}]});
        let row = &all(Resource::Persons, p, &Protected::default())[0];
        assert_eq!(row[12..15], ["new", "GR", "7"]);
    }

    #[test]
    fn a_private_address_is_not_picked_as_the_email() {
        let p = json!({"id": "p1", "emails": [{"value": "a@home.se", "type": "Privat"}]});
        assert_eq!(all(Resource::Persons, p, &Protected::default())[0][8], "");
    }

    #[test]
    fn memberships_of_protected_persons_are_not_rows() {
        let g = json!({"id": "g1", "groupMemberships": [
            {"person": {"id": "p1"}, "startDate": "2026-08-15"},
            {"person": {"id": "p2"}},
            {"person": {"id": "p3", "securityMarking": "Skyddad folkbokföring"}}]});
        let protected = Protected::from_ids(["p2"]);
        let rows = all(Resource::GroupMemberships, g, &protected);
        assert_eq!(rows, vec![vec!["g1", "p1", "2026-08-15", ""]]);
    }

    #[test]
    fn rows_kept_from_earlier_lose_a_person_protected_since() {
        let o = json!({"id": "x", "person": {"id": "p"}, "child": {"id": "c"},
            "owners": [{"id": "p"}, {"id": "q"}],
            "enrolments": [{"enroledAt": {"id": "s"}}],
            "groupMemberships": [{"person": {"id": "p"}}, {"person": {"id": "q"}}],
            "assignmentRole": [{"group": {"id": "g"}}]});
        let ids = HashSet::from(["p".to_string()]);
        let none = Protected::default();
        let protected = Protected::from_ids(["p"]);
        // Purging rows made before `p` was protected gives what a read now would make.
        for r in Resource::ALL {
            let now = all(*r, o.clone(), &protected);
            let mut purged = all(*r, o.clone(), &none);
            purged.retain_mut(|row| without_persons(*r, row, &ids) != Purged::Drop);
            assert_eq!(purged, now, "{}", r.name());
        }
        let person = json!({"id": "p"});
        assert!(
            all(Resource::Persons, person.clone(), &none)
                .into_iter()
                .all(|mut row| without_persons(Resource::Persons, &mut row, &ids) == Purged::Drop)
        );
    }

    #[test]
    fn every_dataset_row_has_its_columns() {
        let o = json!({"id": "x", "person": {"id": "p"}, "child": {"id": "c"},
            "enrolments": [{"enroledAt": {"id": "s"}, "schoolYear": 3}],
            "groupMemberships": [{"person": {"id": "p"}}],
            "assignmentRole": [{"group": {"id": "g"}, "assignmentRoleType": "Mentor"}]});
        for r in Resource::ALL {
            for row in all(*r, o.clone(), &Protected::default()) {
                assert_eq!(row.len(), r.columns().len(), "{}", r.name());
            }
        }
    }
}
