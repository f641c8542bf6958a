//! Per target, a group's id follows what the target already holds, so the same key in a new
//! school year is a new group: while the target holds `7A` for 2025/26, this year's `7A`
//! becomes `7A@2026-27` (created; last year's is archived by the rollover, not updated into
//! this year's class), and its memberships' keys carry the same suffix. A group the target
//! holds under its plain key keeps it.

use super::Stored;
use crate::domain::school_year::{of_group, qualify};
use crate::model::{EntityKind, Record, RecordRef, RecordTable, Roster};
use std::collections::{BTreeMap, BTreeSet};

/// A group's id in one target, and the school year its memberships' keys carry.
struct Placement {
    id: String,
    members_year: Option<i32>,
}

/// The roster with group ids as this target holds them (`None` when nothing changes), and
/// the ids that carry a school year.
pub struct Scoped {
    pub roster: Option<Roster>,
    pub qualified: BTreeSet<String>,
}

/// Puts each group under the id this target knows it by.
pub fn scope(roster: &Roster, stored: &Stored) -> Scoped {
    let mut scoped = Scoped {
        roster: None,
        qualified: BTreeSet::new(),
    };
    let Some(groups) = roster.entities.get(&EntityKind::Group) else {
        return scoped;
    };
    let have = stored.get(&EntityKind::Group);
    let mut placed: BTreeMap<&str, Placement> = BTreeMap::new();
    for (id, group) in groups.iter() {
        let Some(year) = of_group(group) else {
            continue;
        };
        let base = roster.shared_group_keys.get(id).map_or(id, String::as_str);
        let target = target_id(id, base, year, have, groups);
        if target != *base {
            scoped.qualified.insert(target.clone());
        }
        if target != *id || target != *base {
            let members_year = (target != *base).then_some(year);
            placed.insert(
                id,
                Placement {
                    id: target,
                    members_year,
                },
            );
        }
    }
    if !placed.is_empty() {
        scoped.roster = Some(rewrite(roster, &placed));
    }
    scoped
}

/// `id` as the target knows it: the qualified id when the target holds that; the plain key
/// when the target holds it for the same year; the qualified id when it holds the plain key
/// for another year; else as the run made it.
fn target_id(
    id: &str,
    base: &str,
    year: i32,
    have: Option<&RecordTable>,
    groups: &RecordTable,
) -> String {
    let qualified = qualify(base, year);
    let Some(have) = have else {
        return id.to_string();
    };
    if have.contains_key(&qualified) {
        return qualified;
    }
    match have.get(base).map(of_group) {
        Some(Some(held)) if held == year && (id == base || !groups.contains_key(base)) => {
            base.to_string()
        }
        Some(Some(held)) if held != year => qualified,
        _ => id.to_string(),
    }
}

fn rewrite(roster: &Roster, placed: &BTreeMap<&str, Placement>) -> Roster {
    let mut out = roster.clone();
    if let Some(groups) = out.entities.get_mut(&EntityKind::Group) {
        let renamed: BTreeMap<String, Record> = (groups.iter())
            .map(|(key, g)| {
                let id = placed.get(key).map_or(key, |p| p.id.as_str());
                (id.to_string(), g.to_record())
            })
            .collect();
        *groups = RecordTable::from(&renamed);
    }
    let kind = EntityKind::Membership;
    let (Some(group_i), Some(members)) = (kind.field_index("group"), out.entities.get_mut(&kind))
    else {
        return out;
    };
    let mut moved: BTreeMap<String, Record> = BTreeMap::new();
    members.retain(|key, m| {
        let Some(p) = m.fields.get(group_i).and_then(|g| placed.get(g)) else {
            return true;
        };
        let id = match p.members_year {
            Some(year) => qualify(key, year),
            None => key.to_string(),
        };
        let fields = m.fields.with(group_i, Some(&p.id));
        moved.insert(
            id,
            Record {
                fields,
                status: m.status,
            },
        );
        false
    });
    if !moved.is_empty() {
        *members = with_moved(members, &moved);
    }
    out
}

