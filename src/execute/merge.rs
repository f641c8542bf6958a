//! Merging records of one entity that share a key (a person with a pupil row and a staff
//! row, or rows at two schools) into one, by the rules of the entity's `merge` declaration.

use crate::check::{MergePlan, MergeRule};
use crate::diagnostic::{Code, Diag};
use crate::model::{EntityKind, Fields, FieldsRef, Record, Roster};
use std::collections::BTreeMap;

/// Records seen again under a key already in the roster, per (entity, key).
pub type Pending = BTreeMap<(EntityKind, String), Merging>;

/// The records to fold into the roster's record of one key, with where each came from.
pub struct Merging {
    /// `file:line` of the record already in the roster.
    pub first_at: String,
    /// Each later record, in order, and its `file:line`.
    pub others: Vec<(Record, String)>,
}

/// Two merged records disagree on a field without a rule: (value, `file:line`) of each.
struct Conflict {
    entity: EntityKind,
    key: String,
    field: usize,
    values: [(String, String); 2],
}

/// Folds every pending record into the roster's record of the same key.
pub fn apply(plans: &[MergePlan], roster: &mut Roster, pending: Pending) -> Result<(), Diag> {
    let mut conflicts = Vec::new();
    // Per entity, its keys in order: each entity's table is made again once, in one walk.
    let mut by_entity: BTreeMap<EntityKind, Vec<(String, Merging)>> = BTreeMap::new();
    for ((entity, key), merging) in pending {
        by_entity.entry(entity).or_default().push((key, merging));
    }
    for (entity, merges) in by_entity {
        let Some(plan) = plans.iter().find(|p| p.entity == entity) else {
            continue;
        };
        let Some(records) = roster.entities.get_mut(&entity) else {
            continue;
        };
        let mut merges = merges.into_iter().peekable();
        records.edit(|key, record| {
            while merges.next_if(|(k, _)| k.as_str() < key).is_some() {}
            let (_, merging) = merges.next_if(|(k, _)| k == key)?;
            let folded = Folded {
                plan,
                key,
                merging: &merging,
            };
            Some(folded.fields(record.fields, &mut conflicts))
        });
    }
    match conflicts.is_empty() {
        true => Ok(()),
        false => Err(report(plans, roster, &conflicts)),
    }
}

/// The records of one key to fold into one.
struct Folded<'a> {
    plan: &'a MergePlan,
    key: &'a str,
    merging: &'a Merging,
}

impl Folded<'_> {
    /// The merged fields of the roster's record (`first`) and the others; each field whose
    /// values disagree without a rule is a conflict.
    fn fields(&self, first: FieldsRef, conflicts: &mut Vec<Conflict>) -> Fields {
        let mut merged = first
            .iter()
            .map(|v| v.map(str::to_owned))
            .collect::<Vec<_>>();
        for (field, slot) in merged.iter_mut().enumerate() {
            let values: Vec<(&str, &str)> =
                std::iter::once((first.get(field), &self.merging.first_at))
                    .chain(
                        self.merging
                            .others
                            .iter()
                            .map(|(o, at)| (o.fields.get(field), at)),
                    )
                    .filter_map(|(v, at)| Some((v?, at.as_str())))
                    .collect();
            match merge_field(self.plan.rules.get(field).and_then(Option::as_ref), &values) {
                Ok(v) => *slot = v,
                Err([a, b]) => conflicts.push(Conflict {
                    entity: self.plan.entity,
                    key: self.key.to_string(),
                    field,
                    values: [a, b].map(|(v, at)| (v.to_string(), at.to_string())),
                }),
            }
        }
        merged.into()
    }
}

