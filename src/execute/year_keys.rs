//! A group is identified by its key and its school year together. When one run has groups of
//! several school years under one key (a register that reuses `7A` every year and still
//! exports last year's), each gets the id `KEY@YYYY-YY` instead of being a duplicate, and the
//! memberships that name the key are bound to one of them.

use super::merge::Pending;
use crate::domain::school_year::{first_year_of, of_group, qualify};
use crate::model::{EntityKind, Record, Roster};
use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet};

const GROUP: EntityKind = EntityKind::Group;

/// The keys that groups of several school years share in this run.
#[derive(Default)]
pub struct Twins {
    shared: BTreeSet<String>,
}

/// Where the execute loop keeps what it has placed so far.
pub struct Placed<'a> {
    pub records: &'a mut BTreeMap<String, Record>,
    pub origins: &'a mut super::Origins,
    pub pending: &'a mut Pending,
    /// A year-qualified id -> the key it qualifies (kept in the roster).
    pub bases: &'a mut BTreeMap<String, String>,
}

impl Twins {
    /// Gives `group` (mapped under `key`) its year-qualified id when a group of another
    /// school year holds its key (moving that one to its own qualified id); otherwise leaves
    /// its key alone.
    pub fn place(&mut self, key: &mut String, group: &Record, at: Placed) {
        let Some(year) = of_group(group) else {
            return;
        };
        if !self.shared.contains(key.as_str()) {
            // The common case: no other year's group holds the key; nothing is copied.
            let other = at.records.get(key.as_str()).and_then(of_group);
            let Some(first_year) = other.filter(|y| *y != year) else {
                return;
            };
            if let Some(first) = at.records.remove(key.as_str()) {
                let first_key = qualify(key, first_year);
                let (old, new) = ((GROUP, key.clone()), (GROUP, first_key.clone()));
                if let Some(origin) = at.origins.remove(&old) {
                    at.origins.insert(new.clone(), origin);
                }
                if let Some(merging) = at.pending.remove(&old) {
                    at.pending.insert(new, merging);
                }
                at.bases.insert(first_key.clone(), key.clone());
                at.records.insert(first_key, first);
            }
            self.shared.insert(key.clone());
        }
        let base = std::mem::take(key);
        *key = qualify(&base, year);
        at.bases.insert(key.clone(), base);
    }

    /// No group key is shared by two school years: binding would change no membership.
    pub fn binds_nothing(&self) -> bool {
        self.shared.is_empty()
    }

    /// Points each membership that names a shared key at one of its groups: the one whose
    /// school year holds the membership's start, else the run date's, else the latest.
    pub fn bind_memberships(&self, roster: &mut Roster, today: NaiveDate) {
        if self.shared.is_empty() {
            return;
        }
        let mut years: BTreeMap<&str, Vec<i32>> = BTreeMap::new();
        let groups = roster.entities.get(&GROUP);
        for (id, base) in &roster.shared_group_keys {
            if let Some(year) = groups.and_then(|g| g.get(id)).and_then(of_group) {
                years.entry(base.as_str()).or_default().push(year);
            }
        }
        let kind = EntityKind::Membership;
        let (Some(group_i), Some(start_i)) = (kind.field_index("group"), kind.field_index("start"))
        else {
            return;
        };
        let Some(members) = roster.entities.get_mut(&kind) else {
            return;
        };
        members.edit(|_, m| {
            let base = m.fields.get(group_i)?;
            let held = years.get(base)?;
            let start = m
                .fields
                .get(start_i)
                .and_then(|s| s.get(..10)?.parse::<NaiveDate>().ok());
            let year = [start, Some(today)]
                .into_iter()
                .flatten()
                .map(first_year_of)
                .find(|y| held.contains(y))
                .or_else(|| held.iter().copied().max())?;
            Some(m.fields.with(group_i, Some(&qualify(base, year))))
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(key: &str, year: &str) -> (String, Record) {
        let mut fields = vec![None; GROUP.fields().len()];
        fields[GROUP.field_index("schoolYear").unwrap()] = Some(year.to_string());
        (key.to_string(), Record::active(fields))
    }

    fn member(key: &str, group: &str, start: Option<&str>) -> (String, Record) {
        let kind = EntityKind::Membership;
        let mut fields = vec![None; kind.fields().len()];
        fields[kind.field_index("group").unwrap()] = Some(group.to_string());
        fields[kind.field_index("start").unwrap()] = start.map(String::from);
        (key.to_string(), Record::active(fields))
    }

    /// What the execute loop keeps, for placing groups one by one.
    #[derive(Default)]
    struct Loop {
        twins: Twins,
        records: BTreeMap<String, Record>,
        origins: super::super::Origins,
        pending: Pending,
        bases: BTreeMap<String, String>,
    }

    impl Loop {
        /// Places `g` and keeps it, as the execute loop does; returns its id.
        fn place(&mut self, (mut id, g): (String, Record), row: u32) -> String {
            let at = Placed {
                records: &mut self.records,
                origins: &mut self.origins,
                pending: &mut self.pending,
                bases: &mut self.bases,
            };
            self.twins.place(&mut id, &g, at);
            if !self.records.contains_key(&id) {
                self.origins.insert((GROUP, id.clone()), (0, row));
                self.records.insert(id.clone(), g);
            }
            id
        }
    }

    #[test]
    fn one_key_in_two_school_years_is_two_groups_and_members_follow_their_start() {
        let mut run = Loop::default();
        run.place(group("7A", "2025/26"), 0);
        run.place(group("7A", "2026/27"), 1);
        let ids: Vec<&String> = run.records.keys().collect();
        assert_eq!(ids, ["7A@2025-26", "7A@2026-27"]);
        assert!(run.origins.contains_key(&(GROUP, "7A@2025-26".to_string())));
        let mut roster = Roster::default();
        roster.entities.insert(GROUP, (&run.records).into());
        roster.shared_group_keys = run.bases;
        let members = [
            member("old", "7A", Some("2025-08-18")),
            member("new", "7A", Some("2026-08-17")),
            member("undated", "7A", None),
            member("other", "7B", None),
        ];
        roster
            .entities
            .insert(EntityKind::Membership, members.into_iter().collect());
        let today = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
        run.twins.bind_memberships(&mut roster, today);
        let group_of = |k: &str| {
            roster.entities[&EntityKind::Membership]
                .get(k)?
                .get(EntityKind::Membership, "group")
                .map(String::from)
        };
        assert_eq!(group_of("old").as_deref(), Some("7A@2025-26"));
        assert_eq!(group_of("new").as_deref(), Some("7A@2026-27"));
        assert_eq!(group_of("undated").as_deref(), Some("7A@2025-26"));
        assert_eq!(group_of("other").as_deref(), Some("7B"));
    }

    #[test]
    fn the_same_key_in_the_same_year_is_left_to_the_duplicate_check() {
        let mut run = Loop::default();
        run.place(group("7A", "2026/27"), 0);
        assert_eq!(run.place(group("7A", "2026/27"), 1), "7A");
        assert!(run.bases.is_empty());
        // A third year after a pair: qualified straight away.
        run.place(group("7A", "2025/26"), 2);
        assert_eq!(run.place(group("7A", "2024/25"), 3), "7A@2024-25");
    }
}
