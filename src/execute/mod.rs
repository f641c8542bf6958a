//! Stage "execute": reads the datasets a program uses and runs its blocks into the
//! canonical roster: joins, filters, keys, fields; duplicates and dangling references.

mod block;
mod dangling;
mod eval;
mod join;
pub mod join_index;
mod key_set;
mod merge;
mod parts;
mod place;
mod quality;
mod read;
mod tuples;
mod year_keys;

pub use eval::apply as apply_operator;
pub use eval::{Env, EvalError};
pub use join::{build as join_index, matchable as join_matchable};
pub use quality::warnings as quality_warnings;
pub use read::{Reads, keep_mirrors, read_datasets};

use crate::check::Program;
use crate::diagnostic::{Code, Diag, Diagnostics, SourceMap};
use crate::functions::CallCtx;
use crate::model::{EntityKind, LeftOut, Record, RecordTable, Roster, Which};
use crate::source::Dataset;
use place::Duplicate;
use std::collections::BTreeMap;

/// Runs all blocks into a roster.
pub fn run(
    program: &Program,
    datasets: &[Dataset],
    ctx: &CallCtx,
    sources: &SourceMap,
) -> Result<Roster, Diagnostics> {
    map(program, datasets, ctx, sources)?.place(program, datasets, ctx)
}

/// What the blocks mapped, before their records are placed in the roster. Placing needs
/// only where each row came from, not the rows' text (see [`Dataset::release_text`]).
pub struct Unplaced {
    roster: Roster,
    duplicates: Vec<(usize, Duplicate)>,
    pending: merge::Pending,
    twins: year_keys::Twins,
    arrivals: BTreeMap<EntityKind, Vec<place::Batch>>,
}

/// Runs all blocks; their records are placed by [`Unplaced::place`].
pub fn map(
    program: &Program,
    datasets: &[Dataset],
    ctx: &CallCtx,
    sources: &SourceMap,
) -> Result<Unplaced, Diagnostics> {
    map_blocks(program, Datasets::Kept(datasets), ctx, sources)
}

/// As [`map`], freeing each dataset's text once no later block reads it and the quality
/// warnings do not (see [`Dataset::release_text`]): at 1M pupils the AD export and the
/// pupils' file are then not resident while the memberships are mapped, at the run's peak.
/// For a run that reads no row again after the blocks (`etl plan`, `etl apply`).
pub fn map_freeing(
    program: &Program,
    datasets: &mut [Dataset],
    ctx: &CallCtx,
    sources: &SourceMap,
) -> Result<Unplaced, Diagnostics> {
    let kept = quality::datasets_read(program);
    map_blocks(program, Datasets::Freed(datasets, kept), ctx, sources)
}

/// The datasets the blocks run on: kept whole, or freed as the blocks are done with them
/// but for those the quality warnings read.
enum Datasets<'a> {
    Kept(&'a [Dataset]),
    Freed(&'a mut [Dataset], std::collections::BTreeSet<usize>),
}

impl Datasets<'_> {
    fn all(&self) -> &[Dataset] {
        match self {
            Datasets::Kept(all) => all,
            Datasets::Freed(all, _) => all,
        }
    }

    /// Frees the text of the datasets no block from the `from`th on reads (when they are
    /// freed).
    fn free_unread(&mut self, program: &Program, from: usize) {
        let Datasets::Freed(all, kept) = self else {
            return;
        };
        let later = program.blocks.get(from..).unwrap_or_default();
        for (i, dataset) in all.iter_mut().enumerate() {
            if !kept.contains(&i) && !later.iter().any(|b| b.slots.contains(&i)) {
                dataset.release_text();
            }
        }
    }
}

