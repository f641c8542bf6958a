//! Runs one entity block: bind rows, join, filter, compute key and fields.

use super::eval::{Env, EvalError};
use super::join::{self, fatal};
use super::tuples::Tuples;
use crate::check::{BlockPlan, FieldPlan};
use crate::diagnostic::{Code, Diag};
use crate::model::{EntityKind, FieldsRef, Packed, Run};
use std::borrow::Cow;

/// The records one part of a block mapped (one core's share of its rows), and the dataset
/// the rows are of (for duplicate reports).
pub struct Mapped {
    pub dataset: usize,
    pub records: Arrivals,
}

/// Each record's sync key, fields and row, packed: in row order for a block whose records
/// are placed one by one (groups), or sorted by key a segment at a time into runs.
pub enum Arrivals {
    InOrder(Packed),
    Runs(Vec<Run>),
}

impl Mapped {
    /// How many records the part mapped.
    pub fn len(&self) -> usize {
        match &self.records {
            Arrivals::InOrder(records) => records.len(),
            Arrivals::Runs(runs) => runs.iter().map(Run::len).sum(),
        }
    }

    /// Each record's key, fields and row in row order (none for a part sorted into runs).
    pub fn in_order(&self) -> impl Iterator<Item = (&str, FieldsRef<'_>, u32)> {
        let records = match &self.records {
            Arrivals::InOrder(records) => Some(records.iter()),
            Arrivals::Runs(_) => None,
        };
        records.into_iter().flatten()
    }
}

/// A part's records are sorted into a run each time this many have been mapped: the
/// unsorted ones (about 35 MB of memberships at most) are then used again for the next
/// segment. The crate's own tests use segments of a few records, so that every block they
/// map of more is placed from several runs.
const SEGMENT: usize = if cfg!(test) { 5 } else { 1 << 18 };

/// The row a record started from: (dataset index, row). Formatted only when reported.
pub type Origin = (usize, u32);

/// The row of the block's first dataset a tuple started from.
pub fn origin(env: &Env, tuple: &[Option<u32>]) -> Origin {
    (env.slots[0], tuple[0].unwrap_or(0))
}

/// What a block made, and the rows it left out and why.
pub struct Ran {
    /// In row order, in the parts the rows were mapped in (one per core that mapped them):
    /// kept as they are, not copied into one list.
    pub mapped: Vec<Mapped>,
    /// Rows the `where` is false for.
    pub filtered: Vec<Origin>,
    /// Per inner join (in the order of `block.joins`), rows that found no match.
    pub unmatched: Vec<Vec<Origin>>,
}

pub fn run<'p>(
    block: &'p BlockPlan,
    env: &Env,
    indexes: &mut join::Indexes<'p>,
) -> Result<Ran, Diag> {
    let base = &env.datasets[block.slots[0]];
    let mut tuples = Tuples::from_rows(block.slots.len(), base.len());
    let mut unmatched = Vec::with_capacity(block.joins.len());
    for plan in &block.joins {
        let mut dropped = Vec::new();
        tuples = join::run(plan, env, tuples, (&mut dropped, indexes))?;
        unmatched.push(dropped);
    }
    // Rows map independently: large blocks are split over the machine's cores, and the
    // parts joined in row order, so the result (and the first error) is the same.
    let workers = env.ctx.threads.min(tuples.len() / ROWS_PER_WORKER).max(1);
    let width = tuples.width.max(1);
    let parts = tuples.parts(workers);
    let done = super::parts::each(&parts, |p| map_part(block, env, p, width));
    let mut mapped = Vec::with_capacity(done.len());
    let mut filtered = Vec::new();
    for part in done {
        let part = part?;
        mapped.push(part.mapped);
        filtered.extend(part.filtered);
    }
    Ok(Ran {
        mapped,
        filtered,
        unmatched,
    })
}

/// Below this many rows per core a block is mapped on one: a thread costs more than it saves.
const ROWS_PER_WORKER: usize = 5_000;

/// What one run of tuples mapped to.
struct Part {
    mapped: Mapped,
    filtered: Vec<Origin>,
}

fn map_part(
    block: &BlockPlan,
    env: &Env,
    rows: &[Option<u32>],
    width: usize,
) -> Result<Part, Diag> {
    // Groups are placed one by one, in row order (execute::map); the rest all at once.
    let sorts = block.entity != EntityKind::Group;
    let n = rows.len() / width;
    let mut records = Packed::with_capacity(if sorts { n.min(SEGMENT) } else { n });
    let mut runs = Vec::new();
    let mut sorted = 0u32;
    let mut filtered = Vec::new();
    // One record's values at a time, in room used again for the next.
    let mut values = Vec::with_capacity(block.fields.len());
    for tuple in rows.chunks_exact(width) {
        if let Some(filter) = &block.filter
            && !env.eval(filter, tuple).map_err(fatal)?.truthy()
        {
            filtered.push(origin(env, tuple));
            continue;
        }
        map_one(block, env, tuple, (&mut records, &mut values))?;
        if sorts && records.len() == SEGMENT {
            runs.push(Run::sorted(&records, sorted));
            sorted = sorted.saturating_add(SEGMENT as u32);
            records.clear();
        }
    }
    let records = if sorts {
        if !records.is_empty() {
            runs.push(Run::sorted(&records, sorted));
        }
        Arrivals::Runs(runs)
    } else {
        Arrivals::InOrder(records)
    };
    let mapped = Mapped {
        dataset: env.slots[0],
        records,
    };
    Ok(Part { mapped, filtered })
}

