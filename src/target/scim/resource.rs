//! SCIM resources built from roster records: a person is a User, a group a Group (RFC 7643).
//! roster-etl manages only the attributes below; a PATCH leaves every other attribute of an
//! account (set by hand or by another system) as it was.

use crate::model::{EntityKind, Fields};
use serde_json::{Value, json};

pub const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

use crate::model::field_value as field;

/// SCIM `userType` for a roster role.
fn user_type(role: Option<&str>) -> &'static str {
    match role {
        Some("pupil") => "Student",
        Some("teacher") => "Teacher",
        Some("principal") => "Principal",
        _ => "Staff",
    }
}

/// The attributes of a User that roster-etl manages (without `emails`, see [`emails`]).
fn user_attributes(key: &str, values: &Fields, active: bool) -> Value {
    let p = EntityKind::Person;
    let given = field(p, values, "givenName").unwrap_or_default();
    let family = field(p, values, "familyName").unwrap_or_default();
    json!({
        "externalId": key,
        "userName": field(p, values, "username").unwrap_or_default(),
        "name": { "givenName": given, "familyName": family },
        "displayName": format!("{given} {family}").trim(),
        "userType": user_type(field(p, values, "role")),
        "active": active,
    })
}

fn emails(values: &Fields) -> Option<Value> {
    let email = field(EntityKind::Person, values, "email")?;
    Some(json!([{ "value": email, "type": "work", "primary": true }]))
}

/// A whole User (for POST and PUT).
pub fn user(key: &str, values: &Fields, active: bool) -> Value {
    let mut body = user_attributes(key, values, active);
    body["schemas"] = json!([USER]);
    if let Some(emails) = emails(values) {
        body["emails"] = emails;
    }
    body
}

/// A PATCH that sets every managed attribute of a User.
pub fn user_patch(key: &str, values: &Fields, active: bool) -> Value {
    let mut ops = vec![json!({ "op": "replace", "value": user_attributes(key, values, active) })];
    ops.push(match emails(values) {
        Some(emails) => json!({ "op": "replace", "path": "emails", "value": emails }),
        None => json!({ "op": "remove", "path": "emails" }),
    });
    patch(ops)
}

/// A PATCH that only (de)activates a User.
pub fn active_patch(active: bool) -> Value {
    patch(vec![
        json!({ "op": "replace", "path": "active", "value": active }),
    ])
}

/// A whole Group (for POST and PUT); `members` only when the request replaces them.
pub fn group(key: &str, values: &Fields, members: Option<&[String]>) -> Value {
    let mut body = json!({
        "schemas": [GROUP],
        "externalId": key,
        "displayName": field(EntityKind::Group, values, "name").unwrap_or_default(),
    });
    if let Some(members) = members {
        body["members"] = members.iter().map(|id| json!({ "value": id })).collect();
    }
    body
}

/// A PATCH that sets a Group's name and externalId and leaves its members.
pub fn group_patch(key: &str, values: &Fields) -> Value {
    let mut attributes = group(key, values, None);
    if let Some(map) = attributes.as_object_mut() {
        map.remove("schemas");
    }
    patch(vec![json!({ "op": "replace", "value": attributes })])
}

/// A PATCH that removes and adds members of a Group.
pub fn members_patch(remove: &[&str], add: &[&str]) -> Value {
    let mut ops: Vec<Value> = remove
        .iter()
        .map(|id| json!({ "op": "remove", "path": format!("members[value eq \"{id}\"]") }))
        .collect();
    if !add.is_empty() {
        let value: Vec<Value> = add.iter().map(|id| json!({ "value": id })).collect();
        ops.push(json!({ "op": "add", "path": "members", "value": value }));
    }
    patch(ops)
}

fn patch(operations: Vec<Value>) -> Value {
    json!({ "schemas": [PATCH_OP], "Operations": operations })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person() -> Fields {
        let mut v = vec![None; EntityKind::Person.fields().len()];
        let set = |v: &mut Vec<Option<String>>, f: &str, x: &str| {
            v[EntityKind::Person.field_index(f).unwrap()] = Some(x.to_string())
        };
        set(&mut v, "givenName", "Anna");
        set(&mut v, "familyName", "Berg");
        set(&mut v, "role", "pupil");
        set(&mut v, "username", "anna.berg");
        set(&mut v, "civicNo", "200901012380");
        v.into()
    }

    #[test]
    fn a_user_carries_the_managed_attributes_and_never_the_personnummer() {
        let body = user("E1", &person(), true);
        assert_eq!(body["userName"], "anna.berg");
        assert_eq!(body["userType"], "Student");
        assert_eq!(body["displayName"], "Anna Berg");
        assert!(body.get("emails").is_none());
        assert!(!body.to_string().contains("200901012380"));
    }

    #[test]
    fn a_patch_removes_an_e_mail_that_is_gone() {
        let body = user_patch("E1", &person(), false);
        assert_eq!(body["Operations"][1]["op"], "remove");
        assert_eq!(body["Operations"][0]["value"]["active"], false);
    }
}