fn map_blocks(
    program: &Program,
    mut datasets: Datasets,
    ctx: &CallCtx,
    sources: &SourceMap,
) -> Result<Unplaced, Diagnostics> {
    let mut roster = Roster::default();
    let mut origins = Origins::default();
    let mut duplicates: Vec<(usize, Duplicate)> = Vec::new();
    let mut pending = merge::Pending::new();
    let mut twins = year_keys::Twins::default();
    let mut arrivals: BTreeMap<EntityKind, Vec<place::Batch>> = BTreeMap::new();
    let mut seq = 0;
    let mut indexes = join::Indexes::default();
    // Groups as they are placed one by one (a table once all are).
    let mut groups: Option<BTreeMap<String, Record>> = None;
    for (nth, plan) in program.blocks.iter().enumerate() {
        datasets.free_unread(program, nth);
        let all = datasets.all();
        let at = |(dataset, row): block::Origin| all[dataset].place(row);
        let env = Env {
            datasets: all,
            slots: &plan.slots,
            ctx,
            lookups: &program.lookups,
            scripts: &program.scripts,
            sources,
        };
        let ran = block::run(plan, &env, &mut indexes)?;
        indexes.release(&program.blocks[nth + 1..]);
        note_sensitivity(&mut roster, plan);
        for (join, rows) in plan.joins.iter().zip(ran.unmatched) {
            let reason = format!("no match for the join at {}", sources.position(join.span));
            note_left_out(&mut roster, plan.entity, reason, rows);
        }
        if let Some(span) = plan.filter_span {
            let reason = format!(
                "the `where` at {} is false for them",
                sources.position(span)
            );
            note_left_out(&mut roster, plan.entity, reason, ran.filtered);
        }
        let merges = merges(program, plan.entity);
        if plan.entity != EntityKind::Group {
            // Placed all at once when every block has run (place.rs).
            let arrived = arrivals.entry(plan.entity).or_default();
            for mapped in ran.mapped {
                let first_seq = seq + 1;
                seq += mapped.len();
                arrived.push(place::Batch {
                    mapped,
                    first_seq,
                    key_span: plan.key_span,
                });
            }
            continue;
        }
        // Groups are placed one by one: a group of another school year under a key already
        // placed gives both year-qualified ids (year_keys.rs).
        let records = groups.get_or_insert_default();
        let each = ran.mapped.iter().flat_map(|part| {
            part.in_order().map(|(key, fields, row)| {
                let record = Record::active(fields.to_fields());
                (key.to_string(), record, (part.dataset, row))
            })
        });
        for (mut key, record, origin) in each {
            seq += 1;
            let placed = year_keys::Placed {
                records: &mut *records,
                origins: &mut origins,
                pending: &mut pending,
                bases: &mut roster.shared_group_keys,
            };
            twins.place(&mut key, &record, placed);
            let id = (plan.entity, key);
            if let Some(first) = origins.get(&id) {
                if merges {
                    let merging = pending.entry(id).or_insert_with(|| merge::Merging {
                        first_at: at(*first),
                        others: Vec::new(),
                    });
                    merging.others.push((record, at(origin)));
                } else {
                    let again = at(origin);
                    duplicates.push((seq, (plan.entity, id.1, at(*first), again, plan.key_span)));
                }
                continue;
            }
            records.insert(id.1.clone(), record);
            origins.insert(id, origin);
        }
    }
    datasets.free_unread(program, program.blocks.len());
    if let Some(groups) = groups {
        roster
            .entities
            .insert(EntityKind::Group, RecordTable::from(&groups));
    }
    Ok(Unplaced {
        roster,
        duplicates,
        pending,
        twins,
        arrivals,
    })
}

impl Unplaced {
    /// Places the mapped records in the roster, then merges, binds and drops dangling
    /// memberships. `datasets` are those the blocks ran on; only where each row came from is
    /// read (for duplicates).
    pub fn place(
        self,
        program: &Program,
        datasets: &[Dataset],
        ctx: &CallCtx,
    ) -> Result<Roster, Diagnostics> {
        let Unplaced {
            mut roster,
            mut duplicates,
            mut pending,
            twins,
            arrivals,
        } = self;
        let at = |(dataset, row): block::Origin| datasets[dataset].place(row);
        // Memberships are judged as they are placed unless something can still change
        // their persons or groups: a merge of memberships, or groups of two school years
        // under one key, whose memberships are bound after placement (year_keys.rs).
        let judging = !merges(program, EntityKind::Membership) && twins.binds_nothing();
        let judged = place_all(
            program,
            arrivals,
            &mut roster,
            (&mut pending, &mut duplicates),
            (at, ctx.threads, judging),
        );
        duplicates.sort_by_key(|(seq, _)| *seq);
        let duplicates: Vec<Duplicate> = duplicates.into_iter().map(|(_, d)| d).collect();
        if !duplicates.is_empty() {
            return Err(duplicate_report(&duplicates, &roster).into());
        }
        merge::apply(&program.merges, &mut roster, pending)?;
        twins.bind_memberships(&mut roster, ctx.today);
        match judged {
            Some(left) => left.note(&mut roster),
            None => dangling::drop_memberships(&mut roster, ctx.threads),
        }
        Ok(roster)
    }
}

