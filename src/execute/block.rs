//! Runs one entity block: bind rows, join, filter, compute key and fields.

use super::eval::{Env, EvalError};
use super::join::{self, fatal};
use super::tuples::Tuples;
use crate::check::{BlockPlan, FieldPlan};
use crate::diagnostic::{Code, Diag};
use crate::model::{Record, Value};

/// A mapped record and where it came from, for duplicate reports.
pub struct Mapped {
    pub record: Record,
    pub origin: Origin,
}

/// The row a record started from: (dataset index, row). Formatted only when reported.
pub type Origin = (usize, u32);

/// The row of the block's first dataset a tuple started from.
pub fn origin(env: &Env, tuple: &[Option<u32>]) -> Origin {
    (env.slots[0], tuple[0].unwrap_or(0))
}

/// What a block made, and the rows it left out and why.
pub struct Ran {
    pub mapped: Vec<Mapped>,
    /// Rows the `where` is false for.
    pub filtered: Vec<Origin>,
    /// Per inner join (in the order of `block.joins`), rows that found no match.
    pub unmatched: Vec<Vec<Origin>>,
}

pub fn run(block: &BlockPlan, env: &Env) -> Result<Ran, Diag> {
    let base = &env.datasets[block.slots[0]];
    let mut tuples = Tuples::from_rows(block.slots.len(), base.len());
    let mut unmatched = Vec::with_capacity(block.joins.len());
    for plan in &block.joins {
        let mut dropped = Vec::new();
        tuples = join::run(plan, env, tuples, &mut dropped)?;
        unmatched.push(dropped);
    }
    let mut mapped = Vec::new();
    let mut filtered = Vec::new();
    for tuple in tuples.iter() {
        if let Some(filter) = &block.filter
            && !env.eval(filter, tuple).map_err(fatal)?.truthy()
        {
            filtered.push(origin(env, tuple));
            continue;
        }
        mapped.push(map_one(block, env, tuple)?);
    }
    Ok(Ran {
        mapped,
        filtered,
        unmatched,
    })
}

fn map_one(block: &BlockPlan, env: &Env, tuple: &[Option<u32>]) -> Result<Mapped, Diag> {
    let key = env
        .eval(&block.key, tuple)
        .map_err(fatal)?
        .to_text()
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
    let mut fields = Vec::with_capacity(block.fields.len());
    for (def, plan) in block.entity.fields().iter().zip(&block.fields) {
        let value = match plan {
            Some(p) => eval_field(p, env, tuple)?,
            None => None,
        };
        if let (Some(allowed), Some(v), Some(p)) = (def.allowed, &value, plan)
            && !allowed.contains(&v.as_str())
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
        fields.push(value);
    }
    Ok(Mapped {
        record: Record::active(key, fields),
        origin: origin(env, tuple),
    })
}

fn eval_field(plan: &FieldPlan, env: &Env, tuple: &[Option<u32>]) -> Result<Option<String>, Diag> {
    match env.eval(&plan.ir, tuple) {
        Ok(Value::Null) => Ok(None),
        Ok(v) => Ok(v.to_text()),
        Err(EvalError::Soft(_)) => Ok(None),
        Err(e) => Err(fatal(e)),
    }
}
