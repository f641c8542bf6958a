//! A full document: every record the target holds but the trash (a receiver of a full
//! document deactivates what is missing from it).

use super::elements::{Elements, Item, Member, roletype};
use super::{Input, finish, org_names, start};
use crate::model::{EntityKind, RecordRef, Status};
use crate::target::options::PifuOptions;
use std::collections::BTreeMap;

pub fn render(input: &Input, options: &PifuOptions) -> Result<Vec<u8>, String> {
    let live = |kind| {
        input
            .held
            .records(kind)
            .filter(|(_, r)| r.status != Status::Trashed)
    };
    let mut e = start(options, input.today)?;
    for (key, r) in live(EntityKind::Person) {
        e.person(&item(key, r))?;
    }
    let names = org_names(input);
    for (key, r) in live(EntityKind::Organisation) {
        let parent = r
            .get(EntityKind::Organisation, "parent")
            .map(|p| (p, names.get(p).copied().unwrap_or(p)));
        e.organisation(&item(key, r), parent)?;
    }
    for (key, r) in live(EntityKind::Group) {
        let school = r.get(EntityKind::Group, "school").unwrap_or("");
        e.group(&item(key, r), names.get(school).copied().unwrap_or(school))?;
    }
    school_members(&mut e, live(EntityKind::Person))?;
    group_members(&mut e, live(EntityKind::Membership))?;
    finish(e)
}

fn item<'r>(key: &'r str, r: RecordRef<'r>) -> Item<'r> {
    Item {
        key,
        old_key: None,
        fields: Some(r.fields),
        recstatus: None,
    }
}

/// Each person is a member of their school unit.
fn school_members<'r>(
    e: &mut Elements,
    persons: impl Iterator<Item = (&'r str, RecordRef<'r>)>,
) -> Result<(), String> {
    let k = EntityKind::Person;
    let mut by_school: BTreeMap<&str, Vec<Member>> = BTreeMap::new();
    for (key, r) in persons {
        if let Some(school) = r.get(k, "school") {
            by_school.entry(school).or_default().push(Member {
                person: key,
                roletype: roletype(r.get(k, "role")),
                begin: None,
                end: None,
                recstatus: None,
            });
        }
    }
    for (school, members) in by_school {
        e.membership(school, &members)?;
    }
    Ok(())
}

fn group_members<'r>(
    e: &mut Elements,
    memberships: impl Iterator<Item = (&'r str, RecordRef<'r>)>,
) -> Result<(), String> {
    let k = EntityKind::Membership;
    let mut by_group: BTreeMap<&str, Vec<Member>> = BTreeMap::new();
    for (_, r) in memberships {
        let (Some(group), Some(person)) = (r.get(k, "group"), r.get(k, "person")) else {
            continue;
        };
        by_group.entry(group).or_default().push(Member {
            person,
            roletype: roletype(r.get(k, "role")),
            begin: r.get(k, "start").filter(|s| !s.is_empty()),
            end: r.get(k, "end").filter(|s| !s.is_empty()),
            recstatus: None,
        });
    }
    for (group, members) in by_group {
        e.membership(group, &members)?;
    }
    Ok(())
}
