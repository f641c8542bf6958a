//! pest parse tree -> AST: one `parse_<rule>` function per grammar rule, and a Pratt
//! parser for operator precedence (as in Tera).

use super::ast::*;
use super::rule_names::describe_all;
use crate::diagnostic::{Code, Diag, FileId, Node, Span};
use pest::Parser as _;
use pest::iterators::Pair;
use pest::pratt_parser::{Assoc, Op, PrattParser};
use std::rc::Rc;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/mapping.pest"]
pub struct MappingParser;

/// Operator precedence, lowest first: `or`, `and`, `not`, comparisons, `??`, `+ -`, `* /`, unary `-`.
fn pratt() -> PrattParser<Rule> {
    PrattParser::new()
        .op(Op::infix(Rule::op_or, Assoc::Left))
        .op(Op::infix(Rule::op_and, Assoc::Left))
        .op(Op::prefix(Rule::op_not))
        .op(Op::infix(Rule::op_eq, Assoc::Left)
            | Op::infix(Rule::op_ne, Assoc::Left)
            | Op::infix(Rule::op_lt, Assoc::Left)
            | Op::infix(Rule::op_le, Assoc::Left)
            | Op::infix(Rule::op_gt, Assoc::Left)
            | Op::infix(Rule::op_ge, Assoc::Left))
        .op(Op::infix(Rule::op_coalesce, Assoc::Right))
        .op(Op::infix(Rule::op_add, Assoc::Left) | Op::infix(Rule::op_sub, Assoc::Left))
        .op(Op::infix(Rule::op_mul, Assoc::Left) | Op::infix(Rule::op_div, Assoc::Left))
        .op(Op::prefix(Rule::op_neg))
}

/// Parses one mapping file. Syntax errors stop the file; literal errors are collected.
pub fn parse_file(text: &str, file: FileId) -> Result<MappingFile, Vec<Diag>> {
    let mut pairs =
        MappingParser::parse(Rule::file, text).map_err(|e| vec![syntax_error(&e, text, file)])?;
    let mut ctx = Ctx {
        file,
        pratt: Rc::new(pratt()),
        diags: Vec::new(),
    };
    let mut blocks = Vec::new();
    let mut merges = Vec::new();
    for item in pairs.next().into_iter().flat_map(|f| f.into_inner()) {
        match item.as_rule() {
            Rule::block => blocks.push(ctx.parse_block(item)),
            Rule::merge_decl => merges.push(ctx.parse_merge(item)),
            _ => {}
        }
    }
    if ctx.diags.is_empty() {
        Ok(MappingFile {
            file,
            blocks,
            merges,
        })
    } else {
        Err(ctx.diags)
    }
}

/// Parses a lone expression (used by the function examples and tests).
pub fn parse_expr(text: &str, file: FileId) -> Result<Node<Expr>, Vec<Diag>> {
    let mut pairs = MappingParser::parse(Rule::standalone, text)
        .map_err(|e| vec![syntax_error(&e, text, file)])?;
    let mut ctx = Ctx {
        file,
        pratt: Rc::new(pratt()),
        diags: Vec::new(),
    };
    let expr = pairs
        .next()
        .and_then(|s| s.into_inner().find(is_expr))
        .map(|p| ctx.parse_expr(p));
    match expr {
        Some(e) if ctx.diags.is_empty() => Ok(e),
        _ => Err(ctx.diags),
    }
}

struct Ctx {
    file: FileId,
    /// Shared so that nested expressions (in parentheses, calls, `if`) can re-enter it.
    pratt: Rc<PrattParser<Rule>>,
    diags: Vec<Diag>,
}

impl Ctx {
    fn span(&self, pair: &Pair<Rule>) -> Span {
        let s = pair.as_span();
        Span::new(self.file, s.start(), s.end())
    }

    fn node(&self, pair: &Pair<Rule>) -> Node<String> {
        Node::new(self.span(pair), name_text(pair))
    }

