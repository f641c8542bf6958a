//! Hash joins: index the joined dataset on its side of `==`, then probe with each tuple.

use super::block::{Origin, origin};
use super::eval::{Env, EvalError};
use super::tuples::Tuples;
use crate::check::{BlockPlan, JoinPlan};
use crate::diagnostic::Diag;
use crate::model::Value;
use crate::syntax::ast::JoinKind;

use super::join_index::{JoinIndex as Index, Rows};

/// The join indexes a run has built, kept for a later block that joins the same dataset on
/// the same expression (pupils and staff both joined to AD by personnummer): at national
/// scale an index of a million rows takes most of a second to build.
#[derive(Default)]
pub struct Indexes<'p> {
    built: Vec<(usize, &'p JoinPlan, Index)>,
}

impl<'p> Indexes<'p> {
    /// The index `join` needs, built now unless an earlier block built the same one.
    fn get(&mut self, join: &'p JoinPlan, env: &Env, width: usize) -> Result<&Index, Diag> {
        let dataset = env.slots[join.slot];
        let found = self
            .built
            .iter()
            .position(|(d, j, _)| *d == dataset && same_index(j, join));
        let at = match found {
            Some(at) => at,
            None => {
                self.built.push((dataset, join, build(join, env, width)?));
                self.built.len() - 1
            }
        };
        Ok(&self.built[at].2)
    }

    /// Drops the indexes no `later` block will join with.
    pub fn release(&mut self, later: &[BlockPlan]) {
        self.built.retain(|(dataset, kept, _)| {
            later.iter().any(|block| {
                (block.joins.iter()).any(|j| block.slots[j.slot] == *dataset && same_index(j, kept))
            })
        });
    }

    /// How many indexes are kept.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.built.len()
    }
}

/// Two joins index their dataset alike: the same build side, `first by` and rule for
/// temporary personal numbers, whatever the block.
fn same_index(a: &JoinPlan, b: &JoinPlan) -> bool {
    let same_order = a.first_by.len() == b.first_by.len()
        && (a.first_by.iter().zip(&b.first_by))
            .all(|((x, down), (y, down2))| down == down2 && x.same_as(y));
    a.slot == b.slot && a.personal == b.personal && a.build.same_as(&b.build) && same_order
}

/// Joins `tuples` with the joined dataset; an inner join's tuples without a match are
/// dropped, and their first rows are put in `unmatched`.
pub fn run<'p>(
    join: &'p JoinPlan,
    env: &Env,
    tuples: Tuples,
    (unmatched, indexes): (&mut Vec<Origin>, &mut Indexes<'p>),
) -> Result<Tuples, Diag> {
    let index = indexes.get(join, env, tuples.width)?;
    let workers = env.ctx.threads.min(tuples.len() / PER_WORKER).max(1);
    let done = super::parts::each(&tuples.parts(workers), |part| {
        probe(join, env, index, (part, tuples.width))
    });
    let mut out = Tuples::new(tuples.width);
    for part in done {
        let (joined, missed) = part?;
        out.append(joined);
        unmatched.extend(missed);
    }
    Ok(out)
}

/// Below this many tuples (or rows to index) per core a join runs on one.
const PER_WORKER: usize = 20_000;

/// One part of the tuples joined: what they join to, and the first rows of the tuples that
/// match nothing in an inner join.
fn probe(
    join: &JoinPlan,
    env: &Env,
    index: &Index,
    (tuples, width): (&[Option<u32>], usize),
) -> Result<(Tuples, Vec<Origin>), Diag> {
    let mut out = Tuples::new(width);
    let mut unmatched = Vec::new();
    let mut row = vec![None; width];
    for tuple in tuples.chunks_exact(width.max(1)) {
        let key = env.eval(&join.probe, tuple).map_err(fatal)?.into_text();
        let key = key.filter(|k| matchable(join, k));
        let matches = key.as_ref().and_then(|k| index.get(k));
        match matches {
            Some(rows) => {
                for r in rows {
                    row.copy_from_slice(tuple);
                    row[join.slot] = Some(*r);
                    out.push(&row);
                }
            }
            None if join.kind == JoinKind::Left => out.push(tuple),
            None => unmatched.push(origin(env, tuple)),
        }
    }
    Ok((out, unmatched))
}

