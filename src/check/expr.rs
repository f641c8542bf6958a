//! Checking one expression: names, types, fallibility and sensitivity, producing [`Ir`].
//! Errors are recorded and checking goes on, so one run reports them all.

use super::bind::Binder;
use super::ir::Ir;
use crate::diagnostic::{Code, Diag, Node, Span, suggest};
use crate::functions::{self, Fallible, Function, ParamTy, Ty};
use crate::model::Value;
use crate::syntax::ast::{Arg, BinOp, Expr, Literal, UnOp};

/// The result of checking an expression.
pub struct Checked {
    pub ir: Ir,
    pub ty: Ty,
    /// The first place that can fail at run time and is not handled.
    pub fallible: Option<Span>,
    /// Derived from personal numbers: masked in plan output.
    pub sensitive: bool,
    /// Bit `n` set when the expression reads slot `n`.
    pub slots: u64,
}

impl Checked {
    fn leaf(ir: Ir, ty: Ty) -> Self {
        Checked {
            ir,
            ty,
            fallible: None,
            sensitive: false,
            slots: 0,
        }
    }
}

/// An alias visible in a block: its slot and the dataset's columns.
pub struct ScopeEntry<'a> {
    pub alias: &'a str,
    pub slot: usize,
    pub columns: &'a [String],
}

pub struct ExprChecker<'a, 'b> {
    pub scope: &'a [ScopeEntry<'a>],
    pub binder: &'a mut Binder<'b>,
}

impl ExprChecker<'_, '_> {
    pub fn check(&mut self, expr: &Node<Expr>) -> Checked {
        match &expr.node {
            Expr::Literal(lit) => literal(lit),
            Expr::Field { alias, column } => self.field(alias, column),
            Expr::Unary(op, inner) => self.unary(*op, inner),
            Expr::Binary(op, lhs, rhs) => self.binary(*op, lhs, rhs, expr.span),
            Expr::If {
                cond,
                then,
                otherwise,
            } => self.if_else(cond, then, otherwise),
            Expr::Call { name, abort, args } => self.call(name, *abort, args, expr.span),
        }
    }

    fn error(&mut self, diag: Diag) -> Checked {
        self.binder.diags.push(diag);
        Checked::leaf(Ir::Const(Value::Null), Ty::Any)
    }

    fn field(&mut self, alias: &Node<String>, column: &Node<String>) -> Checked {
        let Some(entry) = self.scope.iter().find(|e| e.alias == alias.node) else {
            let names: Vec<&str> = self.scope.iter().map(|e| e.alias).collect();
            return self.error(
                Diag::error(
                    Code::UnknownAlias,
                    format!("unknown alias `{}`", alias.node),
                )
                .label(alias.span, "not defined in this block")
                .help(format!(
                    "aliases are set with `as` in `from` and `join`; {}",
                    suggest::did_you_mean(&alias.node, names)
                )),
            );
        };
        let Some(col) = entry.columns.iter().position(|c| *c == column.node) else {
            return self.error(
                Diag::error(
                    Code::UnknownColumn,
                    format!("`{}` has no column `{}`", alias.node, column.node),
                )
                .label(column.span, "unknown column")
                .help(suggest::did_you_mean(
                    &column.node,
                    entry.columns.iter().map(String::as_str),
                )),
            );
        };
        Checked {
            ir: Ir::Col {
                slot: entry.slot,
                col: col as u32,
            },
            ty: Ty::Str,
            fallible: None,
            sensitive: super::schema::is_sensitive_column(&column.node),
            slots: 1 << entry.slot,
        }
    }

    fn unary(&mut self, op: UnOp, inner: &Node<Expr>) -> Checked {
        let c = self.check(inner);
        let (want, ir) = match op {
            UnOp::Not => (Ty::Bool, Ir::Not(Box::new(c.ir))),
            UnOp::Neg => (Ty::Num, Ir::Neg(Box::new(c.ir))),
        };
        if !c.ty.fits(want) {
            self.type_error(inner.span, want, c.ty);
        }
        Checked { ir, ty: want, ..c }
    }

    fn type_error(&mut self, at: Span, want: Ty, got: Ty) {
        self.binder.diags.push(
            Diag::error(
                Code::TypeMismatch,
                format!("expected a {}, found a {}", want.name(), got.name()),
            )
            .label(at, format!("this is a {}", got.name()))
            .help(conversion_hint(want, got)),
        );
    }

    fn binary(&mut self, op: BinOp, lhs: &Node<Expr>, rhs: &Node<Expr>, span: Span) -> Checked {
        let l = self.check(lhs);
        let r = self.check(rhs);
        let ty = self.binary_type(op, (&l, lhs.span), (&r, rhs.span), span);
        let fallible = if op == BinOp::Coalesce {
            r.fallible
        } else {
            l.fallible.or(r.fallible)
        };
        Checked {
            ir: Ir::Bin(op, Box::new(l.ir), Box::new(r.ir)),
            ty,
            fallible,
            sensitive: l.sensitive || r.sensitive,
            slots: l.slots | r.slots,
        }
    }

