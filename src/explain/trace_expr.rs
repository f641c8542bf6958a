//! Traces one expression on one record: every column it reads and every call it makes,
//! with their values, in the order they were evaluated (branches not taken are skipped).

use crate::check::{Ir, is_sensitive_column};
use crate::execute::{Env, EvalError};
use crate::functions::{self, Function};
use crate::model::Value;
use crate::plan::MASK;
use crate::syntax::ast::BinOp;

/// What the tracer needs besides the evaluator: each slot's alias, and whether to show
/// personal data.
pub struct ExprTracer<'a, 'd> {
    pub env: &'a Env<'d>,
    pub aliases: &'a [String],
    pub show_sensitive: bool,
}

/// An expression's value on one record, and whether it derives from personal data.
pub struct Traced<'d> {
    pub value: Result<Value<'d>, String>,
    pub sensitive: bool,
}

impl<'d> Traced<'d> {
    /// The value as shown: `"text"`, `null`, `fails: why`, or the mask.
    pub fn shown(&self, show_sensitive: bool) -> String {
        match &self.value {
            Err(m) => format!("fails: {m}"),
            Ok(Value::Null) => "null".to_string(),
            Ok(_) if self.sensitive && !show_sensitive => MASK.to_string(),
            Ok(Value::Str(s)) => format!("{s:?}"),
            Ok(v) => v.to_string(),
        }
    }

    pub fn is_true(&self) -> bool {
        matches!(self.value, Ok(Value::Bool(true)))
    }

    pub fn is_null_or_failed(&self) -> bool {
        matches!(self.value, Ok(Value::Null) | Err(_))
    }
}

impl<'a, 'd> ExprTracer<'a, 'd> {
    /// The value of `ir` on `rows`, and the steps that led to it.
    pub fn trace(&self, ir: &Ir, rows: &[Option<u32>]) -> (Traced<'d>, Vec<String>) {
        let mut steps = Vec::new();
        let traced = self.walk(ir, rows, &mut steps);
        steps.dedup();
        (traced, steps)
    }

