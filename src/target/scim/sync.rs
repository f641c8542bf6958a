//! Carrying out a target's planned changes on a SCIM server, in an order that works:
//! users, then groups, then memberships (which need both ids), then deletes. Requests in one
//! step run concurrently, up to `concurrency`. A refused change is recorded and the rest goes
//! on; only accepted changes reach state, so a refused one is planned again next run.

use super::index::Index;
use super::outcome::{Edit, Outcome, Why};
use super::resource;
use super::session::{Failed, Session};
use crate::diff::Records;
use crate::model::field_value as field;
use crate::model::{EntityKind, Fields, Status};
use crate::plan::{Action, Change, TargetPlan};
use crate::report::{Tally, Unit, Watch};
use crate::state::{Remote, RemoteIds};
use crate::target::Adopt;
use futures_util::stream::{self, StreamExt};

/// One target's run: the plan, what state held before it, and what the target holds after.
pub struct Job<'a> {
    pub target: &'a TargetPlan,
    pub before: &'a Records,
    pub after: &'a Records,
    pub ids: RemoteIds,
    /// Told how many of the target's changes are carried out.
    pub watch: &'a Watch,
}

pub(super) struct Ctx<'a> {
    pub(super) session: &'a Session<'a>,
    pub(super) job: &'a Job<'a>,
    users: Option<Index>,
    groups: Option<Index>,
    /// The changes carried out so far (accepted or refused), of all the target's changes.
    pub(super) done: Tally,
}

/// Runs every change; `Err` only when the server could not be read before anything was sent.
pub async fn run(session: &Session<'_>, job: &Job<'_>) -> Result<Outcome, String> {
    let mut out = Outcome::new(job.target, job.ids.clone());
    let users = load_if(session, job, EntityKind::Person, "Users").await?;
    let groups = load_if(session, job, EntityKind::Group, "Groups").await?;
    let total = job
        .target
        .entities
        .iter()
        .map(|e| e.changes.len())
        .sum::<usize>();
    let ctx = Ctx {
        session,
        job,
        users,
        groups,
        done: Tally::new(job.watch, Some(total as u64), Unit::Changes),
    };
    ctx.without_requests(&mut out, EntityKind::Organisation);
    ctx.step(&mut out, EntityKind::Person, false).await;
    ctx.step(&mut out, EntityKind::Group, false).await;
    ctx.members(&mut out).await;
    ctx.step(&mut out, EntityKind::Group, true).await;
    ctx.step(&mut out, EntityKind::Person, true).await;
    Ok(out)
}

/// Reads the server's objects of a kind when state lacks the id of one this run touches.
async fn load_if(
    session: &Session<'_>,
    job: &Job<'_>,
    kind: EntityKind,
    resource: &str,
) -> Result<Option<Index>, String> {
    let field_name = if kind == EntityKind::Person {
        "person"
    } else {
        "group"
    };
    let mut keys = changes(job.target, kind)
        .filter(|(_, c)| !matches!(c.action, Action::Archive | Action::Delay))
        .flat_map(|(_, c)| [Some(c.key.clone()), c.old_key().map(str::to_string)])
        .flatten();
    let mut referenced = changes(job.target, EntityKind::Membership)
        .filter_map(|(_, c)| {
            c.values()
                .and_then(|v| field(EntityKind::Membership, v, field_name))
        })
        .map(str::to_string);
    let known = |k: &String| job.ids.contains_key(&(kind, k.clone()));
    if !keys.any(|k| !known(&k)) && !referenced.any(|k| !known(&k)) {
        return Ok(None);
    }
    Index::load(session.http(), resource)
        .await
        .map(Some)
        .map_err(|e| format!("cannot read back the server's {resource}: {e}"))
}

fn changes(target: &TargetPlan, kind: EntityKind) -> impl Iterator<Item = (usize, &Change)> {
    target
        .entities
        .iter()
        .filter(move |e| e.entity == kind.name())
        .flat_map(|e| e.changes.iter().enumerate())
}

pub(super) fn entity_index(target: &TargetPlan, kind: EntityKind) -> Option<usize> {
    target.entities.iter().position(|e| e.entity == kind.name())
}

fn resource_of(kind: EntityKind) -> &'static str {
    if kind == EntityKind::Person {
        "Users"
    } else {
        "Groups"
    }
}

