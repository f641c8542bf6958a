//! Membership changes: SCIM keeps members on the Group, so each group's added and removed
//! members go in one PATCH per `batch` changes (or, on a server without PATCH, one PUT of the
//! group with its whole member list). A change is accepted when every request it needs was.

use super::outcome::{Edit, Outcome, Why};
use super::resource;
use super::session::Failed;
use super::sync::{Ctx, entity_index};
use crate::model::field_value as field;
use crate::model::{EntityKind, Fields};
use crate::plan::{Action, Change};
use crate::state::RemoteIds;
use futures_util::stream::{self, StreamExt};
use reqwest::Method;
use std::collections::BTreeMap;

/// The members one change removes and adds, by (person key, group key).
#[derive(Default)]
struct Moves<'c> {
    remove: Vec<(&'c str, &'c str)>,
    add: Vec<(&'c str, &'c str)>,
}

/// One request's worth for a group: which changes, and the member ids to remove and add.
struct Batch {
    group_key: String,
    group_id: String,
    changes: Vec<usize>,
    remove: Vec<String>,
    add: Vec<String>,
}

impl Ctx<'_> {
    pub(super) async fn members(&self, out: &mut Outcome) {
        let Some(ei) = entity_index(self.job.target, EntityKind::Membership) else {
            return;
        };
        let changes = &self.job.target.entities[ei].changes;
        if self.session.is_down() {
            // Members of objects that could not be made: they wait for the next run.
            for ci in 0..changes.len() {
                out.record(self.job.target, (ei, ci), Err(Why::NotAttempted));
            }
            self.done.add(changes.len() as u64);
            return;
        }
        let mut results: BTreeMap<usize, Result<(), Why>> = BTreeMap::new();
        let mut per_group: BTreeMap<&str, Vec<(usize, Moves)>> = BTreeMap::new();
        for (ci, change) in changes.iter().enumerate() {
            match moves(change) {
                Ok(m) if m.remove.is_empty() && m.add.is_empty() => {
                    results.insert(ci, Ok(()));
                }
                Ok(m) => {
                    for (group, m) in split_by_group(m) {
                        per_group.entry(group).or_default().push((ci, m));
                    }
                }
                Err(why) => {
                    results.insert(ci, Err(why));
                }
            }
        }
        let ids = &out.ids;
        let batches = self.batches(ids, per_group, &mut results);
        let weights = first_seen(&batches);
        let waiting: u64 = weights.iter().sum();
        self.done
            .add((changes.len() as u64).saturating_sub(waiting));
        let sent: Vec<(Vec<usize>, Result<(), Failed>)> = stream::iter(batches.iter().zip(weights))
            .map(|(b, weight)| async move {
                let result = self.send(ids, b).await;
                self.done.add(weight);
                (b.changes.clone(), result)
            })
            .buffer_unordered(self.session.options.concurrency)
            .collect()
            .await;
        for (cis, result) in sent {
            let why = result.err().map(Why::from);
            for ci in cis {
                merge(&mut results, ci, why.clone().map_or(Ok(()), Err));
            }
        }
        for (ci, result) in results {
            let result = result.map(|()| Vec::<Edit>::new());
            out.record(self.job.target, (ei, ci), result);
        }
    }

    /// Resolves ids and cuts each group's moves into requests of at most `batch` changes.
    fn batches<'c>(
        &self,
        ids: &RemoteIds,
        per_group: BTreeMap<&'c str, Vec<(usize, Moves<'c>)>>,
        results: &mut BTreeMap<usize, Result<(), Why>>,
    ) -> Vec<Batch> {
        let mut batches = Vec::new();
        let size = if self.session.patch {
            self.session.options.batch
        } else {
            usize::MAX
        };
        for (group, moves) in per_group {
            let group_id = self.id_of(ids, EntityKind::Group, group);
            let mut current: Option<Batch> = None;
            for (ci, m) in moves {
                let resolved = self.resolve(ids, group_id.as_deref(), &m);
                let (remove, add) = match resolved {
                    Ok(r) => r,
                    Err(why) => {
                        merge(results, ci, Err(why));
                        continue;
                    }
                };
                let Some(group_id) = &group_id else {
                    // Only removals from a group the target does not hold: nothing to do.
                    merge(results, ci, Ok(()));
                    continue;
                };
                let batch = current.get_or_insert_with(|| Batch {
                    group_key: group.to_string(),
                    group_id: group_id.clone(),
                    changes: Vec::new(),
                    remove: Vec::new(),
                    add: Vec::new(),
                });
                batch.changes.push(ci);
                batch.remove.extend(remove);
                batch.add.extend(add);
                if batch.changes.len() >= size {
                    batches.extend(current.take());
                }
            }
            batches.extend(current);
        }
        batches
    }

    /// Member ids for one change's moves within a group. An add needs both the group and
    /// the person in the target; a removal of something the target lacks is skipped.
    fn resolve(
        &self,
        ids: &RemoteIds,
        group_id: Option<&str>,
        m: &Moves,
    ) -> Result<(Vec<String>, Vec<String>), Why> {
        let remove = m
            .remove
            .iter()
            .filter_map(|(person, _)| self.id_of(ids, EntityKind::Person, person))
            .collect();
        let mut add = Vec::new();
        for (person, group) in &m.add {
            if group_id.is_none() {
                return Err(Why::Refused(format!(
                    "group `{group}` has no object in the target (its create failed or was refused)"
                )));
            }
            match self.id_of(ids, EntityKind::Person, person) {
                Some(id) => add.push(id),
                None => return Err(Why::Refused(
                    "the person has no account in the target (its create failed or was refused)"
                        .into(),
                )),
            }
        }
        Ok((remove, add))
    }

    async fn send(&self, ids: &RemoteIds, batch: &Batch) -> Result<(), Failed> {
        let path = format!("/Groups/{}", batch.group_id);
        if self.session.patch {
            let remove: Vec<&str> = batch.remove.iter().map(String::as_str).collect();
            let add: Vec<&str> = batch.add.iter().map(String::as_str).collect();
            let body = resource::members_patch(&remove, &add);
            return self
                .session
                .send(Method::PATCH, &path, Some(&body))
                .await
                .map(|_| ());
        }
        let groups = self.job.after.get(&EntityKind::Group);
        let Some(group) = groups.and_then(|g| g.get(&batch.group_key)) else {
            return Ok(()); // the group itself goes in this run
        };
        let body = resource::group(
            &batch.group_key,
            &group.fields,
            Some(&self.members_of(ids, &batch.group_key)),
        );
        self.session
            .send(Method::PUT, &path, Some(&body))
            .await
            .map(|_| ())
    }
}