    fn eval(&self, ir: &Ir, rows: &[Option<u32>]) -> Result<Value<'d>, String> {
        self.env.eval(ir, rows).map_err(|e| match e {
            EvalError::Soft(m) => m,
            EvalError::Fatal(d) => d.message,
        })
    }

    fn walk(&self, ir: &Ir, rows: &[Option<u32>], steps: &mut Vec<String>) -> Traced<'d> {
        let (sensitive, step) = match ir {
            Ir::Const(_) => (false, None),
            Ir::Col { slot, col } => {
                let name = self.column(*slot, *col);
                let sensitive = is_sensitive_column(&name.1);
                (sensitive, Some(format!("{}.{}", name.0, name.1)))
            }
            Ir::Not(x) | Ir::Neg(x) => (self.walk(x, rows, steps).sensitive, None),
            Ir::Bin(op, l, r) => (self.binary(*op, l, r, rows, steps), None),
            Ir::If(c, t, o) => {
                let taken = if self.walk(c, rows, steps).is_true() {
                    t
                } else {
                    o
                };
                (self.walk(taken, rows, steps).sensitive, None)
            }
            Ir::Call { func, args, .. } => return self.call(func, ir, args, rows, steps),
            Ir::Lookup { key, .. } => {
                let key = self.walk(key, rows, steps);
                let shown = key.shown(self.show_sensitive);
                (key.sensitive, Some(format!("lookup({shown})")))
            }
            Ir::Script { args, span, .. } => {
                let args: Vec<String> = args
                    .iter()
                    .map(|a| self.walk(a, rows, steps).shown(self.show_sensitive))
                    .collect();
                let at = self.env.sources.position(*span);
                (
                    true,
                    Some(format!("the script at {at} given ({})", args.join(", "))),
                )
            }
        };
        let traced = Traced {
            value: self.eval(ir, rows),
            sensitive,
        };
        if let Some(what) = step {
            steps.push(format!("{what} = {}", traced.shown(self.show_sensitive)));
        }
        traced
    }

    /// Walks the operands of a binary operator as the evaluator does (`??`, `and` and
    /// `or` stop early); whether the result derives from personal data.
    fn binary(
        &self,
        op: BinOp,
        l: &Ir,
        r: &Ir,
        rows: &[Option<u32>],
        steps: &mut Vec<String>,
    ) -> bool {
        let left = self.walk(l, rows, steps);
        let needs_right = match op {
            BinOp::Coalesce => left.is_null_or_failed(),
            BinOp::And => left.is_true(),
            BinOp::Or => !left.is_true(),
            _ => true,
        };
        let right = needs_right.then(|| self.walk(r, rows, steps));
        let compares = matches!(
            op,
            BinOp::Eq
                | BinOp::Ne
                | BinOp::Lt
                | BinOp::Le
                | BinOp::Gt
                | BinOp::Ge
                | BinOp::And
                | BinOp::Or
        );
        !compares && (left.sensitive || right.is_some_and(|r| r.sensitive))
    }

    fn call(
        &self,
        func: &Function,
        ir: &Ir,
        args: &[Ir],
        rows: &[Option<u32>],
        steps: &mut Vec<String>,
    ) -> Traced<'d> {
        let traced: Vec<Traced> = args.iter().map(|a| self.walk(a, rows, steps)).collect();
        let sensitive = functions::is_sensitive(func.name)
            || (!matches!(func.returns, functions::Ty::Bool | functions::Ty::Num)
                && traced.iter().any(|t| t.sensitive));
        let result = Traced {
            value: self.eval(ir, rows),
            sensitive,
        };
        let shown_args = self.arguments(func, args, &traced);
        let mut step = format!(
            "{}({shown_args}) = {}",
            func.name,
            result.shown(self.show_sensitive)
        );
        if func.name == "active" {
            let values: Vec<Value> = traced
                .iter()
                .map(|t| t.value.clone().unwrap_or(Value::Null))
                .collect();
            let labels = [
                self.label(args.first(), "start"),
                self.label(args.get(1), "end"),
            ];
            let why = functions::active::why(
                &values,
                [labels[0].as_str(), labels[1].as_str()],
                self.env.ctx,
            );
            step.push_str(&format!(": {why}"));
        }
        steps.push(step);
        result
    }

    /// The arguments as written: positional ones by value, optional ones given as
    /// `name: value`, optional ones left out not at all.
    fn arguments(&self, func: &Function, args: &[Ir], traced: &[Traced]) -> String {
        let mut shown = Vec::new();
        for (i, (arg, t)) in args.iter().zip(traced).enumerate() {
            let param = func.params.get(i.min(func.params.len().saturating_sub(1)));
            let optional = param.is_some_and(|p| p.optional);
            if optional && matches!(arg, Ir::Const(Value::Null)) {
                continue;
            }
            let value = t.shown(self.show_sensitive);
            match param {
                Some(p) if optional => shown.push(format!("{}: {value}", p.name)),
                _ => shown.push(value),
            }
        }
        shown.join(", ")
    }

    /// A column argument's name (`Startdatum`), else the parameter's.
    fn label(&self, arg: Option<&Ir>, param: &str) -> String {
        match arg {
            Some(Ir::Col { slot, col }) => self.column(*slot, *col).1,
            _ => param.to_string(),
        }
    }

    /// (alias, column name) of a slot's column.
    fn column(&self, slot: usize, col: u32) -> (String, String) {
        let alias = self.aliases.get(slot).cloned().unwrap_or_default();
        let dataset = &self.env.datasets[self.env.slots[slot]];
        let name = dataset
            .columns
            .get(col as usize)
            .cloned()
            .unwrap_or_default();
        (alias, name)
    }
}