/// Every entity's arrived records placed in the roster, all at once. When `judging`, the
/// memberships whose person or group is not in the roster are left out as they are placed
/// (the persons are placed before them, the groups already are), and returned.
fn place_all(
    program: &Program,
    arrivals: BTreeMap<EntityKind, Vec<place::Batch>>,
    roster: &mut Roster,
    (pending, duplicates): (&mut merge::Pending, &mut Vec<(usize, Duplicate)>),
    (at, threads, judging): (impl Fn(block::Origin) -> String + Sync, usize, bool),
) -> Option<dangling::Left> {
    let mut judged = None;
    for (entity, arrived) in arrivals {
        let merges = merges(program, entity);
        let folds = place::Folds {
            pending: &mut *pending,
            duplicates: &mut *duplicates,
        };
        let judge =
            (judging && entity == EntityKind::Membership).then(|| dangling::Judge::of(roster));
        let (records, left) = place::place_all(
            entity,
            arrived,
            merges,
            folds,
            (&at, threads),
            judge.as_ref(),
        );
        if judge.is_some() {
            judged = Some(left);
        }
        roster.entities.insert(entity, records);
    }
    judged
}

/// Whether the program folds records of `entity` that share a key (`merge`).
fn merges(program: &Program, entity: EntityKind) -> bool {
    program.merges.iter().any(|p| p.entity == entity)
}

/// Where each record of the run came from, by (entity, key), to report duplicates.
type Origins = foldhash::HashMap<(EntityKind, String), block::Origin>;

/// Keeps the rows left out for `reason`, when there are any.
fn note_left_out(
    roster: &mut Roster,
    entity: EntityKind,
    reason: String,
    rows: Vec<block::Origin>,
) {
    if rows.is_empty() {
        return;
    }
    roster.left_out.push(LeftOut {
        entity,
        reason,
        records: rows
            .into_iter()
            .map(|(dataset, row)| Which::Row { dataset, row })
            .collect(),
    });
}

fn note_sensitivity(roster: &mut Roster, plan: &crate::check::BlockPlan) {
    if plan.key_sensitive && !roster.sensitive_keys.contains(&plan.entity) {
        roster.sensitive_keys.push(plan.entity);
    }
    let flags = roster
        .sensitive_fields
        .entry(plan.entity)
        .or_insert_with(|| vec![false; plan.fields.len()]);
    for (flag, field) in flags.iter_mut().zip(&plan.fields) {
        *flag |= field.as_ref().is_some_and(|f| f.sensitive);
    }
}

fn duplicate_report(dups: &[Duplicate], roster: &Roster) -> Diag {
    let (entity, _, _, _, span) = &dups[0];
    let lines: Vec<String> = dups
        .iter()
        .take(20)
        .map(|(e, key, first, second, _)| {
            let shown = if roster.sensitive_keys.contains(e) {
                crate::plan::mask(key)
            } else {
                key.clone()
            };
            format!("  {} {shown}: {first} and {second}", e.name())
        })
        .collect();
    let more = if dups.len() > 20 {
        format!("\n  ... and {} more", dups.len() - 20)
    } else {
        String::new()
    };
    Diag::error(Code::DuplicateKey, format!("{} duplicate sync key(s); nothing was planned:\n{}{more}", dups.len(), lines.join("\n")))
        .label(*span, format!("this {} key is not unique", entity.name()))
        .help("a sync key must identify one record; add a `where` that keeps one row, or build the key from more columns")
}
