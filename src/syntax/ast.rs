//! The mapping language's syntax tree. Every node carries its span (VRL's `Node<T>`).

use crate::diagnostic::{FileId, Node};
use chrono::NaiveDate;

#[derive(Debug)]
pub struct MappingFile {
    pub file: FileId,
    pub blocks: Vec<Block>,
    pub merges: Vec<MergeDecl>,
}

/// `merge person { givenName = min  school = union }`: how records of one entity that share
/// a key become one.
#[derive(Debug)]
pub struct MergeDecl {
    pub entity: Node<String>,
    pub rules: Vec<MergeRuleDecl>,
}

/// `field = rule` or `field = rule("arg", ...)`.
#[derive(Debug)]
pub struct MergeRuleDecl {
    pub field: Node<String>,
    pub rule: Node<String>,
    pub args: Vec<Node<String>>,
}

/// `person from extens.elever as e join ... where ... key ... { field = expr ... }`
#[derive(Debug)]
pub struct Block {
    pub entity: Node<String>,
    pub from: SourceRef,
    pub joins: Vec<Join>,
    pub filter: Option<Node<Expr>>,
    pub key: Node<Expr>,
    pub fields: Vec<Assignment>,
}

/// `system.dataset as alias`
#[derive(Debug)]
pub struct SourceRef {
    pub system: Node<String>,
    pub dataset: Node<String>,
    pub alias: Node<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JoinKind {
    Inner,
    Left,
}

#[derive(Debug)]
pub struct Join {
    pub kind: JoinKind,
    pub source: SourceRef,
    pub on: Node<Expr>,
    /// `first by a.x desc, a.y`: of several matching rows, the one that sorts first.
    pub first_by: Vec<OrderItem>,
}

/// One expression of `first by`, ascending unless `desc`.
#[derive(Debug)]
pub struct OrderItem {
    pub expr: Node<Expr>,
    pub descending: bool,
}

#[derive(Debug)]
pub struct Assignment {
    pub name: Node<String>,
    pub value: Node<Expr>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Coalesce,
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Coalesce => "??",
            BinOp::Or => "or",
            BinOp::And => "and",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnOp {
    Not,
    Neg,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    Str(String),
    Num(f64),
    Bool(bool),
    Null,
    Date(NaiveDate),
    /// A number of days, written `30d`.
    Days(i64),
}

#[derive(Debug)]
pub enum Expr {
    Literal(Literal),
    Field {
        alias: Node<String>,
        column: Node<String>,
    },
    Unary(UnOp, Box<Node<Expr>>),
    Binary(BinOp, Box<Node<Expr>>, Box<Node<Expr>>),
    If {
        cond: Box<Node<Expr>>,
        then: Box<Node<Expr>>,
        otherwise: Box<Node<Expr>>,
    },
    Call {
        name: Node<String>,
        abort: bool,
        args: Vec<Arg>,
    },
}

#[derive(Debug)]
pub struct Arg {
    pub name: Option<Node<String>>,
    pub value: Node<Expr>,
}