impl Ctx<'_> {
    fn index(&self, kind: EntityKind) -> Option<&Index> {
        match kind {
            EntityKind::Person => self.users.as_ref(),
            EntityKind::Group => self.groups.as_ref(),
            _ => None,
        }
    }

    /// Changes that need no request (organisations: SCIM has no such resource).
    fn without_requests(&self, out: &mut Outcome, kind: EntityKind) {
        let Some(ei) = entity_index(self.job.target, kind) else {
            return;
        };
        let changes = self.job.target.entities[ei].changes.len();
        for ci in 0..changes {
            out.record(self.job.target, (ei, ci), Ok(Vec::new()));
        }
        self.done.add(changes as u64);
    }

    /// One step of the run: the changes of one kind, sent concurrently. The deletes come
    /// last, after memberships; every other change of users and groups comes first.
    async fn step(&self, out: &mut Outcome, kind: EntityKind, deletes: bool) {
        let Some(ei) = entity_index(self.job.target, kind) else {
            return;
        };
        let ids = &out.ids;
        let tasks = self.job.target.entities[ei]
            .changes
            .iter()
            .enumerate()
            .filter(|(_, c)| (c.action == Action::Delete) == deletes)
            .map(|(ci, change)| async move {
                let result = if deletes {
                    self.delete(ids, kind, change).await
                } else {
                    self.object(ids, kind, change).await
                };
                self.done.add(1);
                (ci, result)
            });
        let results: Vec<_> = stream::iter(tasks)
            .buffer_unordered(self.session.options.concurrency)
            .collect()
            .await;
        for (ci, result) in results {
            out.record(self.job.target, (ei, ci), result);
        }
    }

    async fn object(
        &self,
        ids: &RemoteIds,
        kind: EntityKind,
        change: &Change,
    ) -> Result<Vec<Edit>, Why> {
        match change.action {
            Action::Create | Action::Restore | Action::Update | Action::Rekey => {
                self.upsert(ids, kind, change).await
            }
            Action::Trash if kind == EntityKind::Person => self.deactivate(ids, change).await,
            // SCIM has no inactive group, and a pending delete keeps the object as it is.
            _ => Ok(Vec::new()),
        }
    }

    async fn upsert(
        &self,
        ids: &RemoteIds,
        kind: EntityKind,
        change: &Change,
    ) -> Result<Vec<Edit>, Why> {
        let values = values(change)?;
        let mut edits: Vec<Edit> = change
            .old_key()
            .map(|old| Edit::Remove(kind, old.to_string()))
            .into_iter()
            .collect();
        let remote = match self.existing(ids, kind, change, true)? {
            Some(remote) => match self
                .update(ids, kind, &remote.id, &change.key, values)
                .await
            {
                Ok(()) => remote,
                // Deleted at the server by someone else: made anew.
                Err(f) if f.status() == Some(404) => {
                    self.create(ids, kind, &change.key, values).await?
                }
                Err(f) => return Err(f.into()),
            },
            None => self.create(ids, kind, &change.key, values).await?,
        };
        edits.push(Edit::Set(kind, change.key.clone(), remote));
        Ok(edits)
    }

    /// The object a change is about: from state, else found on the server by externalId,
    /// else (for a person, when allowed) an account to adopt by userName or e-mail.
    fn existing(
        &self,
        ids: &RemoteIds,
        kind: EntityKind,
        change: &Change,
        adopt: bool,
    ) -> Result<Option<Remote>, Why> {
        let keys = || {
            change
                .old_key()
                .into_iter()
                .chain(std::iter::once(change.key.as_str()))
        };
        if let Some(remote) = keys().find_map(|k| ids.get(&(kind, k.to_string()))) {
            return Ok(Some(remote.clone()));
        }
        let Some(index) = self.index(kind) else {
            return Ok(None);
        };
        if let Some(found) = keys().find_map(|k| index.by_external_id(k)) {
            return Ok(Some(Remote {
                id: found.id.clone(),
                adopted: false,
            }));
        }
        match (
            adopt && kind == EntityKind::Person,
            self.session.options.adopt,
        ) {
            (true, Some(how)) => adoptable(index, how, change),
            _ => Ok(None),
        }
    }

    async fn create(
        &self,
        ids: &RemoteIds,
        kind: EntityKind,
        key: &str,
        values: &Fields,
    ) -> Result<Remote, Why> {
        let body = match kind {
            EntityKind::Person => resource::user(key, values, true),
            // With PATCH the members follow in the membership step; a server without PATCH
            // gets the whole list with every write of the group.
            _ if self.session.patch => resource::group(key, values, None),
            _ => resource::group(key, values, Some(&self.members_of(ids, key))),
        };
        match self.session.create(resource_of(kind), &body).await {
            Ok(id) => Ok(Remote { id, adopted: false }),
            Err(f) if f.status() == Some(409) && kind == EntityKind::Person => {
                Err(Why::Refused(format!(
                    "{}; an account with this userName exists that roster-etl did not create: set `adopt: userName` (or `email`) on the target to take it over",
                    Why::from(f).reason()
                )))
            }
            Err(f) => Err(f.into()),
        }
    }

    async fn update(
        &self,
        ids: &RemoteIds,
        kind: EntityKind,
        id: &str,
        key: &str,
        values: &Fields,
    ) -> Result<(), Failed> {
        let (patch, put) = match kind {
            EntityKind::Person => (
                resource::user_patch(key, values, true),
                resource::user(key, values, true),
            ),
            _ => (
                resource::group_patch(key, values),
                resource::group(key, values, Some(&self.members_of(ids, key))),
            ),
        };
        self.session
            .change(resource_of(kind), id, &patch, &put)
            .await
    }

    /// Trash: the account stays, with `active=false`.
    async fn deactivate(&self, ids: &RemoteIds, change: &Change) -> Result<Vec<Edit>, Why> {
        let Some(remote) = self.existing(ids, EntityKind::Person, change, false)? else {
            return Ok(Vec::new());
        };
        let values = values(change)?;
        let put = resource::user(&change.key, values, false);
        match self
            .session
            .change("Users", &remote.id, &resource::active_patch(false), &put)
            .await
        {
            Ok(()) => Ok(vec![Edit::Set(
                EntityKind::Person,
                change.key.clone(),
                remote,
            )]),
            Err(f) if f.status() == Some(404) => {
                Ok(vec![Edit::Remove(EntityKind::Person, change.key.clone())])
            }
            Err(f) => Err(f.into()),
        }
    }

    /// Deletes; an adopted account is never deleted, only deactivated and let go.
    async fn delete(
        &self,
        ids: &RemoteIds,
        kind: EntityKind,
        change: &Change,
    ) -> Result<Vec<Edit>, Why> {
        let gone = vec![Edit::Remove(kind, change.key.clone())];
        let Some(remote) = self.existing(ids, kind, change, false)? else {
            return Ok(gone);
        };
        if remote.adopted {
            self.deactivate(ids, change).await?;
            return Ok(gone);
        }
        self.session.delete(resource_of(kind), &remote.id).await?;
        Ok(gone)
    }

    /// The server ids of a group's members as the target should hold them (for PUT).
    pub(super) fn members_of(&self, ids: &RemoteIds, group: &str) -> Vec<String> {
        let Some(memberships) = self.job.after.get(&EntityKind::Membership) else {
            return Vec::new();
        };
        let m = EntityKind::Membership;
        let mut members: Vec<String> = memberships
            .values()
            .filter(|r| r.status == Status::Active && field(m, &r.fields, "group") == Some(group))
            .filter_map(|r| field(m, &r.fields, "person"))
            .filter_map(|p| self.id_of(ids, EntityKind::Person, p))
            .collect();
        members.sort();
        members.dedup();
        members
    }

    /// The server id of a person or group by its sync key.
    pub(super) fn id_of(&self, ids: &RemoteIds, kind: EntityKind, key: &str) -> Option<String> {
        ids.get(&(kind, key.to_string()))
            .map(|r| r.id.clone())
            .or_else(|| self.index(kind)?.by_external_id(key).map(|f| f.id.clone()))
    }
}

pub(super) fn values(change: &Change) -> Result<&Fields, Why> {
    change
        .values()
        .ok_or_else(|| Why::Refused("the plan holds no values for this change".into()))
}

/// An existing account with the same userName or e-mail, if no other sync owns it.
fn adoptable(index: &Index, how: Adopt, change: &Change) -> Result<Option<Remote>, Why> {
    let values = values(change)?;
    let p = EntityKind::Person;
    let (found, what) = match how {
        Adopt::UserName => (
            field(p, values, "username").and_then(|u| index.by_user_name(u)),
            "userName",
        ),
        Adopt::Email => (
            field(p, values, "email").and_then(|e| index.by_email(e)),
            "e-mail",
        ),
    };
    match found {
        None => Ok(None),
        Some(f) if f.external_id.is_none() => Ok(Some(Remote {
            id: f.id.clone(),
            adopted: true,
        })),
        Some(_) => Err(Why::Refused(format!(
            "an account with this {what} exists with another externalId; roster-etl takes over only accounts that no other sync owns (no externalId)"
        ))),
    }
}