    fn binary_type(
        &mut self,
        op: BinOp,
        (l, ls): (&Checked, Span),
        (r, rs): (&Checked, Span),
        span: Span,
    ) -> Ty {
        let concrete = |t: Ty| !matches!(t, Ty::Any | Ty::Null);
        match op {
            BinOp::Coalesce => {
                if l.ty == Ty::Null {
                    r.ty
                } else if r.ty.fits(l.ty) {
                    l.ty
                } else {
                    Ty::Any
                }
            }
            BinOp::And | BinOp::Or => {
                for (c, s) in [(l, ls), (r, rs)] {
                    if !c.ty.fits(Ty::Bool) {
                        self.type_error(s, Ty::Bool, c.ty);
                    }
                }
                Ty::Bool
            }
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                if concrete(l.ty) && concrete(r.ty) && l.ty != r.ty {
                    self.binder.diags.push(
                        Diag::error(
                            Code::TypeMismatch,
                            format!("cannot compare a {} with a {}", l.ty.name(), r.ty.name()),
                        )
                        .label(ls, format!("a {}", l.ty.name()))
                        .label(rs, format!("a {}", r.ty.name()))
                        .help(conversion_hint(l.ty, r.ty)),
                    );
                }
                Ty::Bool
            }
            BinOp::Add | BinOp::Sub => match (l.ty, r.ty) {
                (Ty::Str, _) | (_, Ty::Str) if op == BinOp::Add => Ty::Str,
                (Ty::Date, Ty::Days) => Ty::Date,
                (Ty::Num, Ty::Num) => Ty::Num,
                (a, b) if !concrete(a) || !concrete(b) => Ty::Any,
                (a, b) => {
                    self.binder.diags.push(
                        Diag::error(Code::TypeMismatch, format!("cannot use `{}` on a {} and a {}", op.symbol(), a.name(), b.name()))
                            .label(span, "here")
                            .help("`+` joins strings and adds numbers or days to a date; `-` subtracts numbers or days"),
                    );
                    Ty::Any
                }
            },
            BinOp::Mul | BinOp::Div => {
                for (c, s) in [(l, ls), (r, rs)] {
                    if !c.ty.fits(Ty::Num) {
                        self.type_error(s, Ty::Num, c.ty);
                    }
                }
                Ty::Num
            }
        }
    }

    fn if_else(&mut self, cond: &Node<Expr>, then: &Node<Expr>, otherwise: &Node<Expr>) -> Checked {
        let c = self.check(cond);
        if !c.ty.fits(Ty::Bool) {
            self.type_error(cond.span, Ty::Bool, c.ty);
        }
        let t = self.check(then);
        let o = self.check(otherwise);
        let ty = if t.ty == o.ty || o.ty == Ty::Null {
            t.ty
        } else if t.ty == Ty::Null {
            o.ty
        } else {
            Ty::Any
        };
        Checked {
            fallible: c.fallible.or(t.fallible).or(o.fallible),
            sensitive: t.sensitive || o.sensitive,
            slots: c.slots | t.slots | o.slots,
            ty,
            ir: Ir::If(Box::new(c.ir), Box::new(t.ir), Box::new(o.ir)),
        }
    }

    fn call(&mut self, name: &Node<String>, abort: bool, args: &[Arg], span: Span) -> Checked {
        let Some(func) = functions::find(&name.node) else {
            return self.error(
                Diag::error(
                    Code::UnknownFunction,
                    format!("unknown function `{}`", name.node),
                )
                .label(name.span, "not a function")
                .help(format!(
                    "{}; docs/dsl-reference.md lists every function",
                    suggest::did_you_mean(&name.node, functions::ALL.iter().map(|f| f.name))
                )),
            );
        };
        let Some(ordered) = self.order_args(func, args, name.span) else {
            return Checked::leaf(Ir::Const(Value::Null), func.returns);
        };
        let mut checked = Vec::with_capacity(ordered.len());
        for (i, arg) in ordered.iter().enumerate() {
            let param = &func.params[i.min(func.params.len().saturating_sub(1))];
            let c = match arg {
                Some(expr) => self.check_arg(func, param, expr),
                None => Checked::leaf(Ir::Const(Value::Null), Ty::Null),
            };
            checked.push(c);
        }
        let may_fail = match func.fallible {
            Fallible::Never => false,
            Fallible::Always => true,
            Fallible::WhenParsingStrings => func
                .params
                .iter()
                .zip(&checked)
                .any(|(p, c)| p.ty == ParamTy::StrOrDate && matches!(c.ty, Ty::Str | Ty::Any)),
        };
        if abort && !may_fail {
            self.binder.diags.push(
                Diag::warning(
                    Code::NeedlessAbort,
                    format!("`{}` cannot fail here, so `!` has no effect", func.name),
                )
                .label(name.span, "remove the `!`"),
            );
        }
        let sensitive = functions::is_sensitive(func.name)
            || (matches!(func.returns, Ty::Str | Ty::Any | Ty::Date)
                && checked.iter().any(|c| c.sensitive));
        let own_fail = (may_fail && !abort).then_some(span);
        let fallible = checked.iter().find_map(|c| c.fallible).or(own_fail);
        let slots = checked.iter().fold(0, |acc, c| acc | c.slots);
        let abort_span = abort.then_some(span);
        let ir = self.binder.bind_call(
            func,
            checked.into_iter().map(|c| c.ir).collect(),
            &ordered,
            abort_span,
            span,
        );
        Checked {
            ir,
            ty: func.returns,
            fallible,
            sensitive,
            slots,
        }
    }

    fn check_arg(
        &mut self,
        func: &Function,
        param: &functions::Param,
        expr: &Node<Expr>,
    ) -> Checked {
        if param.literal && !matches!(expr.node, Expr::Literal(Literal::Str(_))) {
            return self.error(
                Diag::error(
                    Code::BadArguments,
                    format!(
                        "`{}` of `{}` must be written as a string literal",
                        param.name, func.name
                    ),
                )
                .label(expr.span, "not a literal")
                .help("it is checked when the mapping is compiled, so it cannot come from data"),
            );
        }
        let c = self.check(expr);
        if !param.ty.accepts(c.ty) {
            self.binder.diags.push(
                Diag::error(
                    Code::BadArguments,
                    format!(
                        "`{}` of `{}` must be a {}, found a {}",
                        param.name,
                        func.name,
                        param.ty.name(),
                        c.ty.name()
                    ),
                )
                .label(expr.span, format!("a {}", c.ty.name()))
                .help(conversion_hint(
                    match param.ty {
                        ParamTy::Is(t) => t,
                        ParamTy::StrOrDate => Ty::Date,
                    },
                    c.ty,
                )),
            );
        }
        c
    }

    /// Puts positional and named arguments in parameter order; reports count and name errors.
    fn order_args<'e>(
        &mut self,
        func: &Function,
        args: &'e [Arg],
        at: Span,
    ) -> Option<Vec<Option<&'e Node<Expr>>>> {
        let mut slots: Vec<Option<&Node<Expr>>> = vec![None; func.params.len()];
        let mut ok = true;
        let mut position = 0;
        for arg in args {
            let index = match &arg.name {
                Some(n) => match func.params.iter().position(|p| p.name == n.node) {
                    Some(i) => i,
                    None => {
                        self.binder.diags.push(
                            Diag::error(
                                Code::BadArguments,
                                format!("`{}` has no parameter `{}`", func.name, n.node),
                            )
                            .label(n.span, "unknown parameter")
                            .help(suggest::did_you_mean(
                                &n.node,
                                func.params.iter().map(|p| p.name),
                            )),
                        );
                        ok = false;
                        continue;
                    }
                },
                None => {
                    position += 1;
                    position - 1
                }
            };
            if index >= slots.len() {
                if func.variadic {
                    slots.push(Some(&arg.value));
                    continue;
                }
                self.binder.diags.push(
                    Diag::error(
                        Code::BadArguments,
                        format!("`{}` takes {} argument(s)", func.name, func.params.len()),
                    )
                    .label(arg.value.span, "one too many")
                    .help(signature(func)),
                );
                ok = false;
                continue;
            }
            slots[index] = Some(&arg.value);
        }
        for (param, slot) in func.params.iter().zip(&slots) {
            if slot.is_none() && !param.optional {
                self.binder.diags.push(
                    Diag::error(
                        Code::BadArguments,
                        format!("`{}` needs its `{}` argument", func.name, param.name),
                    )
                    .label(at, "missing an argument")
                    .help(signature(func)),
                );
                ok = false;
            }
        }
        ok.then_some(slots)
    }
}