/// One field's merged value from its non-null (value, place) pairs; without a rule, all
/// values must agree (or the first two that differ are returned).
fn merge_field<'v>(
    rule: Option<&MergeRule>,
    values: &[(&'v str, &'v str)],
) -> Result<Option<String>, [(&'v str, &'v str); 2]> {
    let mut texts = values.iter().map(|(v, _)| *v);
    let Some(rule) = rule else {
        return match values.iter().find(|(v, _)| *v != values[0].0) {
            Some(other) => Err([values[0], *other]),
            None => Ok(values.first().map(|(v, _)| v.to_string())),
        };
    };
    Ok(match rule {
        MergeRule::Min => texts.min().map(str::to_string),
        MergeRule::Max => texts.max().map(str::to_string),
        MergeRule::First => texts.next().map(str::to_string),
        MergeRule::Union(sep) => {
            let mut all: Vec<&str> = texts.filter(|v| !v.is_empty()).collect();
            all.sort_unstable();
            all.dedup();
            (!all.is_empty()).then(|| all.join(sep))
        }
        MergeRule::Prefer(order) => {
            let rank = |v: &str| order.iter().position(|o| o == v).unwrap_or(order.len());
            texts
                .min_by(|a, b| rank(a).cmp(&rank(b)).then(a.cmp(b)))
                .map(str::to_string)
        }
    })
}

fn report(plans: &[MergePlan], roster: &Roster, conflicts: &[Conflict]) -> Diag {
    let lines: Vec<String> = conflicts
        .iter()
        .take(20)
        .map(|c| {
            let key = match roster.sensitive_keys.contains(&c.entity) {
                true => crate::plan::mask(&c.key),
                false => c.key.clone(),
            };
            let shown = |v: &str| match roster.is_sensitive(c.entity, c.field) {
                true => crate::plan::mask(v),
                false => format!("{v:?}"),
            };
            let field = c.entity.fields()[c.field].name;
            let [(a, a_at), (b, b_at)] = &c.values;
            format!(
                "  {} {key}: {field} is {} ({a_at}) and {} ({b_at})",
                c.entity.name(),
                shown(a),
                shown(b)
            )
        })
        .collect();
    let more = match conflicts.len() > 20 {
        true => format!("\n  ... and {} more", conflicts.len() - 20),
        false => String::new(),
    };
    let first = &conflicts[0];
    let field = first.entity.fields()[first.field].name;
    let mut diag = Diag::error(
        Code::MergeConflict,
        format!(
            "{} merged record(s) disagree on a field without a merge rule; nothing was planned:\n{}{more}",
            conflicts.len(),
            lines.join("\n")
        ),
    )
    .help(format!(
        "give the field a rule, e.g. `{field} = first` (or `min`, `max`, `union`, `prefer(...)`), or fix the source rows"
    ));
    if let Some(plan) = plans.iter().find(|p| p.entity == first.entity) {
        diag = diag.label(plan.span, format!("`{field}` has no rule here"));
    }
    diag
}

#[cfg(test)]
mod tests {
    use super::*;

    fn merged(
        rule: Option<MergeRule>,
        values: &[&str],
    ) -> Result<Option<String>, (String, String)> {
        let placed: Vec<(&str, &str)> = values.iter().map(|v| (*v, "f.csv:2")).collect();
        merge_field(rule.as_ref(), &placed).map_err(|[a, b]| (a.0.to_string(), b.0.to_string()))
    }

    #[test]
    fn rules_pick_as_documented() {
        let v = ["Berg", "Ahl", "Ek"];
        assert_eq!(merged(Some(MergeRule::Min), &v), Ok(Some("Ahl".into())));
        assert_eq!(merged(Some(MergeRule::Max), &v), Ok(Some("Ek".into())));
        assert_eq!(merged(Some(MergeRule::First), &v), Ok(Some("Berg".into())));
        let schools = ["87654321", "12345678", "87654321"];
        assert_eq!(
            merged(Some(MergeRule::Union(",".into())), &schools),
            Ok(Some("12345678,87654321".into()))
        );
        let prefer = MergeRule::Prefer(vec!["pupil".into(), "teacher".into()]);
        assert_eq!(
            merged(Some(prefer.clone()), &["staff", "teacher", "principal"]),
            Ok(Some("teacher".into()))
        );
        assert_eq!(
            merged(Some(prefer), &["staff", "principal"]),
            Ok(Some("principal".into()))
        );
        assert_eq!(merged(Some(MergeRule::Min), &[]), Ok(None));
        assert_eq!(merged(Some(MergeRule::Union(",".into())), &[]), Ok(None));
    }

    #[test]
    fn fields_without_a_rule_must_agree() {
        assert_eq!(merged(None, &["5", "5"]), Ok(Some("5".into())));
        assert_eq!(merged(None, &[]), Ok(None));
        assert_eq!(
            merged(None, &["5", "6"]),
            Err(("5".to_string(), "6".to_string()))
        );
    }
}
