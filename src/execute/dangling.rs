//! Memberships whose person or group the run did not produce are left out, and counted:
//! as they are placed ([`Judge`], used by placement), or dropped from the placed table
//! after ([`drop_memberships`]) when a merge or a school year's binding can still change
//! them.

use super::key_set::KeySet;
use crate::model::{EntityKind, FieldsRef, LeftOut, RecordRef, RecordTable, Roster, Which};
use std::collections::BTreeMap;

/// Why a membership is left out (in the order the reasons are reported).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Missing {
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
    let judge = Judge::of(roster);
    let mut verdicts = judge.all(&members, threads).into_iter();
    let mut left = Left::default();
    // `retain` visits the keys in order, as the verdicts were made.
    members.retain(|key, _| match verdicts.next().flatten() {
        Some(missing) => {
            left.push(missing, key);
            false
        }
        None => true,
    });
    roster.entities.insert(EntityKind::Membership, members);
    left.note(roster);
}

/// The memberships left out, by why, each reason's in key order.
#[derive(Default)]
pub struct Left(BTreeMap<Missing, Vec<Which>>);

impl Left {
    pub fn push(&mut self, missing: Missing, key: &str) {
        let records = self.0.entry(missing).or_default();
        records.push(Which::Key(key.to_string()));
    }

    /// Those of `other` (whose keys come after these) after these.
    pub fn append(&mut self, other: Left) {
        for (missing, records) in other.0 {
            self.0.entry(missing).or_default().extend(records);
        }
    }

    /// Keeps them in the roster, under their reasons.
    pub fn note(self, roster: &mut Roster) {
        for (missing, records) in self.0 {
            roster.left_out.push(LeftOut {
                entity: EntityKind::Membership,
                reason: missing.reason().to_string(),
                records,
            });
        }
    }
}

/// Whether a membership's person and group are in the roster.
pub struct Judge<'k> {
    persons: KeySet<'k>,
    groups: KeySet<'k>,
    person_i: usize,
    group_i: usize,
}

/// The last group a judge looked up, and whether it was there: a group's members usually
/// follow each other (a membership key commonly starts with its group), so a group looked
/// up is not looked up again for the next member.
#[derive(Default)]
pub struct LastGroup {
    key: String,
    has: bool,
}

impl<'k> Judge<'k> {
    /// A judge of memberships against the persons and groups `roster` holds.
    pub fn of(roster: &'k Roster) -> Judge<'k> {
        // Hash sets of the keys: looking up a long key in a table compares it with ~20 others.
        let keys = |kind| {
            let keys = roster.entities.get(&kind);
            keys.map(|m| KeySet::new(m.len(), m.keys()))
                .unwrap_or_default()
        };
        Judge {
            persons: keys(EntityKind::Person),
            groups: keys(EntityKind::Group),
            person_i: EntityKind::Membership.field_index("person").unwrap_or(0),
            group_i: EntityKind::Membership.field_index("group").unwrap_or(1),
        }
    }

    /// Why the membership with these fields is left out, if it is.
    pub fn verdict(&self, fields: FieldsRef, last: &mut LastGroup) -> Option<Missing> {
        let person = fields.get(self.person_i);
        if !person.is_some_and(|p| self.persons.contains(p)) {
            return Some(Missing::Person);
        }
        let Some(group) = fields.get(self.group_i) else {
            return Some(Missing::Group);
        };
        if last.key != group {
            last.key.clear();
            last.key.push_str(group);
            last.has = self.groups.contains(group);
        }
        (!last.has).then_some(Missing::Group)
    }

    /// The verdicts of consecutive memberships.
    fn run<'r>(&self, members: impl Iterator<Item = RecordRef<'r>>) -> Vec<Option<Missing>> {
        let mut last = LastGroup::default();
        members.map(|m| self.verdict(m.fields, &mut last)).collect()
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