fn literal(lit: &Literal) -> Checked {
    let (value, ty) = match lit {
        Literal::Str(s) => (Value::str(s.clone()), Ty::Str),
        Literal::Num(n) => (Value::Num(*n), Ty::Num),
        Literal::Bool(b) => (Value::Bool(*b), Ty::Bool),
        Literal::Null => (Value::Null, Ty::Null),
        Literal::Date(d) => (Value::Date(*d), Ty::Date),
        Literal::Days(d) => (Value::Days(*d), Ty::Days),
    };
    Checked::leaf(Ir::Const(value), ty)
}

pub fn signature(func: &Function) -> String {
    let params: Vec<String> = func
        .params
        .iter()
        .map(|p| {
            format!(
                "{}{}: {}",
                p.name,
                if p.optional { "?" } else { "" },
                p.ty.name()
            )
        })
        .collect();
    format!(
        "usage: {}({}{})",
        func.name,
        params.join(", "),
        if func.variadic { ", ..." } else { "" }
    )
}

fn conversion_hint(want: Ty, got: Ty) -> String {
    match (want, got) {
        (Ty::Date, Ty::Str) | (Ty::Str, Ty::Date) => {
            "turn text into a date with `date(text) ?? null`".to_string()
        }
        (Ty::Bool, _) => {
            "a condition needs a comparison such as `x == \"J\"` or a function like `active(...)`"
                .to_string()
        }
        (Ty::Num, Ty::Str) => {
            "numbers cannot be read from text yet; compare as text instead".to_string()
        }
        _ => format!("use a {} here", want.name()),
    }
}
