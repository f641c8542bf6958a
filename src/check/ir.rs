//! The checked program: names resolved to dataset slots and column indices, functions
//! bound, every fallible expression handled. The executor runs this, never the AST.

use crate::diagnostic::Span;
use crate::functions::Function;
use crate::model::{EntityKind, Value};
use crate::script::Scripts;
use crate::syntax::ast::{BinOp, JoinKind};
use std::collections::HashMap;

#[derive(Debug)]
pub enum Ir {
    Const(Value<'static>),
    /// A column of the row bound to `slot` (null when a left join found no row).
    Col {
        slot: usize,
        col: u32,
    },
    Not(Box<Ir>),
    Neg(Box<Ir>),
    Bin(BinOp, Box<Ir>, Box<Ir>),
    If(Box<Ir>, Box<Ir>, Box<Ir>),
    /// `abort` is the call's span when written with `!`: a failure stops the run there.
    Call {
        func: &'static Function,
        args: Vec<Ir>,
        abort: Option<Span>,
    },
    Lookup {
        table: usize,
        key: Box<Ir>,
        abort: Option<Span>,
    },
    Script {
        index: usize,
        args: Vec<Ir>,
        span: Span,
    },
}

impl Ir {
    /// Whether two expressions compute the same value on the same rows, wherever they are
    /// written: equal in everything but their place in the file. An expression that can stop
    /// the run (`!`) or runs a script is never taken for another.
    pub fn same_as(&self, other: &Ir) -> bool {
        let all =
            |a: &[Ir], b: &[Ir]| a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same_as(y));
        match (self, other) {
            (Ir::Const(a), Ir::Const(b)) => a == b,
            (Ir::Col { slot, col }, Ir::Col { slot: s, col: c }) => (slot, col) == (s, c),
            (Ir::Not(a), Ir::Not(b)) | (Ir::Neg(a), Ir::Neg(b)) => a.same_as(b),
            (Ir::Bin(op, l, r), Ir::Bin(o, l2, r2)) => op == o && l.same_as(l2) && r.same_as(r2),
            (Ir::If(c, t, e), Ir::If(c2, t2, e2)) => {
                c.same_as(c2) && t.same_as(t2) && e.same_as(e2)
            }
            (
                Ir::Call {
                    func,
                    args,
                    abort: None,
                },
                Ir::Call {
                    func: f,
                    args: a,
                    abort: None,
                },
            ) => std::ptr::eq(*func, *f) && all(args, a),
            (
                Ir::Lookup {
                    table,
                    key,
                    abort: None,
                },
                Ir::Lookup {
                    table: t,
                    key: k,
                    abort: None,
                },
            ) => table == t && key.same_as(k),
            _ => false,
        }
    }

    /// Calls `f` on this expression and every expression inside it, outermost first.
    pub fn visit(&self, f: &mut dyn FnMut(&Ir)) {
        f(self);
        match self {
            Ir::Const(_) | Ir::Col { .. } => {}
            Ir::Not(x) | Ir::Neg(x) => x.visit(f),
            Ir::Bin(_, l, r) => {
                l.visit(f);
                r.visit(f);
            }
            Ir::If(c, t, o) => {
                for x in [c, t, o] {
                    x.visit(f);
                }
            }
            Ir::Call { args, .. } | Ir::Script { args, .. } => args.iter().for_each(|a| a.visit(f)),
            Ir::Lookup { key, .. } => key.visit(f),
        }
    }
}

impl std::fmt::Debug for Function {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}()", self.name)
    }
}

#[derive(Debug)]
pub struct JoinPlan {
    pub slot: usize,
    pub kind: JoinKind,
    /// Evaluated on the rows joined so far.
    pub probe: Ir,
    /// Evaluated on each row of the joined dataset alone (the hash side).
    pub build: Ir,
    /// A side derives from personal numbers: temporary numbers are never matched.
    pub personal: bool,
    /// The `on` condition, for the reason a row found no match.
    pub span: crate::diagnostic::Span,
    /// `first by`: (expression on the joined row, descending). Empty: every match is kept.
    pub first_by: Vec<(Ir, bool)>,
}

#[derive(Debug)]
pub struct FieldPlan {
    pub ir: Ir,
    pub span: Span,
    pub sensitive: bool,
}

/// One entity block, ready to run.
#[derive(Debug)]
pub struct BlockPlan {
    pub entity: EntityKind,
    pub span: Span,
    /// The dataset (index into [`Program::datasets`]) bound to each slot; slot 0 is `from`.
    pub slots: Vec<usize>,
    pub aliases: Vec<String>,
    pub joins: Vec<JoinPlan>,
    pub filter: Option<Ir>,
    /// The `where` condition in the mapping file (for "left out" reasons).
    pub filter_span: Option<crate::diagnostic::Span>,
    pub key: Ir,
    pub key_span: Span,
    pub key_sensitive: bool,
    /// One entry per field of the entity kind; `None` when the block does not assign it.
    pub fields: Vec<Option<FieldPlan>>,
}

/// How records of one entity that share a key become one record.
#[derive(Debug)]
pub struct MergePlan {
    pub entity: EntityKind,
    /// One entry per field of the entity kind; `None`: the records must agree on it.
    pub rules: Vec<Option<MergeRule>>,
    /// The entity name in the `merge` declaration.
    pub span: Span,
}

/// A merge rule; every rule skips null values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MergeRule {
    /// The smallest value (by code point).
    Min,
    /// The largest value.
    Max,
    /// The value of the first record (mapping order, then row order).
    First,
    /// The distinct values, sorted, joined by the separator.
    Union(String),
    /// The value earliest in the list; unlisted values after them, smallest first.
    Prefer(Vec<String>),
}

/// A dataset the program reads.
#[derive(Debug)]
pub struct DatasetUse {
    /// `system.dataset`
    pub qualified: String,
    pub system: String,
}

#[derive(Debug)]
pub struct Program {
    pub datasets: Vec<DatasetUse>,
    pub blocks: Vec<BlockPlan>,
    pub merges: Vec<MergePlan>,
    pub lookups: Vec<HashMap<String, String>>,
    pub scripts: Scripts,
    /// Source systems the mappings use, in order of first use.
    pub systems_used: Vec<String>,
}
