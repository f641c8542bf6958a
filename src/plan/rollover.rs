//! A rollover run retires last year's groups: a group whose `schoolYear` is an earlier
//! school year than the run's is taken out of the roster with its memberships, as if the
//! export no longer held it, so the rollover archives it (members frozen) even when the
//! register still exports it. Groups without a school year, or with one in a notation
//! other than `2026/27`, `2026/2027`, `2026-27` or `2026-2027`, are left as they are.

use crate::domain::school_year::{first_year_of, of_group};
use crate::model::{EntityKind, LeftOut, Roster, Which};
use chrono::NaiveDate;

const REASON: &str = "a group of an earlier school year than the rollover's (archived with it)";

/// Takes last years' groups and their memberships out of `roster`, keeping why.
pub fn retire_earlier_years(roster: &mut Roster, today: NaiveDate) {
    let current = first_year_of(today);
    let Some(groups) = roster.entities.get_mut(&EntityKind::Group) else {
        return;
    };
    let earlier: Vec<String> = groups
        .iter()
        .filter(|(_, g)| of_group(*g).is_some_and(|y| y < current))
        .map(|(key, _)| key.to_string())
        .collect();
    if earlier.is_empty() {
        return;
    }
    groups.retain(|key, _| earlier.binary_search_by(|e| e.as_str().cmp(key)).is_err());
    let group_i = EntityKind::Membership.field_index("group");
    let mut members = Vec::new();
    if let Some(memberships) = roster.entities.get_mut(&EntityKind::Membership) {
        memberships.retain(|key, m| {
            let of_earlier = group_i
                .and_then(|i| m.fields.get(i))
                .is_some_and(|g| earlier.binary_search_by(|e| e.as_str().cmp(g)).is_ok());
            if of_earlier {
                members.push(Which::Key(key.to_string()));
            }
            !of_earlier
        });
    }
    push(
        roster,
        EntityKind::Group,
        earlier.into_iter().map(Which::Key).collect(),
    );
    push(roster, EntityKind::Membership, members);
}

fn push(roster: &mut Roster, entity: EntityKind, records: Vec<Which>) {
    if !records.is_empty() {
        roster.left_out.push(LeftOut {
            entity,
            reason: REASON.to_string(),
            records,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Record;

    fn group(year: Option<&str>) -> Record {
        let mut fields = vec![None; EntityKind::Group.fields().len()];
        let i = EntityKind::Group.field_index("schoolYear").unwrap();
        fields[i] = year.map(String::from);
        Record::active(fields)
    }

    fn member(group: &str) -> Record {
        let mut fields = vec![None; EntityKind::Membership.fields().len()];
        let i = EntityKind::Membership.field_index("group").unwrap();
        fields[i] = Some(group.to_string());
        Record::active(fields)
    }

    #[test]
    fn only_groups_of_earlier_school_years_go_with_their_members() {
        let mut roster = Roster::default();
        let groups = [
            ("old", Some("2025/26")),
            ("new", Some("2026/27")),
            ("none", None),
            ("odd", Some("VT26")),
        ];
        roster.entities.insert(
            EntityKind::Group,
            groups
                .iter()
                .map(|(k, y)| (k.to_string(), group(*y)))
                .collect(),
        );
        roster.entities.insert(
            EntityKind::Membership,
            ["old", "new"]
                .iter()
                .map(|g| (format!("{g}/p"), member(g)))
                .collect(),
        );
        retire_earlier_years(&mut roster, NaiveDate::from_ymd_opt(2026, 8, 17).unwrap());
        let left: Vec<&str> = roster.entities[&EntityKind::Group].keys().collect();
        assert_eq!(left, ["new", "none", "odd"]);
        let members: Vec<&str> = roster.entities[&EntityKind::Membership].keys().collect();
        assert_eq!(members, ["new/p"]);
        assert_eq!(roster.left_out.len(), 2);
        assert_eq!(roster.left_out[0].records, vec![Which::Key("old".into())]);
        assert_eq!(roster.left_out[1].records, vec![Which::Key("old/p".into())]);
    }
}
