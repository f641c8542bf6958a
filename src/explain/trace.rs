//! Runs each entity block again on the rows that concern what was asked about, recording
//! every join, the `where`, the key and each field with its value and expression.

use super::find::{Keys, member_irs};
use super::model::{BlockTrace, FieldTrace, FilterTrace, JoinTrace, Outcome};
use super::trace_expr::ExprTracer;
use crate::check::{BlockPlan, Ir, Program};
use crate::diagnostic::Diag;
use crate::execute::join_index::JoinIndex;
use crate::execute::{Env, join_index, join_matchable};
use crate::model::EntityKind;
use crate::plan::MASK;
use crate::syntax::ast::{BinOp, JoinKind};
use std::collections::HashSet;

/// What makes a row worth tracing: it holds the needle, or it makes a record that is
/// wanted, or (for a membership) it names a wanted person or group.
pub struct Wanted {
    pub rows: HashSet<(usize, u32)>,
    pub keys: Keys,
}

/// A tuple of the block's slots, and the inner join that dropped it (if one did).
struct Bound {
    rows: Vec<Option<u32>>,
    dropped_at: Option<usize>,
}

pub struct BlockTracer<'a, 'd> {
    pub program: &'a Program,
    pub block: &'a BlockPlan,
    pub env: &'a Env<'d>,
    pub show_sensitive: bool,
}

impl BlockTracer<'_, '_> {
    /// The traces of every row of the block that concerns `wanted`, with the keys made.
    pub fn run(&self, wanted: &Wanted) -> Result<Vec<(BlockTrace, String)>, Diag> {
        let indexes = self
            .block
            .joins
            .iter()
            .map(|j| join_index(j, self.env, self.block.slots.len()))
            .collect::<Result<Vec<_>, _>>()?;
        let base = &self.env.datasets[self.block.slots[0]];
        let mut out = Vec::new();
        for row in 0..base.len() as u32 {
            let mut first = vec![None; self.block.slots.len()];
            first[0] = Some(row);
            for bound in self.expand(first, 0, &indexes) {
                if self.concerns(&bound, wanted) {
                    out.push(self.trace(&bound, &indexes));
                }
            }
        }
        Ok(out)
    }

    /// Binds the joins from `from` on, as the executor does, but keeps a tuple an inner
    /// join drops (marked) so its trace can say so.
    fn expand(&self, rows: Vec<Option<u32>>, from: usize, indexes: &[JoinIndex]) -> Vec<Bound> {
        let Some(join) = self.block.joins.get(from) else {
            return vec![Bound {
                rows,
                dropped_at: None,
            }];
        };
        let matches = self.probe(from, &rows, indexes);
        if matches.is_empty() {
            if join.kind == JoinKind::Left {
                return self.expand(rows, from + 1, indexes);
            }
            return vec![Bound {
                rows,
                dropped_at: Some(from),
            }];
        }
        let mut out = Vec::new();
        for &r in matches {
            let mut next = rows.clone();
            next[join.slot] = Some(r);
            out.extend(self.expand(next, from + 1, indexes));
        }
        out
    }

