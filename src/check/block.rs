//! Checking one entity block: its datasets and aliases, joins, filter, key and fields.

use super::bind::Binder;
use super::expr::{Checked, ExprChecker, ScopeEntry};
use super::ir::{BlockPlan, FieldPlan, JoinPlan};
use super::schema::{Schemas, find_dataset};
use crate::diagnostic::{Code, Diag, Node, suggest};
use crate::functions::Ty;
use crate::model::EntityKind;
use crate::syntax::ast::{BinOp, Block, Expr, Join, OrderItem, SourceRef};

/// A dataset bound in a block, with the columns it has.
struct Bound {
    alias: String,
    dataset: String,
    columns: Vec<String>,
}

pub struct BlockChecker<'a, 'p> {
    pub pipeline: &'a crate::load::Pipeline,
    pub binder: &'a mut Binder<'p>,
    pub schemas: &'a mut Schemas,
    /// Datasets the program reads, by `system.dataset`, in order of first use.
    pub datasets: &'a mut Vec<(String, String)>,
}

impl BlockChecker<'_, '_> {
    pub fn check(&mut self, block: &Block) -> Option<BlockPlan> {
        let entity = self.entity(&block.entity)?;
        let mut bound: Vec<Bound> = Vec::new();
        let from = self.bind_source(&block.from, &bound);
        bound.push(from?);
        let mut joins = Vec::new();
        for join in &block.joins {
            let Some(next) = self.bind_source(&join.source, &bound) else {
                continue;
            };
            bound.push(next);
            if let Some(plan) = self.join_plan(&bound, join) {
                joins.push(plan);
            }
        }
        let filter = block.filter.as_ref().map(|f| {
            let c = self.expr(&bound, f);
            self.require_type(&c, f, Ty::Bool, "a `where` condition");
            self.require_handled(&c, "a `where` condition");
            c.ir
        });
        let key = self.expr(&bound, &block.key);
        self.require_handled(&key, "the key");
        if key.sensitive {
            self.warn_personal_key(block.key.span);
        }
        let fields = self.fields(entity, block, &bound);
        let slots = bound
            .iter()
            .map(|b| self.dataset_index(&b.dataset))
            .collect();
        Some(BlockPlan {
            entity,
            span: block.entity.span,
            slots,
            aliases: bound.iter().map(|b| b.alias.clone()).collect(),
            joins,
            filter,
            filter_span: block.filter.as_ref().map(|f| f.span),
            key_sensitive: key.sensitive,
            key: key.ir,
            key_span: block.key.span,
            fields,
        })
    }

    fn entity(&mut self, name: &Node<String>) -> Option<EntityKind> {
        let found = EntityKind::parse(&name.node);
        if found.is_none() {
            self.binder.diags.push(
                Diag::error(
                    Code::UnknownEntity,
                    format!("unknown entity `{}`", name.node),
                )
                .label(name.span, "not an entity kind")
                .help(format!(
                    "blocks produce `organisation`, `person`, `group` or `membership`; {}",
                    suggest::did_you_mean(&name.node, EntityKind::ALL.iter().map(|k| k.name()))
                )),
            );
        }
        found
    }

    fn bind_source(&mut self, source: &SourceRef, bound: &[Bound]) -> Option<Bound> {
        let qualified = format!("{}.{}", source.system.node, source.dataset.node);
        let span = source.system.span.to(source.dataset.span);
        if bound.iter().any(|b| b.alias == source.alias.node) {
            self.binder.diags.push(
                Diag::error(
                    Code::DuplicateAlias,
                    format!(
                        "alias `{}` is already used in this block",
                        source.alias.node
                    ),
                )
                .label(source.alias.span, "used again here")
                .help("give each dataset in a block its own alias"),
            );
            return None;
        }
        let decl = match find_dataset(self.pipeline, &qualified) {
            Ok(d) => d,
            Err(hint) => {
                self.binder.diags.push(
                    Diag::error(
                        Code::UnknownDataset,
                        format!("unknown dataset `{qualified}`"),
                    )
                    .label(span, "not declared in the pipeline")
                    .help(format!(
                        "datasets are declared as `sources: <system>: datasets: <name>`; {hint}"
                    )),
                );
                return None;
            }
        };
        let columns = self
            .schemas
            .columns(decl, self.binder.sources, &mut self.binder.diags)?
            .to_vec();
        self.dataset_index(&qualified);
        Some(Bound {
            alias: source.alias.node.clone(),
            dataset: qualified,
            columns,
        })
    }

    fn dataset_index(&mut self, qualified: &str) -> usize {
        if let Some(i) = self.datasets.iter().position(|(q, _)| q == qualified) {
            return i;
        }
        let system = qualified.split('.').next().unwrap_or_default().to_string();
        self.datasets.push((qualified.to_string(), system));
        self.datasets.len() - 1
    }

    fn expr(&mut self, bound: &[Bound], expr: &Node<Expr>) -> Checked {
        let scope: Vec<ScopeEntry> = bound
            .iter()
            .enumerate()
            .map(|(slot, b)| ScopeEntry {
                alias: &b.alias,
                slot,
                columns: &b.columns,
            })
            .collect();
        ExprChecker {
            scope: &scope,
            binder: self.binder,
        }
        .check(expr)
    }