/// What a membership change asks of the target's groups.
fn moves(change: &Change) -> Result<Moves<'_>, Why> {
    let after = pair(change.after.as_ref());
    let before = pair(change.before.as_ref());
    let mut m = Moves::default();
    match change.action {
        Action::Create | Action::Restore => {
            m.add.push(after.ok_or_else(no_pair)?);
        }
        Action::Trash | Action::Delete => m.remove.push(before.or(after).ok_or_else(no_pair)?),
        Action::Update | Action::Rekey if before != after => {
            m.remove.extend(before);
            m.add.push(after.ok_or_else(no_pair)?);
        }
        _ => {}
    }
    Ok(m)
}

fn pair(values: Option<&Fields>) -> Option<(&str, &str)> {
    let v = values?;
    let m = EntityKind::Membership;
    Some((field(m, v, "person")?, field(m, v, "group")?))
}

fn no_pair() -> Why {
    Why::Refused("the membership has no person or no group".into())
}

fn split_by_group(m: Moves<'_>) -> BTreeMap<&str, Moves<'_>> {
    let mut out: BTreeMap<&str, Moves> = BTreeMap::new();
    for pair in m.remove {
        out.entry(pair.1).or_default().remove.push(pair);
    }
    for pair in m.add {
        out.entry(pair.1).or_default().add.push(pair);
    }
    out
}

/// A change is accepted only when all its requests were.
fn merge(results: &mut BTreeMap<usize, Result<(), Why>>, ci: usize, result: Result<(), Why>) {
    match results.get(&ci) {
        Some(Err(_)) => {}
        _ => {
            results.insert(ci, result);
        }
    }
}

/// How many changes each batch finishes, for progress: a change that moves a member
/// between groups is in two batches and counts once, with the first.
fn first_seen(batches: &[Batch]) -> Vec<u64> {
    let mut seen = std::collections::HashSet::new();
    batches
        .iter()
        .map(|b| b.changes.iter().filter(|ci| seen.insert(**ci)).count() as u64)
        .collect()
}