    fn parse_block(&mut self, pair: Pair<Rule>) -> Block {
        let mut entity = None;
        let mut from = None;
        let mut joins = Vec::new();
        let mut filter = None;
        let mut key = None;
        let mut fields = Vec::new();
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::entity => entity = Some(self.node(&p)),
                Rule::source_ref => from = Some(self.parse_source_ref(p)),
                Rule::join_clause => joins.push(self.parse_join(p)),
                Rule::where_clause => {
                    filter = p.into_inner().find(is_expr).map(|e| self.parse_expr(e))
                }
                Rule::key_clause => key = p.into_inner().find(is_expr).map(|e| self.parse_expr(e)),
                Rule::assignment => fields.push(self.parse_assignment(p)),
                _ => {}
            }
        }
        // The grammar guarantees entity, from and key; the defaults are never used.
        let empty = Node::new(Span::new(self.file, 0, 0), String::new());
        Block {
            entity: entity.unwrap_or_else(|| empty.clone()),
            from: from.unwrap_or_else(|| SourceRef {
                system: empty.clone(),
                dataset: empty.clone(),
                alias: empty.clone(),
            }),
            joins,
            filter,
            key: key.unwrap_or_else(|| Node::new(empty.span, Expr::Literal(Literal::Null))),
            fields,
        }
    }

    fn parse_source_ref(&mut self, pair: Pair<Rule>) -> SourceRef {
        let mut names = Vec::new();
        let mut alias = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::dataset_name => names.extend(p.into_inner().map(|n| self.node(&n))),
                Rule::alias => alias = p.into_inner().next().map(|n| self.node(&n)),
                _ => {}
            }
        }
        let mut names = names.into_iter();
        let file = self.file;
        let empty = || Node::new(Span::new(file, 0, 0), String::new());
        SourceRef {
            system: names.next().unwrap_or_else(empty),
            dataset: names.next().unwrap_or_else(empty),
            alias: alias.unwrap_or_else(empty),
        }
    }

    fn parse_join(&mut self, pair: Pair<Rule>) -> Join {
        let mut kind = JoinKind::Inner;
        let mut source = None;
        let mut on = None;
        let mut first_by = Vec::new();
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::join_kind
                    if p.clone()
                        .into_inner()
                        .any(|k| k.as_rule() == Rule::left_join) =>
                {
                    kind = JoinKind::Left
                }
                Rule::source_ref => source = Some(self.parse_source_ref(p)),
                Rule::expr => on = Some(self.parse_expr(p)),
                Rule::first_by => first_by = self.parse_first_by(p),
                _ => {}
            }
        }
        let span = Span::new(self.file, 0, 0);
        Join {
            kind,
            source: source.unwrap_or_else(|| self.parse_source_ref_empty()),
            on: on.unwrap_or_else(|| Node::new(span, Expr::Literal(Literal::Null))),
            first_by,
        }
    }

    fn parse_merge(&mut self, pair: Pair<Rule>) -> MergeDecl {
        let span = self.span(&pair);
        let mut entity = Node::new(span, String::new());
        let mut rules = Vec::new();
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::entity => entity = self.node(&p),
                Rule::merge_rule => rules.extend(self.parse_merge_rule(p)),
                _ => {}
            }
        }
        MergeDecl { entity, rules }
    }

    fn parse_merge_rule(&mut self, pair: Pair<Rule>) -> Option<MergeRuleDecl> {
        let mut inner = pair.into_inner();
        let field = self.node(&inner.next()?);
        let mut how = inner.next()?.into_inner();
        let rule = self.node(&how.next()?);
        let args = how
            .filter(|p| p.as_rule() == Rule::string_lit)
            .map(|p| {
                let text = p.as_str();
                Node::new(
                    self.span(&p),
                    unescape(text.get(1..text.len() - 1).unwrap_or("")),
                )
            })
            .collect();
        Some(MergeRuleDecl { field, rule, args })
    }

    fn parse_first_by(&mut self, pair: Pair<Rule>) -> Vec<OrderItem> {
        pair.into_inner()
            .filter(|p| p.as_rule() == Rule::order_item)
            .filter_map(|item| {
                let mut expr = None;
                let mut descending = false;
                for p in item.into_inner() {
                    match p.as_rule() {
                        Rule::expr => expr = Some(self.parse_expr(p)),
                        Rule::kw_desc => descending = true,
                        _ => {}
                    }
                }
                Some(OrderItem {
                    expr: expr?,
                    descending,
                })
            })
            .collect()
    }

    fn parse_source_ref_empty(&self) -> SourceRef {
        let empty = Node::new(Span::new(self.file, 0, 0), String::new());
        SourceRef {
            system: empty.clone(),
            dataset: empty.clone(),
            alias: empty,
        }
    }

    fn parse_assignment(&mut self, pair: Pair<Rule>) -> Assignment {
        let mut inner = pair.into_inner();
        let name = inner.next().map(|n| self.node(&n));
        let value = inner.next().map(|e| self.parse_expr(e));
        let empty = Span::new(self.file, 0, 0);
        Assignment {
            name: name.unwrap_or_else(|| Node::new(empty, String::new())),
            value: value.unwrap_or_else(|| Node::new(empty, Expr::Literal(Literal::Null))),
        }
    }

    fn parse_expr(&mut self, pair: Pair<Rule>) -> Node<Expr> {
        let pratt = Rc::clone(&self.pratt);
        let ctx = std::cell::RefCell::new(&mut *self);
        pratt
            .map_primary(|p| {
                let inner = p.into_inner().next();
                match inner {
                    Some(primary) => ctx.borrow_mut().parse_primary(primary),
                    None => Node::new(
                        Span::new(ctx.borrow().file, 0, 0),
                        Expr::Literal(Literal::Null),
                    ),
                }
            })
            .map_prefix(|op, rhs| {
                let span = ctx.borrow().span(&op).to(rhs.span);
                let op = if op.as_rule() == Rule::op_not {
                    UnOp::Not
                } else {
                    UnOp::Neg
                };
                Node::new(span, Expr::Unary(op, Box::new(rhs)))
            })
            .map_infix(|lhs, op, rhs| {
                let span = lhs.span.to(rhs.span);
                Node::new(
                    span,
                    Expr::Binary(bin_op(op.as_rule()), Box::new(lhs), Box::new(rhs)),
                )
            })
            .parse(pair.into_inner())
    }

    fn parse_primary(&mut self, pair: Pair<Rule>) -> Node<Expr> {
        let span = self.span(&pair);
        let expr = match pair.as_rule() {
            Rule::expr => return self.parse_expr(pair),
            Rule::if_expr => self.parse_if(pair),
            Rule::call => self.parse_call(pair),
            Rule::field => {
                let mut parts = pair.into_inner().map(|n| self.node(&n));
                let alias = parts
                    .next()
                    .unwrap_or_else(|| Node::new(span, String::new()));
                let column = parts
                    .next()
                    .unwrap_or_else(|| Node::new(span, String::new()));
                Expr::Field { alias, column }
            }
            _ => Expr::Literal(self.parse_literal(&pair)),
        };
        Node::new(span, expr)
    }

    fn parse_if(&mut self, pair: Pair<Rule>) -> Expr {
        let file = self.file;
        let mut parts = pair
            .into_inner()
            .filter(|p| matches!(p.as_rule(), Rule::expr | Rule::if_expr))
            .map(|p| {
                if p.as_rule() == Rule::if_expr {
                    let s = self.span(&p);
                    Node::new(s, self.parse_if(p))
                } else {
                    self.parse_expr(p)
                }
            });
        let null = || Node::new(Span::new(file, 0, 0), Expr::Literal(Literal::Null));
        let cond = parts.next().unwrap_or_else(null);
        let then = parts.next().unwrap_or_else(null);
        let otherwise = parts.next().unwrap_or_else(null);
        Expr::If {
            cond: Box::new(cond),
            then: Box::new(then),
            otherwise: Box::new(otherwise),
        }
    }

    fn parse_call(&mut self, pair: Pair<Rule>) -> Expr {
        let span = self.span(&pair);
        let mut name = Node::new(span, String::new());
        let mut abort = false;
        let mut args = Vec::new();
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::call_name => {
                    for part in p.into_inner() {
                        match part.as_rule() {
                            Rule::name => name = self.node(&part),
                            Rule::abort_mark => abort = true,
                            _ => {}
                        }
                    }
                }
                Rule::call_args => args = p.into_inner().map(|a| self.parse_argument(a)).collect(),
                _ => {}
            }
        }
        Expr::Call { name, abort, args }
    }

    fn parse_argument(&mut self, pair: Pair<Rule>) -> Arg {
        let span = self.span(&pair);
        let mut name = None;
        let mut value = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::name => name = Some(self.node(&p)),
                Rule::expr => value = Some(self.parse_expr(p)),
                _ => {}
            }
        }
        Arg {
            name,
            value: value.unwrap_or_else(|| Node::new(span, Expr::Literal(Literal::Null))),
        }
    }

    fn parse_literal(&mut self, pair: &Pair<Rule>) -> Literal {
        let text = pair.as_str();
        match pair.as_rule() {
            Rule::string_lit => Literal::Str(unescape(text.get(1..text.len() - 1).unwrap_or(""))),
            Rule::bool_lit => Literal::Bool(text == "true"),
            Rule::null_lit => Literal::Null,
            Rule::number_lit => Literal::Num(text.parse().unwrap_or(0.0)),
            Rule::duration_lit => match text.trim_end_matches('d').parse() {
                Ok(days) => Literal::Days(days),
                Err(_) => self.bad_literal(pair, "this number of days is too large"),
            },
            Rule::date_lit => match chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
                Ok(d) => Literal::Date(d),
                Err(_) => self.bad_literal(pair, "this is not a calendar date"),
            },
            _ => Literal::Null,
        }
    }

    fn bad_literal(&mut self, pair: &Pair<Rule>, label: &str) -> Literal {
        self.diags.push(
            Diag::error(
                Code::BadLiteral,
                format!("invalid literal `{}`", pair.as_str()),
            )
            .label(self.span(pair), label)
            .help(
                "dates are written YYYY-MM-DD, days as a whole number followed by `d`, e.g. `30d`",
            ),
        );
        Literal::Null
    }
}

