//! Evaluates checked expressions on one bound row tuple.

use crate::check::Ir;
use crate::diagnostic::{Code, Diag, SourceMap, Span};
use crate::functions::CallCtx;
use crate::model::Value;
use crate::script::Scripts;
use crate::source::Dataset;
use crate::syntax::ast::BinOp;
use std::cmp::Ordering;
use std::collections::HashMap;

/// A failure during evaluation.
pub enum EvalError {
    /// A handled failure: `??` catches it (the checker guarantees one is there).
    Soft(String),
    /// Stops the run: a `!` call failed, or a script failed.
    Fatal(Box<Diag>),
}

/// What expressions can see while one block runs.
pub struct Env<'d> {
    pub datasets: &'d [Dataset],
    /// Dataset index per slot.
    pub slots: &'d [usize],
    pub ctx: &'d CallCtx,
    pub lookups: &'d [HashMap<String, String>],
    pub scripts: &'d Scripts,
    pub sources: &'d SourceMap,
}

impl<'d> Env<'d> {
    /// `file:line` of the record being evaluated (its first bound row).
    pub fn location(&self, rows: &[Option<u32>]) -> String {
        rows.iter()
            .enumerate()
            .find_map(|(slot, row)| {
                row.map(|r| {
                    let d = &self.datasets[self.slots[slot]];
                    d.place(r)
                })
            })
            .unwrap_or_else(|| "a record".to_string())
    }

    pub fn eval(&self, ir: &Ir, rows: &[Option<u32>]) -> Result<Value<'d>, EvalError> {
        match ir {
            Ir::Const(v) => Ok(v.clone()),
            Ir::Col { slot, col } => Ok(match rows[*slot] {
                Some(row) => Value::field(self.datasets[self.slots[*slot]].get(row, *col)),
                None => Value::Null,
            }),
            Ir::Not(x) => Ok(match self.eval(x, rows)? {
                Value::Bool(b) => Value::Bool(!b),
                _ => Value::Null,
            }),
            Ir::Neg(x) => Ok(match self.eval(x, rows)? {
                Value::Num(n) => Value::Num(-n),
                _ => Value::Null,
            }),
            Ir::Bin(op, l, r) => self.binary(*op, l, r, rows),
            Ir::If(c, t, o) => {
                if self.eval(c, rows)?.truthy() {
                    self.eval(t, rows)
                } else {
                    self.eval(o, rows)
                }
            }
            Ir::Call { func, args, abort } => {
                let values = args
                    .iter()
                    .map(|a| self.eval(a, rows))
                    .collect::<Result<Vec<_>, _>>()?;
                (func.call)(&values, self.ctx).map_err(|m| self.failure(m, *abort, rows))
            }
            Ir::Lookup { table, key, abort } => {
                let key = self.eval(key, rows)?;
                let Some(text) = key.to_text() else {
                    return Ok(Value::Null);
                };
                match self.lookups[*table].get(&text) {
                    Some(v) => Ok(Value::str(v.clone())),
                    None => Err(self.failure(
                        format!("`{text}` is not in the lookup table"),
                        *abort,
                        rows,
                    )),
                }
            }
            Ir::Script { index, args, span } => {
                let values = args
                    .iter()
                    .map(|a| self.eval(a, rows))
                    .collect::<Result<Vec<_>, _>>()?;
                self.scripts
                    .run(*index, &values, self.sources, *span)
                    .map_err(|d| EvalError::Fatal(Box::new(d.at(self.location(rows)))))
            }
        }
    }

    fn failure(&self, message: String, abort: Option<Span>, rows: &[Option<u32>]) -> EvalError {
        match abort {
            None => EvalError::Soft(message),
            Some(span) => EvalError::Fatal(Box::new(
                Diag::error(Code::EvalFailed, message)
                    .label(span, "failed here, and `!` stops the run")
                    .at(self.location(rows))
                    .help("fix the source record, or handle the failure with `?? fallback` instead of `!`"),
            )),
        }
    }

    fn binary(
        &self,
        op: BinOp,
        l: &Ir,
        r: &Ir,
        rows: &[Option<u32>],
    ) -> Result<Value<'d>, EvalError> {
        match op {
            BinOp::Coalesce => match self.eval(l, rows) {
                Ok(v) if !v.is_null() => Ok(v),
                Ok(_) | Err(EvalError::Soft(_)) => self.eval(r, rows),
                Err(fatal) => Err(fatal),
            },
            BinOp::And => Ok(Value::Bool(
                self.eval(l, rows)?.truthy() && self.eval(r, rows)?.truthy(),
            )),
            BinOp::Or => Ok(Value::Bool(
                self.eval(l, rows)?.truthy() || self.eval(r, rows)?.truthy(),
            )),
            _ => {
                let a = self.eval(l, rows)?;
                let b = self.eval(r, rows)?;
                Ok(apply(op, a, b))
            }
        }
    }
}

