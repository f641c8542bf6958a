//! A delta document: this run's changes. Adds and restores are `recstatus="1"`, updates and
//! re-keys `2` (a re-key names the old id as `sourcedidtype="Old"`), trash and deletes `3`.
//! Archiving a group and scheduling a delete change nothing the receiver sees.

use super::elements::{Item, Member, roletype};
use super::{Input, finish, org_names, start};
use crate::model::{EntityKind, Fields};
use crate::plan::{Action, Change, EntityPlan};
use crate::target::options::PifuOptions;
use std::collections::BTreeMap;

pub fn render(input: &Input, options: &PifuOptions) -> Result<Vec<u8>, String> {
    let mut e = start(options, input.today)?;
    let names = org_names(input);
    for (change, status) in changes(input.entities, EntityKind::Person) {
        e.person(&item(change, status))?;
    }
    for (change, status) in changes(input.entities, EntityKind::Organisation) {
        let it = item(change, status);
        let parent = org_parent(change).map(|p| (p, names.get(p).copied().unwrap_or(p)));
        e.organisation(&it, parent)?;
    }
    for (change, status) in changes(input.entities, EntityKind::Group) {
        let it = item(change, status);
        let school = value(change, EntityKind::Group, "school").unwrap_or("");
        e.group(&it, names.get(school).copied().unwrap_or(school))?;
    }
    for (school, members) in school_members(input.entities) {
        e.membership(school, &members)?;
    }
    for (group, members) in group_members(input.entities) {
        e.membership(group, &members)?;
    }
    finish(e)
}

/// What the receiver does with a change, or `None` when it sees nothing.
fn recstatus(action: Action) -> Option<u8> {
    match action {
        Action::Create | Action::Restore => Some(1),
        Action::Update | Action::Rekey => Some(2),
        Action::Trash | Action::Delete => Some(3),
        Action::Archive | Action::Delay => None,
    }
}

fn changes(entities: &[EntityPlan], kind: EntityKind) -> impl Iterator<Item = (&Change, u8)> {
    entities
        .iter()
        .filter(move |e| e.entity == kind.name())
        .flat_map(|e| &e.changes)
        .filter_map(|c| recstatus(c.action).map(|s| (c, s)))
}

fn item(change: &Change, status: u8) -> Item<'_> {
    Item {
        key: &change.key,
        old_key: change.old_key(),
        fields: change.values().map(Fields::view),
        recstatus: Some(status),
    }
}

fn value<'c>(change: &'c Change, kind: EntityKind, field: &str) -> Option<&'c str> {
    crate::model::field_value(kind, change.values()?, field)
}

fn before<'c>(change: &'c Change, kind: EntityKind, field: &str) -> Option<&'c str> {
    crate::model::field_value(kind, change.before.as_ref()?, field)
}

fn org_parent(change: &Change) -> Option<&str> {
    value(change, EntityKind::Organisation, "parent")
}

/// A person's membership of their school follows the person: added with them, and moved
/// when their school changes. A deleted person takes their memberships with them.
fn school_members(entities: &[EntityPlan]) -> BTreeMap<&str, Vec<Member<'_>>> {
    let k = EntityKind::Person;
    let mut by_school: BTreeMap<&str, Vec<Member>> = BTreeMap::new();
    for (change, status) in changes(entities, k) {
        let role = roletype(value(change, k, "role"));
        let now = value(change, k, "school");
        let moves: Vec<(&str, u8)> = match status {
            1 => now.map(|s| vec![(s, 1)]).unwrap_or_default(),
            2 => {
                let was = before(change, k, "school");
                if was == now {
                    Vec::new()
                } else {
                    let out = was.map(|s| (s, 3)).into_iter();
                    out.chain(now.map(|s| (s, 1))).collect()
                }
            }
            _ => Vec::new(),
        };
        for (school, recstatus) in moves {
            by_school.entry(school).or_default().push(Member {
                person: &change.key,
                roletype: role,
                begin: None,
                end: None,
                recstatus: Some(recstatus),
            });
        }
    }
    by_school
}

fn group_members(entities: &[EntityPlan]) -> BTreeMap<&str, Vec<Member<'_>>> {
    let k = EntityKind::Membership;
    let mut by_group: BTreeMap<&str, Vec<Member>> = BTreeMap::new();
    for (change, status) in changes(entities, k) {
        let (Some(group), Some(person)) = (value(change, k, "group"), value(change, k, "person"))
        else {
            continue;
        };
        by_group.entry(group).or_default().push(Member {
            person,
            roletype: roletype(value(change, k, "role")),
            begin: value(change, k, "start"),
            end: value(change, k, "end"),
            recstatus: Some(status),
        });
    }
    by_group
}