fn is_expr(pair: &Pair<Rule>) -> bool {
    pair.as_rule() == Rule::expr
}

/// The text of a name, without back quotes.
fn name_text(pair: &Pair<Rule>) -> String {
    let text = pair.as_str();
    text.strip_prefix('`')
        .and_then(|t| t.strip_suffix('`'))
        .unwrap_or(text)
        .to_string()
}

fn bin_op(rule: Rule) -> BinOp {
    match rule {
        Rule::op_coalesce => BinOp::Coalesce,
        Rule::op_or => BinOp::Or,
        Rule::op_and => BinOp::And,
        Rule::op_eq => BinOp::Eq,
        Rule::op_ne => BinOp::Ne,
        Rule::op_lt => BinOp::Lt,
        Rule::op_le => BinOp::Le,
        Rule::op_gt => BinOp::Gt,
        Rule::op_ge => BinOp::Ge,
        Rule::op_add => BinOp::Add,
        Rule::op_sub => BinOp::Sub,
        Rule::op_mul => BinOp::Mul,
        _ => BinOp::Div,
    }
}

fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

fn syntax_error(e: &pest::error::Error<Rule>, text: &str, file: FileId) -> Diag {
    let raw = match e.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((s, _)) => s,
    };
    // Point at the next token, not at the white space before it.
    let skipped = text
        .get(raw..)
        .map_or(0, |rest| rest.len() - rest.trim_start().len());
    let pos = raw + skipped;
    let found = found_token(text, pos);
    let expected = match &e.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => describe_all(positives),
        pest::error::ErrorVariant::CustomError { message } => message.clone(),
    };
    let end = pos + found.len().max(1);
    Diag::error(
        Code::DslSyntax,
        format!("unexpected {}", describe_found(&found)),
    )
    .label(
        Span::new(file, pos, end.min(text.len().max(pos))),
        format!("expected {expected}"),
    )
    .help(syntax_hint(&found))
}