    /// `on a == b` where one side reads only the joined dataset and the other only earlier ones.
    fn join_plan(&mut self, bound: &[Bound], join: &Join) -> Option<JoinPlan> {
        let on = &join.on;
        let slot = bound.len() - 1;
        let Expr::Binary(BinOp::Eq, lhs, rhs) = &on.node else {
            self.bad_join(
                on,
                "a join condition must be `<earlier side> == <joined side>`",
            );
            return None;
        };
        let l = self.expr(bound, lhs);
        let r = self.expr(bound, rhs);
        self.require_handled(&l, "a join condition");
        self.require_handled(&r, "a join condition");
        let joined = 1u64 << slot;
        let (probe, build) = if r.slots == joined && l.slots & joined == 0 {
            (l, r)
        } else if l.slots == joined && r.slots & joined == 0 {
            (r, l)
        } else {
            self.bad_join(on, "each side of `==` must read one side of the join only");
            return None;
        };
        let first_by = self.first_by(bound, &join.first_by, joined)?;
        Some(JoinPlan {
            slot,
            kind: join.kind,
            personal: probe.sensitive || build.sensitive,
            probe: probe.ir,
            build: build.ir,
            span: on.span,
            first_by,
        })
    }

    /// `first by` runs on the joined rows alone, before any probe: it may read nothing else.
    fn first_by(
        &mut self,
        bound: &[Bound],
        items: &[OrderItem],
        joined: u64,
    ) -> Option<Vec<(crate::check::Ir, bool)>> {
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            let c = self.expr(bound, &item.expr);
            self.require_handled(&c, "a `first by` expression");
            if c.slots & !joined != 0 {
                self.binder.diags.push(
                    Diag::error(Code::BadFirstBy, "`first by` can only read the joined dataset")
                        .label(item.expr.span, "reads another dataset of the block")
                        .help(format!(
                            "order the matches by columns of `{}` only, e.g. `first by {}.enabled desc`",
                            bound[bound.len() - 1].alias,
                            bound[bound.len() - 1].alias
                        )),
                );
                return None;
            }
            out.push((c.ir, item.descending));
        }
        Some(out)
    }

    fn warn_personal_key(&mut self, span: crate::diagnostic::Span) {
        self.binder.diags.push(
            Diag::warning(Code::PersonalKey, "this sync key is derived from a personal number")
                .label(span, "a personnummer in the key")
                .help("personal numbers change (a temporary number becomes permanent, a samordningsnummer a personnummer) and should not reach targets; key by the register's own id, and declare `identity:` so a changed key is an update"),
        );
    }

    fn bad_join(&mut self, on: &Node<Expr>, label: &str) {
        self.binder.diags.push(
            Diag::error(Code::BadJoinCondition, "this join condition cannot be run as a join")
                .label(on.span, label)
                .help("write e.g. `left join ad.users as a on pnr(e.Personnummer) ?? null == pnr(a.employeeNumber) ?? null`; put other conditions in `where`"),
        );
    }

    fn fields(
        &mut self,
        entity: EntityKind,
        block: &Block,
        bound: &[Bound],
    ) -> Vec<Option<FieldPlan>> {
        let schema = entity.fields();
        let mut fields: Vec<Option<FieldPlan>> = schema.iter().map(|_| None).collect();
        for assignment in &block.fields {
            let name = &assignment.name;
            let Some(index) = entity.field_index(&name.node) else {
                self.binder.diags.push(
                    Diag::error(
                        Code::UnknownField,
                        format!("`{}` has no field `{}`", entity.name(), name.node),
                    )
                    .label(name.span, "unknown field")
                    .help(format!(
                        "{}; docs/dsl-reference.md lists the fields of each entity",
                        suggest::did_you_mean(&name.node, schema.iter().map(|f| f.name))
                    )),
                );
                continue;
            };
            let c = self.expr(bound, &assignment.value);
            self.require_handled(&c, "a field");
            if fields[index].is_some() {
                self.binder.diags.push(
                    Diag::error(
                        Code::DuplicateField,
                        format!("`{}` is assigned twice", name.node),
                    )
                    .label(name.span, "assigned again here")
                    .help("keep one assignment; use `??` to try several sources in order"),
                );
                continue;
            }
            let sensitive = c.sensitive || schema[index].sensitive;
            fields[index] = Some(FieldPlan {
                ir: c.ir,
                span: assignment.value.span,
                sensitive,
            });
        }
        for (def, field) in schema.iter().zip(&fields) {
            if def.required && field.is_none() {
                self.binder.diags.push(
                    Diag::error(
                        Code::MissingField,
                        format!("`{}` needs the field `{}`", entity.name(), def.name),
                    )
                    .label(
                        block.entity.span,
                        format!("this block does not assign `{}`", def.name),
                    )
                    .help(format!("add `{} = ...` ({})", def.name, def.doc)),
                );
            }
        }
        fields
    }

    fn require_type(&mut self, c: &Checked, expr: &Node<Expr>, want: Ty, what: &str) {
        if !c.ty.fits(want) {
            self.binder.diags.push(
                Diag::error(
                    Code::TypeMismatch,
                    format!("{what} must be a {}, found a {}", want.name(), c.ty.name()),
                )
                .label(expr.span, format!("a {}", c.ty.name()))
                .help("compare values with `==`, or use a function that returns a boolean"),
            );
        }
    }

    fn require_handled(&mut self, c: &Checked, what: &str) {
        if let Some(span) = c.fallible {
            self.binder.diags.push(
                Diag::error(Code::UnhandledFallible, format!("{what} uses an expression that can fail at run time"))
                    .label(span, "this can fail on some records")
                    .help("decide what a failure means: add a fallback with `?? value` (e.g. `?? null`, `?? false`), or write the call with `!` to stop the run on such a record"),
            );
        }
    }
}
