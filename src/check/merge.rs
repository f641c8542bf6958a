//! Checking `merge` declarations: one per entity, known fields, known rules with the right
//! arguments, and `prefer` values that the field allows.

use super::ir::{MergePlan, MergeRule};
use crate::diagnostic::{Code, Diag, Node, suggest};
use crate::model::EntityKind;
use crate::syntax::ast::{MergeDecl, MergeRuleDecl};

const RULES: &[&str] = &["min", "max", "first", "union", "prefer"];

/// Checks every declaration of every file; errors go to `diags`.
pub fn check<'a>(
    decls: impl IntoIterator<Item = &'a MergeDecl>,
    diags: &mut Vec<Diag>,
) -> Vec<MergePlan> {
    let mut plans: Vec<MergePlan> = Vec::new();
    for decl in decls {
        let Some(entity) = entity(&decl.entity, diags) else {
            continue;
        };
        if plans.iter().any(|p| p.entity == entity) {
            diags.push(
                Diag::error(
                    Code::BadMerge,
                    format!("`{}` has two merge declarations", entity.name()),
                )
                .label(decl.entity.span, "declared again here")
                .help("keep one `merge` per entity and put every field's rule in it"),
            );
            continue;
        }
        let mut rules: Vec<Option<MergeRule>> = entity.fields().iter().map(|_| None).collect();
        for decl_rule in &decl.rules {
            let Some(index) = field(entity, &decl_rule.field, diags) else {
                continue;
            };
            if rules[index].is_some() {
                diags.push(
                    Diag::error(
                        Code::DuplicateField,
                        format!("`{}` has two merge rules", decl_rule.field.node),
                    )
                    .label(decl_rule.field.span, "given again here")
                    .help("keep one rule per field"),
                );
                continue;
            }
            rules[index] = rule(entity, index, decl_rule, diags);
        }
        plans.push(MergePlan {
            entity,
            rules,
            span: decl.entity.span,
        });
    }
    plans
}

fn entity(name: &Node<String>, diags: &mut Vec<Diag>) -> Option<EntityKind> {
    let found = EntityKind::parse(&name.node);
    if found.is_none() {
        diags.push(
            Diag::error(Code::BadMerge, format!("cannot merge `{}`", name.node))
                .label(name.span, "not an entity kind")
                .help(format!(
                    "merge `organisation`, `person`, `group` or `membership`; {}",
                    suggest::did_you_mean(&name.node, EntityKind::ALL.iter().map(|k| k.name()))
                )),
        );
    }
    found
}

fn field(entity: EntityKind, name: &Node<String>, diags: &mut Vec<Diag>) -> Option<usize> {
    let index = entity.field_index(&name.node);
    if index.is_none() {
        diags.push(
            Diag::error(
                Code::UnknownField,
                format!("`{}` has no field `{}`", entity.name(), name.node),
            )
            .label(name.span, "unknown field")
            .help(suggest::did_you_mean(
                &name.node,
                entity.fields().iter().map(|f| f.name),
            )),
        );
    }
    index
}

fn rule(
    entity: EntityKind,
    index: usize,
    decl: &MergeRuleDecl,
    diags: &mut Vec<Diag>,
) -> Option<MergeRule> {
    let args = &decl.args;
    let arity = |ok: bool, want: &str, diags: &mut Vec<Diag>| {
        if !ok {
            diags.push(
                Diag::error(
                    Code::BadMerge,
                    format!("`{}` takes {want}", decl.rule.node),
                )
                .label(decl.rule.span, "wrong arguments")
                .help("e.g. `school = union`, `school = union(\";\")`, `role = prefer(\"pupil\", \"teacher\")`"),
            );
        }
        ok
    };
    match decl.rule.node.as_str() {
        "min" | "max" | "first" if !arity(args.is_empty(), "no arguments", diags) => None,
        "min" => Some(MergeRule::Min),
        "max" => Some(MergeRule::Max),
        "first" => Some(MergeRule::First),
        "union" if entity.fields()[index].allowed.is_some() => {
            diags.push(
                Diag::error(
                    Code::BadMerge,
                    format!(
                        "`union` would give `{}` a value it does not allow",
                        decl.field.node
                    ),
                )
                .label(decl.rule.span, "joins several values into one")
                .help("pick one value of an enumeration with `prefer(...)`, `min` or `first`"),
            );
            None
        }
        "union" if arity(args.len() <= 1, "at most one separator", diags) => Some(
            MergeRule::Union(args.first().map_or(",".to_string(), |a| a.node.clone())),
        ),
        "prefer" if arity(!args.is_empty(), "the values in order of preference", diags) => {
            prefer(entity, index, args, diags)
        }
        "union" | "prefer" => None,
        other => {
            diags.push(
                Diag::error(Code::BadMerge, format!("unknown merge rule `{other}`"))
                    .label(decl.rule.span, "not a merge rule")
                    .help(format!(
                        "rules are `min`, `max`, `first`, `union` and `prefer(...)`; {}",
                        suggest::did_you_mean(other, RULES.iter().copied())
                    )),
            );
            None
        }
    }
}

/// `prefer` on an enumeration may only name values the field allows (a typo would never win).
fn prefer(
    entity: EntityKind,
    index: usize,
    args: &[Node<String>],
    diags: &mut Vec<Diag>,
) -> Option<MergeRule> {
    let def = &entity.fields()[index];
    let mut ok = true;
    if let Some(allowed) = def.allowed {
        for arg in args.iter().filter(|a| !allowed.contains(&a.node.as_str())) {
            ok = false;
            diags.push(
                Diag::error(
                    Code::BadMerge,
                    format!(
                        "`{}` is not a value of `{}.{}`",
                        arg.node,
                        entity.name(),
                        def.name
                    ),
                )
                .label(arg.span, "never produced")
                .help(match suggest::closest(&arg.node, allowed.iter().copied()) {
                    Some(c) => format!("did you mean `{c}`?"),
                    None => format!("allowed values: {}", allowed.join(", ")),
                }),
            );
        }
    }
    ok.then(|| MergeRule::Prefer(args.iter().map(|a| a.node.clone()).collect()))
}