fn found_token(text: &str, pos: usize) -> String {
    let rest = text.get(pos..).unwrap_or("");
    let token: String = rest
        .chars()
        .take_while(|c| !c.is_whitespace())
        .take(20)
        .collect();
    token
}

fn describe_found(token: &str) -> String {
    if token.is_empty() {
        "end of file".to_string()
    } else if token.chars().all(|c| c.is_control() || c.is_whitespace()) {
        // A NUL, a form feed...: shown by name, since the character itself prints as nothing.
        let c = token.chars().next().unwrap_or('\0');
        format!("control character U+{:04X}", c as u32)
    } else {
        format!("`{token}`")
    }
}

fn syntax_hint(found: &str) -> String {
    if found.starts_with('\'') {
        "strings are written in double quotes: \"text\"".to_string()
    } else if found == "=" {
        "to compare values write `==`; `=` only assigns a field inside `{ ... }`. An operator at the end of the line before continues the expression onto this line".to_string()
    } else if found == "&&" || found == "||" {
        "write `and` / `or`".to_string()
    } else {
        "docs/dsl-reference.md shows the shape of a block and of expressions".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expr(text: &str) -> String {
        format!(
            "{:?}",
            parse_expr(text, FileId(0))
                .map(|e| shape(&e))
                .map_err(|d| d[0].message.clone())
        )
    }

    #[test]
    fn a_control_character_is_named_not_printed() {
        for (text, named) in [("\0", "U+0000"), ("person\u{1}", "U+0001")] {
            let errors = parse_file(text, FileId(0)).unwrap_err();
            assert!(
                errors[0]
                    .message
                    .contains(&format!("control character {named}")),
                "{}",
                errors[0].message
            );
        }
    }

    fn shape(e: &Node<Expr>) -> String {
        match &e.node {
            Expr::Literal(l) => format!("{l:?}"),
            Expr::Field { alias, column } => format!("{}.{}", alias.node, column.node),
            Expr::Unary(op, x) => format!("({op:?} {})", shape(x)),
            Expr::Binary(op, a, b) => format!("({} {} {})", shape(a), op.symbol(), shape(b)),
            Expr::If {
                cond,
                then,
                otherwise,
            } => format!("(if {} {} {})", shape(cond), shape(then), shape(otherwise)),
            Expr::Call { name, abort, args } => format!(
                "{}{}({})",
                name.node,
                if *abort { "!" } else { "" },
                args.iter()
                    .map(|a| shape(&a.value))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    #[test]
    fn precedence() {
        assert_eq!(
            expr("a.x ?? \"p\" + \"q\""),
            r#"Ok("(a.x ?? (Str(\"p\") + Str(\"q\")))")"#
        );
        assert_eq!(
            expr("f(x.y) ?? \"\" == b.c"),
            r#"Ok("((f(x.y) ?? Str(\"\")) == b.c)")"#
        );
        assert_eq!(
            expr("not a.b == 1 and c.d"),
            r#"Ok("((Not (a.b == Num(1.0))) and c.d)")"#
        );
        assert_eq!(
            expr("1 + 2 * 3"),
            r#"Ok("(Num(1.0) + (Num(2.0) * Num(3.0)))")"#
        );
    }

    #[test]
    fn nested_expressions_keep_precedence() {
        assert_eq!(
            expr("f(a.b + 1) ?? (c.d ?? \"x\")"),
            r#"Ok("(f((a.b + Num(1.0))) ?? (c.d ?? Str(\"x\")))")"#
        );
        assert_eq!(
            expr("if a.b == 1 { c.d + \"x\" } else { e.f ?? null }"),
            r#"Ok("(if (a.b == Num(1.0)) (c.d + Str(\"x\")) (e.f ?? Null))")"#
        );
    }

    #[test]
    fn literals_calls_and_names() {
        assert_eq!(
            expr("active(e.Start, e.Slut, ahead: 30d)"),
            r#"Ok("active(e.Start, e.Slut, Days(30))")"#
        );
        assert_eq!(
            expr("date!(e.`Födelse datum`)"),
            r#"Ok("date!(e.Födelse datum)")"#
        );
        assert_eq!(expr("e.Förnamn"), r#"Ok("e.Förnamn")"#);
        assert_eq!(expr("2025-08-01"), r#"Ok("Date(2025-08-01)")"#);
        assert_eq!(
            expr("if a.b { 1 } else { 2 }"),
            r#"Ok("(if a.b Num(1.0) Num(2.0))")"#
        );
    }

    #[test]
    fn errors_never_name_rules() {
        for text in ["a.b +", "f(", "if a.b { 1 }", "e.", "\"open"] {
            let err = parse_expr(text, FileId(0)).unwrap_err();
            let label = &err[0].labels[0].text;
            for raw in [
                "op_",
                "_lit",
                "postfix",
                "kw_",
                "call_",
                "source_ref",
                "standalone",
                "EOI",
            ] {
                assert!(!label.contains(raw), "{text}: {label}");
            }
        }
        let err = parse_expr("2025-13-40", FileId(0)).unwrap_err();
        assert_eq!(err[0].code, Code::BadLiteral);
    }
}