    /// The joined rows a tuple matches in join `i`.
    fn probe<'i>(&self, i: usize, rows: &[Option<u32>], indexes: &'i [JoinIndex]) -> &'i [u32] {
        let join = &self.block.joins[i];
        let key = self
            .env
            .eval(&join.probe, rows)
            .ok()
            .and_then(|v| v.to_text());
        match key.filter(|k| join_matchable(join, k)) {
            Some(k) => indexes[i].get(&k).unwrap_or(&[]),
            None => &[],
        }
    }

    fn concerns(&self, bound: &Bound, wanted: &Wanted) -> bool {
        let holds = bound.rows.iter().enumerate().any(|(slot, row)| {
            row.is_some_and(|r| wanted.rows.contains(&(self.block.slots[slot], r)))
        });
        if holds {
            return true;
        }
        if bound.dropped_at.is_some() {
            return false;
        }
        let wants = |kind: EntityKind, ir: &Ir| {
            let value = self
                .env
                .eval(ir, &bound.rows)
                .ok()
                .and_then(|v| v.to_text());
            value.is_some_and(|v| wanted.keys.get(&kind).is_some_and(|k| k.contains(&v)))
        };
        if wants(self.block.entity, &self.block.key) {
            return true;
        }
        self.block.entity == EntityKind::Membership
            && member_irs(self.block)
                .zip([EntityKind::Person, EntityKind::Group])
                .any(|(ir, kind)| wants(kind, ir))
    }

    fn tracer(&self) -> ExprTracer<'_, '_> {
        ExprTracer {
            env: self.env,
            aliases: &self.block.aliases,
            show_sensitive: self.show_sensitive,
        }
    }

    /// The trace of one tuple, and the key it makes (unmasked, to follow it further).
    fn trace(&self, bound: &Bound, indexes: &[JoinIndex]) -> (BlockTrace, String) {
        let block = self.block;
        let sources = self.env.sources;
        let dataset_name = |slot: usize| self.program.datasets[block.slots[slot]].qualified.clone();
        let base = &self.env.datasets[block.slots[0]];
        let reached = bound.dropped_at.map_or(block.joins.len(), |i| i + 1);
        let joins = (0..reached)
            .map(|i| self.trace_join(i, bound, indexes, &dataset_name(block.joins[i].slot)))
            .collect();
        let filter = match (&block.filter, bound.dropped_at) {
            (Some(ir), None) => {
                let (value, steps) = self.tracer().trace(ir, &bound.rows);
                let span = block.filter_span.unwrap_or(block.span);
                Some(FilterTrace {
                    condition: one_line(sources.slice(span)),
                    at: sources.position(span),
                    steps,
                    passed: value.is_true(),
                })
            }
            _ => None,
        };
        let outcome = match (bound.dropped_at, &filter) {
            (Some(join), _) => Outcome::NoMatch { join },
            (None, Some(f)) if !f.passed => Outcome::Filtered,
            _ => Outcome::Made,
        };
        let key = self
            .env
            .eval(&block.key, &bound.rows)
            .ok()
            .and_then(|v| v.to_text())
            .unwrap_or_default();
        let shown_key = if block.key_sensitive && !self.show_sensitive {
            MASK.to_string()
        } else {
            key.clone()
        };
        let fields = if outcome == Outcome::Made {
            self.trace_fields(&bound.rows)
        } else {
            Vec::new()
        };
        let trace = BlockTrace {
            entity: block.entity.name().to_string(),
            block: sources.position(block.span),
            from: dataset_name(0),
            row: base.place(bound.rows[0].unwrap_or(0)),
            joins,
            filter,
            key: shown_key,
            fields,
            outcome,
        };
        (trace, key)
    }

    fn trace_join(
        &self,
        i: usize,
        bound: &Bound,
        indexes: &[JoinIndex],
        dataset: &str,
    ) -> JoinTrace {
        let join = &self.block.joins[i];
        let (probe, steps) = self.tracer().trace(&join.probe, &bound.rows);
        let matched: Vec<String> = match bound.rows[join.slot] {
            Some(_) if bound.dropped_at != Some(i) => {
                let joined = &self.env.datasets[self.block.slots[join.slot]];
                let rows = self.probe(i, &bound.rows, indexes);
                rows.iter()
                    .map(|r| format!("{dataset} {}", joined.place(*r)))
                    .collect()
            }
            _ => Vec::new(),
        };
        let note = matched.is_empty().then(|| {
            let text = probe.value.as_ref().ok().and_then(|v| v.to_text());
            let why = match text {
                None => "this record's side is empty, so it matches nothing".to_string(),
                Some(t) if !join_matchable(join, &t) => {
                    "a temporary personnummer is never matched (it is neither unique nor permanent)"
                        .to_string()
                }
                Some(_) => format!("no {dataset} row has the same value"),
            };
            match join.kind {
                JoinKind::Left => {
                    format!("{why}; kept without it (left join), its columns read as null")
                }
                JoinKind::Inner => format!("{why}; left out here (inner join)"),
            }
        });
        JoinTrace {
            dataset: dataset.to_string(),
            kind: match join.kind {
                JoinKind::Left => "left",
                JoinKind::Inner => "inner",
            }
            .to_string(),
            condition: one_line(self.env.sources.slice(join.span)),
            at: self.env.sources.position(join.span),
            steps,
            matched,
            note,
        }
    }

    fn trace_fields(&self, rows: &[Option<u32>]) -> Vec<FieldTrace> {
        let tracer = self.tracer();
        let defs = self.block.entity.fields();
        let mut out = Vec::new();
        for (def, plan) in defs.iter().zip(&self.block.fields) {
            let Some(plan) = plan else { continue };
            let (mut value, _) = tracer.trace(&plan.ir, rows);
            value.sensitive |= plan.sensitive;
            let note = match &plan.ir {
                Ir::Bin(BinOp::Coalesce, left, _) => {
                    let (left, _) = tracer.trace(left, rows);
                    left.is_null_or_failed().then(|| {
                        format!(
                            "the part before `??` gave {}, so the fallback made it",
                            left.shown(self.show_sensitive)
                        )
                    })
                }
                _ => None,
            };
            out.push(FieldTrace {
                field: def.name.to_string(),
                value: value.shown(self.show_sensitive),
                expression: one_line(self.env.sources.slice(plan.span)),
                note,
            });
        }
        out
    }
}

/// An expression as written, on one line (a `where` may span several).
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
