//! Stage "explain": answers "why is this pupil missing in Skolon?". Finds what it is asked
//! about (a personnummer, register id, e-mail or group id) in the sources, the roster and
//! each target's state, runs every mapping block again on those rows with each join,
//! filter, key and field traced, and tells per target what the plan does and whether a
//! safety limit holds it. Personal numbers stay masked unless asked for.

mod fate;
mod find;
mod model;
mod needle;
mod render;
mod trace;
mod trace_expr;

pub use model::*;
pub use needle::Needle;
pub use render::{MEMBERSHIPS_SHOWN, render};

use crate::diagnostic::{Code, Diag, SourceMap};
use crate::execute::Env;
use crate::functions::CallCtx;
use crate::model::{EntityKind, Roster};
use crate::plan::{Built, Compiled, MASK};
use trace::{BlockTracer, Wanted};

pub struct Options {
    /// The run's date (the one the plan was built for).
    pub today: chrono::NaiveDate,
    pub show_sensitive: bool,
}

/// Explains `who` in a run that was planned (`built`) from `compiled`.
pub fn explain(
    compiled: &Compiled,
    built: &Built,
    who: &str,
    opts: &Options,
    sources: &SourceMap,
) -> Result<Explanation, Diag> {
    let plan = &built.plan;
    let today = opts.today;
    let needle = Needle::parse(who, today);
    let program = &compiled.checked.program;
    let spent = &built.spent;
    let hits = find::rows(program, &spent.datasets, &needle);
    let mut wanted = Wanted {
        rows: hits.iter().map(|h| (h.dataset, h.row)).collect(),
        keys: find::records(&spent.roster, &spent.stored, &needle),
    };
    let ctx = CallCtx::new(today).reading_ahead(compiled.loaded.pipeline.read_ahead);
    let mut traces = Vec::new();
    let mut made: Vec<(EntityKind, String)> = Vec::new();
    // Persons and groups first: the memberships to trace are theirs.
    let (members, others): (Vec<_>, Vec<_>) = program
        .blocks
        .iter()
        .partition(|b| b.entity == EntityKind::Membership);
    for block in others.into_iter().chain(members) {
        if block.entity == EntityKind::Membership {
            let of = find::memberships_of(&spent.roster, &spent.stored, &wanted.keys);
            wanted
                .keys
                .entry(EntityKind::Membership)
                .or_default()
                .extend(of);
        }
        let env = Env {
            datasets: &spent.datasets,
            slots: &block.slots,
            ctx: &ctx,
            lookups: &program.lookups,
            scripts: &program.scripts,
            sources,
        };
        let tracer = BlockTracer {
            program,
            block,
            env: &env,
            show_sensitive: opts.show_sensitive,
        };
        for (trace, key) in tracer.run(&wanted)? {
            wanted
                .keys
                .entry(block.entity)
                .or_default()
                .insert(key.clone());
            made.push((block.entity, key));
            traces.push(trace);
        }
    }
    let records = fates(built, &wanted, &made, opts);
    if hits.is_empty() && records.is_empty() {
        return Err(not_found(who, &needle, opts, &spent.roster));
    }
    Ok(Explanation {
        who: shown_who(who, &needle, opts),
        pipeline: plan.pipeline_name.clone(),
        today: plan.today.clone(),
        found: hits
            .iter()
            .map(|h| {
                let dataset = &spent.datasets[h.dataset];
                Found {
                    dataset: program.datasets[h.dataset].qualified.clone(),
                    place: dataset.place(h.row),
                    columns: h
                        .columns
                        .iter()
                        .map(|c| dataset.columns[*c as usize].clone())
                        .collect(),
                }
            })
            .collect(),
        traces,
        records,
    })
}

/// The fate of every record concerned: those the traces made first, in their order, then
/// the rest the sources, roster or state named.
fn fates(
    built: &Built,
    wanted: &Wanted,
    made: &[(EntityKind, String)],
    opts: &Options,
) -> Vec<RecordFate> {
    let fates = fate::Fates {
        roster: &built.spent.roster,
        plan: &built.plan,
        stored: &built.spent.stored,
        show_sensitive: opts.show_sensitive,
    };
    let mut order: Vec<(EntityKind, &str)> = Vec::new();
    let all = made.iter().map(|(k, key)| (*k, key.as_str())).chain(
        wanted
            .keys
            .iter()
            .flat_map(|(k, keys)| keys.iter().map(|key| (*k, key.as_str()))),
    );
    for (kind, key) in all {
        if !order.contains(&(kind, key)) {
            order.push((kind, key));
        }
    }
    order
        .into_iter()
        .map(|(kind, key)| {
            let mut fate = fates.of(kind, key);
            fate.traces = made
                .iter()
                .enumerate()
                .filter(|(_, (k, m))| *k == kind && m == key)
                .map(|(i, _)| i)
                .collect();
            fate
        })
        .collect()
}

fn shown_who(who: &str, needle: &Needle, opts: &Options) -> String {
    if needle.is_sensitive() && !opts.show_sensitive {
        MASK.to_string()
    } else {
        who.trim().to_string()
    }
}

fn not_found(who: &str, needle: &Needle, opts: &Options, roster: &Roster) -> Diag {
    let what = match needle {
        Needle::Pnr(_) => "the personnummer",
        Needle::Email(_) => "the e-mail address",
        Needle::Id(_) => "the id",
    };
    let guess = match needle {
        Needle::Id(id) => closest_id(id, roster)
            .map(|c| format!("did you mean `{c}`? "))
            .unwrap_or_default(),
        _ => String::new(),
    };
    Diag::error(
        Code::NotFound,
        format!(
            "{what} {} is in no source row, no record of the run and no target's state",
            shown_who(who, needle, opts)
        ),
    )
    .help(format!(
        "{guess}an id is looked for in the columns that make keys, an e-mail or personnummer \
         in every column. Rows of persons with protected identity are dropped as they are read \
         (`protected:` on the dataset) and are never shown"
    ))
}

/// The roster's key, account name or group name nearest to a mistyped id (never one
/// derived from a personnummer).
fn closest_id<'r>(id: &str, roster: &'r Roster) -> Option<&'r str> {
    let kinds = roster.entities.iter().filter(|(kind, _)| {
        !roster.sensitive_keys.contains(kind) && **kind != EntityKind::Membership
    });
    let names = kinds.flat_map(|(kind, records)| {
        records.iter().flat_map(move |(key, r)| {
            let values = ["username", "name"].map(|f| r.get(*kind, f));
            std::iter::once(key).chain(values.into_iter().flatten())
        })
    });
    crate::diagnostic::suggest::closest(id, names)
}