/// The joined dataset's rows by their value of the join's build side (after `first by`);
/// `width` is the block's slot count.
pub fn build(join: &JoinPlan, env: &Env, width: usize) -> Result<Index, Diag> {
    let dataset = &env.datasets[env.slots[join.slot]];
    let rows = dataset.len() as u32;
    let workers = env.ctx.threads.min(rows as usize / PER_WORKER).max(1) as u32;
    let per = rows.div_ceil(workers).max(1);
    let parts: Vec<std::ops::Range<u32>> = (0..workers)
        .map(|w| (w * per).min(rows)..((w + 1) * per).min(rows))
        .collect();
    // The keys are worked out on up to `threads` cores, then indexed in row order.
    let keyed = super::parts::each(&parts, |part| {
        let mut tuple = vec![None; width];
        let mut keys = Vec::with_capacity(part.len());
        for r in part.clone() {
            tuple[join.slot] = Some(r);
            let key = env.eval(&join.build, &tuple).map_err(fatal)?.into_text();
            keys.push(key.filter(|k| matchable(join, k)));
        }
        Ok::<_, Diag>(keys)
    });
    let mut index = Index::with_capacity(dataset.len());
    for (part, keys) in parts.iter().zip(keyed) {
        for (r, key) in part.clone().zip(keys?) {
            if let Some(key) = key {
                index.push(&key, r);
            }
        }
    }
    if !join.first_by.is_empty() {
        for matches in index.several() {
            let best = first(join, env, width, matches.as_slice())?;
            *matches = Rows::One(best);
        }
    }
    Ok(index)
}

/// The row of `matches` that sorts first by `first by` (the earliest row on a tie).
fn first(join: &JoinPlan, env: &Env, width: usize, matches: &[u32]) -> Result<u32, Diag> {
    let mut rows = vec![None; width];
    let mut order_of = |r: u32| -> Result<Vec<Value<'_>>, Diag> {
        rows[join.slot] = Some(r);
        join.first_by
            .iter()
            .map(|(ir, _)| env.eval(ir, &rows).map(Value::into_owned).map_err(fatal))
            .collect()
    };
    let mut best = matches[0];
    let mut best_order = order_of(best)?;
    for &r in &matches[1..] {
        let order = order_of(r)?;
        if sorts_before(join, &order, &best_order) {
            best = r;
            best_order = order;
        }
    }
    Ok(best)
}

fn sorts_before(join: &JoinPlan, a: &[Value<'_>], b: &[Value<'_>]) -> bool {
    for ((x, y), (_, descending)) in a.iter().zip(b).zip(&join.first_by) {
        let ord = x.sort_cmp(y);
        let ord = if *descending { ord.reverse() } else { ord };
        if ord != std::cmp::Ordering::Equal {
            return ord == std::cmp::Ordering::Less;
        }
    }
    false
}

/// Temporary personal numbers are neither unique nor permanent: never matched.
pub fn matchable(join: &JoinPlan, key: &str) -> bool {
    !(join.personal && crate::domain::personnummer::looks_temporary(key))
}