/// Operators on two evaluated values; null in arithmetic gives null.
pub fn apply<'d>(op: BinOp, a: Value<'d>, b: Value<'d>) -> Value<'d> {
    match op {
        BinOp::Eq => Value::Bool(equal(&a, &b)),
        BinOp::Ne => Value::Bool(!equal(&a, &b)),
        BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => match compare(&a, &b) {
            Some(ord) => Value::Bool(match op {
                BinOp::Lt => ord.is_lt(),
                BinOp::Le => ord.is_le(),
                BinOp::Gt => ord.is_gt(),
                _ => ord.is_ge(),
            }),
            None => Value::Bool(false),
        },
        _ if a.is_null() || b.is_null() => Value::Null,
        BinOp::Add => match (a, b) {
            (Value::Num(x), Value::Num(y)) => Value::Num(x + y),
            (Value::Date(d), Value::Days(n)) => shift(d, n),
            (x, y) => Value::str(concat(&x, &y)),
        },
        BinOp::Sub => match (a, b) {
            (Value::Num(x), Value::Num(y)) => Value::Num(x - y),
            (Value::Date(d), Value::Days(n)) => shift(d, -n),
            _ => Value::Null,
        },
        BinOp::Mul => match (a, b) {
            (Value::Num(x), Value::Num(y)) => Value::Num(x * y),
            _ => Value::Null,
        },
        BinOp::Div => match (a, b) {
            (Value::Num(x), Value::Num(y)) if y != 0.0 => Value::Num(x / y),
            _ => Value::Null,
        },
        BinOp::Coalesce | BinOp::And | BinOp::Or => Value::Null,
    }
}

/// `x + y` as text. Two strings are joined into exactly their length: a sync key such as
/// `m.GruppId + "/" + m.Personnummer` is kept for the whole run, millions of times, and
/// `format!` would leave it with up to twice the room.
fn concat(x: &Value, y: &Value) -> String {
    match (x.as_str(), y.as_str()) {
        (Some(a), Some(b)) => {
            let mut joined = String::with_capacity(a.len() + b.len());
            joined.push_str(a);
            joined.push_str(b);
            joined
        }
        _ => format!("{x}{y}"),
    }
}

fn shift(date: chrono::NaiveDate, days: i64) -> Value<'static> {
    date.checked_add_signed(chrono::Duration::days(days))
        .map_or(Value::Null, Value::Date)
}

fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::Null, _) | (_, Value::Null) => false,
        (Value::Num(x), Value::Num(y)) => x == y,
        _ if std::mem::discriminant(a) == std::mem::discriminant(b) => a == b,
        _ => a.to_string() == b.to_string(),
    }
}

fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Str(x), Value::Str(y)) => Some(x.cmp(y)),
        (Value::Num(x), Value::Num(y)) => x.partial_cmp(y),
        (Value::Date(x), Value::Date(y)) => Some(x.cmp(y)),
        (Value::Days(x), Value::Days(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Joined text takes exactly its length (a key is kept all run); other values are
    /// joined as they print.
    #[test]
    fn joined_text_has_no_spare_room() {
        let group = Value::field("00010799-c5c9-d41a-d60b-ab7a25043c91");
        let with_slash = concat(&group, &Value::field("/"));
        let key = concat(&Value::str(with_slash), &Value::field("198011084731"));
        assert_eq!(key, "00010799-c5c9-d41a-d60b-ab7a25043c91/198011084731");
        assert_eq!(key.capacity(), key.len());
        assert_eq!(concat(&Value::field("year "), &Value::Num(7.0)), "year 7");
    }
}
