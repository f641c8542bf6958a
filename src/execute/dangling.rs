//! Memberships whose person or group the run did not produce are left out, and counted.

use super::key_set::KeySet;
use crate::model::{EntityKind, LeftOut, RecordRef, RecordTable, Roster, Which};
use std::collections::BTreeMap;

/// Why a membership is left out (in the order the reasons are reported).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Missing {
    Group,
    Person,
}

impl Missing {
    fn reason(self) -> &'static str {
        match self {
            Missing::Person => "its person is not in the roster (inactive, protected or unmatched)",
            Missing::Group => "its group is not in the roster (inactive or not marked for export)",
        }
    }
}

/// Below this many memberships per core they are judged on one.
const PER_WORKER: usize = 50_000;

/// Leaves out the memberships whose person or group is not in the roster. The lookups (two
/// per membership, millions at national scale, most of them cache misses) are shared by up
/// to `threads` cores; the memberships are then removed in one pass.
pub fn drop_memberships(roster: &mut Roster, threads: usize) {
    let Some(mut members) = roster.entities.remove(&EntityKind::Membership) else {
        return;
    };
    // Hash sets of the keys: looking up a long key in a BTreeMap compares it with ~20 others.
    let keys = |kind| {
        let keys = roster.entities.get(&kind);
        keys.map(|m| KeySet::new(m.len(), m.keys()))
            .unwrap_or_default()
    };
    let judge = Judge {
        persons: keys(EntityKind::Person),
        groups: keys(EntityKind::Group),
        person_i: EntityKind::Membership.field_index("person").unwrap_or(0),
        group_i: EntityKind::Membership.field_index("group").unwrap_or(1),
    };
    let mut verdicts = judge.all(&members, threads).into_iter();
    let mut left: BTreeMap<Missing, Vec<Which>> = BTreeMap::new();
    // `retain` visits the keys in order, as the verdicts were made.
    members.retain(|key, _| match verdicts.next().flatten() {
        Some(missing) => {
            left.entry(missing)
                .or_default()
                .push(Which::Key(key.to_string()));
            false
        }
        None => true,
    });
    roster.entities.insert(EntityKind::Membership, members);
    for (missing, records) in left {
        roster.left_out.push(LeftOut {
            entity: EntityKind::Membership,
            reason: missing.reason().to_string(),
            records,
        });
    }
}

struct Judge<'k> {
    persons: KeySet<'k>,
    groups: KeySet<'k>,
    person_i: usize,
    group_i: usize,
}

impl Judge<'_> {
    /// The verdicts of consecutive memberships. A group's members usually follow each other
    /// (a membership key commonly starts with its group), so a group looked up is not looked
    /// up again for the next member.
    fn run<'r>(&self, members: impl Iterator<Item = RecordRef<'r>>) -> Vec<Option<Missing>> {
        let mut last_group: Option<(&str, bool)> = None;
        let mut has_group = |group: &'r str| match last_group {
            Some((last, has)) if last == group => has,
            _ => {
                let has = self.groups.contains(group);
                last_group = Some((group, has));
                has
            }
        };
        members
            .map(|m| {
                let person = m.fields.get(self.person_i);
                if !person.is_some_and(|p| self.persons.contains(p)) {
                    return Some(Missing::Person);
                }
                let group = m.fields.get(self.group_i);
                if !group.is_some_and(&mut has_group) {
                    return Some(Missing::Group);
                }
                None
            })
            .collect()
    }

    /// Each membership's verdict, in key order.
    fn all(&self, members: &RecordTable, threads: usize) -> Vec<Option<Missing>> {
        let workers = threads.min(members.len() / PER_WORKER).max(1);
        let parts = members.parts(workers);
        let verdicts = super::parts::each(&parts, |part| self.run(part.clone().map(|(_, m)| m)));
        verdicts.into_iter().flatten().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Record;

    fn roster(members: usize) -> Roster {
        let mut roster = Roster::default();
        let k = EntityKind::Membership;
        let person_i = k.field_index("person").unwrap();
        let group_i = k.field_index("group").unwrap();
        let one = |key: &str| (key.to_string(), Record::active(vec![None::<String>]));
        roster.entities.insert(
            EntityKind::Person,
            ["p0", "p1"].map(one).into_iter().collect(),
        );
        roster.entities.insert(
            EntityKind::Group,
            ["g0", "g1"].map(one).into_iter().collect(),
        );
        let member = |i: usize| {
            let mut fields = vec![None; k.fields().len()];
            fields[person_i] = Some(format!("p{}", i % 3));
            fields[group_i] = Some(format!("g{}", i / 4 % 5));
            (format!("m{i:07}"), Record::active(fields))
        };
        roster
            .entities
            .insert(k, (0..members).map(member).collect());
        roster
    }

    /// On one core or several, the same memberships stay and the same are left out, each
    /// under its reason, in key order.
    #[test]
    fn the_verdicts_do_not_depend_on_the_cores() {
        for threads in [1, 2, 3] {
            let mut r = roster(PER_WORKER * 3 + 7);
            drop_memberships(&mut r, threads);
            let kept = &r.entities[&EntityKind::Membership];
            // Persons p0, p1 of three; groups g0, g1 of five, each for four members in a
            // row (a group looked up for one member is remembered for the next).
            let stays = |i: usize| i % 3 < 2 && i / 4 % 5 < 2;
            let expected: Vec<String> = (0..PER_WORKER * 3 + 7)
                .filter(|&i| stays(i))
                .map(|i| format!("m{i:07}"))
                .collect();
            assert_eq!(kept.keys().collect::<Vec<_>>(), expected);
            let reasons: Vec<(&str, usize)> = r
                .left_out
                .iter()
                .map(|l| (l.reason.as_str(), l.records.len()))
                .collect();
            let n = PER_WORKER * 3 + 7;
            let no_person = (0..n).filter(|i| i % 3 == 2).count();
            let no_group = (0..n).filter(|i| i % 3 < 2 && i / 4 % 5 >= 2).count();
            assert_eq!(
                reasons,
                [
                    (Missing::Group.reason(), no_group),
                    (Missing::Person.reason(), no_person)
                ],
                "threads {threads}"
            );
            let first_left = &r.left_out[1].records[0];
            assert!(matches!(first_left, Which::Key(k) if k == "m0000002"));
        }
    }
}