/// A soft error cannot reach here (the checker requires join sides to be handled).
pub fn fatal(e: EvalError) -> Diag {
    match e {
        EvalError::Fatal(d) => *d,
        EvalError::Soft(m) => Diag::error(crate::diagnostic::Code::EvalFailed, m),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Ir;
    use crate::diagnostic::{FileId, Span};

    /// `replace(trim(a.employeeNumber), "-", "")` on slot 1, column `col`.
    fn build_side(col: u32, abort: Option<Span>) -> Ir {
        let call = |name: &str, args: Vec<Ir>, abort| Ir::Call {
            func: crate::functions::find(name).unwrap(),
            args,
            abort,
        };
        let trim = call("trim", vec![Ir::Col { slot: 1, col }], None);
        let dash = Ir::Const(Value::str("-"));
        call(
            "replace",
            vec![trim, dash, Ir::Const(Value::str(""))],
            abort,
        )
    }

    fn join(build: Ir, at: usize, personal: bool) -> JoinPlan {
        let span = Span::new(FileId(0), at, at + 10);
        JoinPlan {
            slot: 1,
            kind: JoinKind::Left,
            probe: Ir::Col { slot: 0, col: 0 },
            build,
            personal,
            span,
            first_by: vec![(Ir::Col { slot: 1, col: 4 }, true)],
        }
    }

    /// Two blocks' joins index alike when they differ only in where they are written.
    #[test]
    fn joins_written_in_two_places_share_an_index() {
        let pupils = join(build_side(0, None), 100, true);
        let staff = join(build_side(0, None), 900, true);
        assert!(same_index(&pupils, &staff));
        let other_column = join(build_side(2, None), 900, true);
        assert!(!same_index(&pupils, &other_column));
        let temporary_too = join(build_side(0, None), 900, false);
        assert!(!same_index(&pupils, &temporary_too));
        let mut other_order = join(build_side(0, None), 900, true);
        other_order.first_by[0].1 = false;
        assert!(!same_index(&pupils, &other_order));
        // One that can stop the run reports its own place: never shared.
        let stops = Some(Span::new(FileId(0), 5, 9));
        let aborting = join(build_side(0, stops), 100, true);
        assert!(!same_index(
            &aborting,
            &join(build_side(0, stops), 100, true)
        ));
    }

    /// The second block that joins AD alike finds the first block's index; a join on
    /// another column gets its own. The index holds each account's rows by the cleaned key.
    #[test]
    fn an_index_is_built_once_for_joins_alike() {
        let mut pupils_file = crate::source::Dataset::new("elever".into(), vec!["pnr".into()]);
        pupils_file.push_row(["19121212-1212"].into_iter(), 2);
        let columns = ["employeeNumber", "b", "c", "d", "enabled"].map(String::from);
        let mut ad = crate::source::Dataset::new("ad".into(), columns.to_vec());
        ad.push_row([" 19121212-1212", "x", "", "", "TRUE"].into_iter(), 2);
        ad.push_row(["20100101-T123", "y", "", "", "TRUE"].into_iter(), 3);
        let datasets = [pupils_file, ad];
        let ctx = crate::functions::CallCtx::new(chrono::NaiveDate::MIN);
        let scripts = crate::script::Scripts::new(std::time::Duration::from_secs(1));
        let sources = crate::diagnostic::SourceMap::new();
        let env = Env {
            datasets: &datasets,
            slots: &[0, 1],
            ctx: &ctx,
            lookups: &[],
            scripts: &scripts,
            sources: &sources,
        };
        let (pupils, staff) = (
            join(build_side(0, None), 100, true),
            join(build_side(0, None), 900, true),
        );
        let other_column = join(build_side(1, None), 900, true);
        let mut indexes = Indexes::default();
        let index = indexes.get(&pupils, &env, 2).unwrap();
        assert_eq!(index.get("191212121212"), Some(&[0][..]));
        assert_eq!(index.len(), 1, "a temporary number is not indexed");
        indexes.get(&staff, &env, 2).unwrap();
        assert_eq!(indexes.len(), 1);
        indexes.get(&other_column, &env, 2).unwrap();
        assert_eq!(indexes.len(), 2);

        // Kept only while a later block joins alike: here one that joins like the pupils.
        let span = Span::new(FileId(0), 0, 1);
        let later = BlockPlan {
            entity: crate::model::EntityKind::Person,
            span,
            slots: vec![0, 1],
            aliases: vec!["p".into(), "a".into()],
            joins: vec![join(build_side(0, None), 1500, true)],
            filter: None,
            filter_span: None,
            key: Ir::Col { slot: 0, col: 0 },
            key_span: span,
            key_sensitive: false,
            fields: Vec::new(),
        };
        indexes.release(std::slice::from_ref(&later));
        assert_eq!(indexes.len(), 1);
        assert!(indexes.get(&staff, &env, 2).is_ok() && indexes.len() == 1);
        indexes.release(&[]);
        assert_eq!(indexes.len(), 0);
    }
}