/// The records of `kept` and `moved` as one table in key order; a moved record wins a key
/// both hold.
fn with_moved(kept: &RecordTable, moved: &BTreeMap<String, Record>) -> RecordTable {
    let mut out = RecordTable::default();
    let mut moved = moved.iter().peekable();
    let mut push = |key: &str, r: RecordRef| {
        // Both in key order, each key once: a push cannot fail.
        let pushed = out.push(key, r.fields, r.status);
        debug_assert!(pushed.is_ok(), "{pushed:?}");
    };
    for (key, record) in kept.iter() {
        while let Some((k, m)) = moved.next_if(|(k, _)| k.as_str() < key) {
            push(k, m.into());
        }
        match moved.next_if(|(k, _)| k.as_str() == key) {
            Some((k, m)) => push(k, m.into()),
            None => push(key, record),
        }
    }
    for (k, m) in moved {
        push(k, m.into());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(key: &str, year: &str) -> (String, Record) {
        let mut fields = vec![None; EntityKind::Group.fields().len()];
        fields[EntityKind::Group.field_index("schoolYear").unwrap()] = Some(year.to_string());
        (key.to_string(), Record::active(fields))
    }

    fn member(key: &str, group: &str) -> (String, Record) {
        let kind = EntityKind::Membership;
        let mut fields = vec![None; kind.fields().len()];
        fields[kind.field_index("group").unwrap()] = Some(group.to_string());
        (key.to_string(), Record::active(fields))
    }

    fn roster(groups: &[(&str, &str)], members: &[(&str, &str)]) -> Roster {
        let mut r = Roster::default();
        r.entities.insert(
            EntityKind::Group,
            groups.iter().map(|(k, y)| group(k, y)).collect(),
        );
        r.entities.insert(
            EntityKind::Membership,
            members.iter().map(|(k, g)| member(k, g)).collect(),
        );
        r
    }

    fn stored(groups: &[(&str, &str)]) -> Stored {
        let mut s = Stored::new();
        s.insert(
            EntityKind::Group,
            groups.iter().map(|(k, y)| group(k, y)).collect(),
        );
        s
    }

    fn keys(r: &Roster, kind: EntityKind) -> Vec<String> {
        r.entities[&kind].keys().map(String::from).collect()
    }

    #[test]
    fn a_key_the_target_holds_for_last_year_names_a_new_group() {
        let run = roster(&[("7A", "2026/27"), ("7B", "2026/27")], &[("7A/p", "7A")]);
        let scoped = scope(&run, &stored(&[("7A", "2025/26"), ("7B", "2026/27")]));
        assert_eq!(scoped.qualified.iter().collect::<Vec<_>>(), ["7A@2026-27"]);
        let out = scoped.roster.unwrap();
        assert_eq!(keys(&out, EntityKind::Group), ["7A@2026-27", "7B"]);
        assert_eq!(keys(&out, EntityKind::Membership), ["7A/p@2026-27"]);
        let m = out.entities[&EntityKind::Membership]
            .get("7A/p@2026-27")
            .unwrap();
        assert_eq!(m.get(EntityKind::Membership, "group"), Some("7A@2026-27"));

        // The next night the target holds the qualified id: it stays.
        let again = scope(
            &run,
            &stored(&[("7A", "2025/26"), ("7A@2026-27", "2026/27")]),
        );
        assert_eq!(
            keys(&again.roster.unwrap(), EntityKind::Group),
            ["7A@2026-27", "7B"]
        );
    }

    #[test]
    fn nothing_changes_when_the_target_holds_the_same_year_or_nothing() {
        let run = roster(&[("7A", "2026/27")], &[("7A/p", "7A")]);
        assert!(scope(&run, &stored(&[("7A", "2026/27")])).roster.is_none());
        assert!(scope(&run, &Stored::new()).roster.is_none());
    }

    #[test]
    fn of_two_years_in_one_run_the_one_the_target_holds_keeps_the_plain_key() {
        let mut run = roster(
            &[("7A@2025-26", "2025/26"), ("7A@2026-27", "2026/27")],
            &[("7A/p", "7A@2025-26"), ("7A/q", "7A@2026-27")],
        );
        for id in ["7A@2025-26", "7A@2026-27"] {
            run.shared_group_keys.insert(id.into(), "7A".into());
        }
        let out = scope(&run, &stored(&[("7A", "2025/26")])).roster.unwrap();
        assert_eq!(keys(&out, EntityKind::Group), ["7A", "7A@2026-27"]);
        assert_eq!(keys(&out, EntityKind::Membership), ["7A/p", "7A/q@2026-27"]);
    }
}
