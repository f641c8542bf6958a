//! Hash joins: index the joined dataset on its side of `==`, then probe with each tuple.

use super::block::{Origin, origin};
use super::eval::{Env, EvalError};
use super::tuples::Tuples;
use crate::check::JoinPlan;
use crate::diagnostic::Diag;
use crate::model::Value;
use crate::syntax::ast::JoinKind;
use std::collections::HashMap;

/// Joins `tuples` with the joined dataset; an inner join's tuples without a match are
/// dropped, and their first rows are put in `unmatched`.
pub fn run(
    join: &JoinPlan,
    env: &Env,
    tuples: Tuples,
    unmatched: &mut Vec<Origin>,
) -> Result<Tuples, Diag> {
    let index = build(join, env, tuples.width)?;
    let mut out = Tuples::new(tuples.width);
    let mut row = vec![None; tuples.width];
    for tuple in tuples.iter() {
        let key = env.eval(&join.probe, tuple).map_err(fatal)?.to_text();
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
    Ok(out)
}

/// The joined dataset's rows by their value of the join's build side (after `first by`);
/// `width` is the block's slot count.
pub fn build(join: &JoinPlan, env: &Env, width: usize) -> Result<HashMap<String, Vec<u32>>, Diag> {
    let dataset = &env.datasets[env.slots[join.slot]];
    let mut index: HashMap<String, Vec<u32>> = HashMap::with_capacity(dataset.len());
    let mut rows = vec![None; width];
    for r in 0..dataset.len() as u32 {
        rows[join.slot] = Some(r);
        let key = env.eval(&join.build, &rows).map_err(fatal)?.to_text();
        if let Some(key) = key.filter(|k| matchable(join, k)) {
            index.entry(key).or_default().push(r);
        }
    }
    if !join.first_by.is_empty() {
        for matches in index.values_mut().filter(|m| m.len() > 1) {
            let best = first(join, env, width, matches)?;
            matches.clear();
            matches.push(best);
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