/// Maps one tuple into `out`, its field values made in `values`.
fn map_one<'d>(
    block: &BlockPlan,
    env: &Env<'d>,
    tuple: &[Option<u32>],
    (out, values): (&mut Packed, &mut Vec<Option<Cow<'d, str>>>),
) -> Result<(), Diag> {
    let key = env
        .eval(&block.key, tuple)
        .map_err(fatal)?
        .into_text()
        .filter(|k| !k.trim().is_empty());
    let Some(key) = key else {
        return Err(Diag::error(
            Code::EmptyKey,
            format!("a {} record has an empty key", block.entity.name()),
        )
        .label(block.key_span, "evaluates to nothing for this record")
        .at(env.location(tuple))
        .help(
            "every record needs a key; filter such records out with `where`, or fix the source",
        ));
    };
    values.clear();
    for (def, plan) in block.entity.fields().iter().zip(&block.fields) {
        let value = match plan {
            Some(p) => eval_field(p, env, tuple)?,
            None => None,
        };
        if let (Some(allowed), Some(v), Some(p)) = (def.allowed, &value, plan)
            && !allowed.contains(&v.as_ref())
        {
            return Err(Diag::error(
                Code::InvalidValue,
                format!(
                    "`{}.{}` is `{v}`, which is not allowed",
                    block.entity.name(),
                    def.name
                ),
            )
            .label(p.span, "produces this value")
            .at(env.location(tuple))
            .help(format!(
                "allowed values: {}; map register values with `lookup` or `if`",
                allowed.join(", ")
            )));
        }
        values.push(value);
    }
    let row = origin(env, tuple).1;
    out.push(&key, values.iter().map(Option::as_deref), row);
    Ok(())
}

fn eval_field<'d>(
    plan: &FieldPlan,
    env: &Env<'d>,
    tuple: &[Option<u32>],
) -> Result<Option<Cow<'d, str>>, Diag> {
    match env.eval(&plan.ir, tuple) {
        Ok(v) => Ok(v.into_text()),
        Err(EvalError::Soft(_)) => Ok(None),
        Err(e) => Err(fatal(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{FileId, SourceMap, Span};
    use crate::execute::join::Indexes;
    use crate::execute::merge::Pending;
    use crate::execute::place::{Batch, Folds, place_all};
    use crate::functions::CallCtx;
    use crate::source::Dataset;

    /// A block of more rows than a segment holds maps them into several runs, each in key
    /// order; placed, they make the table a block of one run would, with the same record
    /// kept of each key (the first row) and the same reported again.
    #[test]
    fn a_block_maps_its_rows_into_runs_and_placement_joins_them() {
        let mut rows = Dataset::new("people".into(), vec!["id".into()]);
        let ids: Vec<String> = (0..23).map(|i| format!("p{:02}", (i * 7) % 20)).collect();
        for (line, id) in (2..).zip(&ids) {
            rows.push_row([id.as_str()].into_iter(), line);
        }
        let datasets = [rows];
        let span = Span::new(FileId(0), 0, 1);
        let block = BlockPlan {
            entity: EntityKind::Person,
            span,
            slots: vec![0],
            aliases: vec!["p".into()],
            joins: Vec::new(),
            filter: None,
            filter_span: None,
            key: crate::check::Ir::Col { slot: 0, col: 0 },
            key_span: span,
            key_sensitive: false,
            fields: Vec::new(),
        };
        let ctx = CallCtx::new(chrono::NaiveDate::MIN);
        let scripts = crate::script::Scripts::new(std::time::Duration::from_secs(1));
        let sources = SourceMap::new();
        let env = Env {
            datasets: &datasets,
            slots: &block.slots,
            ctx: &ctx,
            lookups: &[],
            scripts: &scripts,
            sources: &sources,
        };
        let ran = run(&block, &env, &mut Indexes::default()).unwrap();
        let mut parts = ran.mapped;
        assert_eq!(parts.len(), 1, "23 rows are mapped on one core");
        let mapped = parts.remove(0);
        assert_eq!(mapped.len(), 23);
        let Arrivals::Runs(runs) = &mapped.records else {
            panic!("a person block sorts its records into runs");
        };
        assert_eq!(runs.len(), 23usize.div_ceil(SEGMENT));
        let (mut pending, mut again) = (Pending::new(), Vec::new());
        let folds = Folds {
            pending: &mut pending,
            duplicates: &mut again,
        };
        let batch = Batch {
            mapped,
            first_seq: 1,
            key_span: span,
        };
        let at = |(_, row): Origin| format!("row {row}");
        let table = place_all(EntityKind::Person, vec![batch], false, folds, (at, 1), None).0;
        let mut distinct = ids.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(table.keys().collect::<Vec<_>>(), distinct);
        // p00, p07 and p14 come again in rows 20-22, after their first rows 0, 1 and 2.
        let reported: Vec<(usize, String, String)> = again
            .iter()
            .map(|(seq, (_, key, first, _, _))| (*seq, key.clone(), first.clone()))
            .collect();
        let expected = [
            (21, "p00", "row 0"),
            (22, "p07", "row 1"),
            (23, "p14", "row 2"),
        ];
        let expected: Vec<(usize, String, String)> = (expected.iter())
            .map(|&(seq, k, f)| (seq, k.to_string(), f.to_string()))
            .collect();
        assert_eq!(reported, expected);
    }
}
