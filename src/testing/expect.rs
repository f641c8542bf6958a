//! Checking one test's expectations: records and their fields, absent keys, and plan
//! actions per target. Each unmet expectation is a diagnostic at its place in the test file.

use super::file::RawTest;
use crate::diagnostic::{Code, Diag, FileId, suggest};
use crate::load::span_of;
use crate::model::{EntityKind, Roster, Which};
use crate::plan::{Action, EntityPlan};
use serde_saphyr::Spanned;

pub struct Checker<'a> {
    pub file: FileId,
    pub roster: &'a Roster,
    /// The places of this test's rows that the run left out, with the reason.
    pub left_out: Vec<String>,
}

impl Checker<'_> {
    pub fn records(&self, test: &RawTest, out: &mut Vec<Diag>) {
        for (entity, records) in &test.expect.0 {
            let Some(kind) = self.entity(entity, out) else {
                continue;
            };
            for (key, fields) in &records.0 {
                let Some(record) = self
                    .roster
                    .entities
                    .get(&kind)
                    .and_then(|r| r.get(&key.value))
                else {
                    out.push(self.not_in_roster(kind, key));
                    continue;
                };
                for (field, expected) in &fields.0 {
                    let Some(i) = kind.field_index(&field.value) else {
                        out.push(self.unknown_field(kind, field));
                        continue;
                    };
                    let got = record.fields.get(i).map(str::to_owned);
                    let want = expected.value.clone();
                    if got != want {
                        out.push(
                            Diag::error(
                                Code::TestFailed,
                                format!(
                                    "{} `{}`: `{}` is {}, expected {}",
                                    kind.name(),
                                    key.value,
                                    field.value,
                                    shown(&got),
                                    shown(&want)
                                ),
                            )
                            .label(span_of(expected, self.file), format!("got {}", shown(&got))),
                        );
                    }
                }
            }
        }
        for (entity, keys) in &test.absent.0 {
            let Some(kind) = self.entity(entity, out) else {
                continue;
            };
            for key in keys {
                if self
                    .roster
                    .entities
                    .get(&kind)
                    .is_some_and(|r| r.contains_key(&key.value))
                {
                    out.push(
                        Diag::error(
                            Code::TestFailed,
                            format!(
                                "{} `{}` is in the roster, expected it absent",
                                kind.name(),
                                key.value
                            ),
                        )
                        .label(span_of(key, self.file), "made by the mappings"),
                    );
                }
            }
        }
    }

    /// Checks the expected actions of one target's plan.
    pub fn plan(
        &self,
        target: &Spanned<String>,
        expected: &crate::load::SpannedMap<crate::load::SpannedMap<Spanned<String>>>,
        plans: &[EntityPlan],
        out: &mut Vec<Diag>,
    ) {
        for (entity, keys) in &expected.0 {
            let Some(kind) = self.entity(entity, out) else {
                continue;
            };
            let plan = plans.iter().find(|p| p.entity == kind.name());
            for (key, action) in &keys.0 {
                let got = plan
                    .and_then(|p| p.changes.iter().find(|c| c.key == key.value))
                    .map_or("none", |c| c.action.name());
                if !actions().any(|a| a == action.value) {
                    out.push(
                        Diag::error(Code::TestFile, format!("unknown action `{}`", action.value))
                            .label(span_of(action, self.file), "here")
                            .help(format!(
                                "the actions are {}; {}",
                                actions().collect::<Vec<_>>().join(", "),
                                suggest::did_you_mean(&action.value, actions())
                            )),
                    );
                } else if got != action.value {
                    out.push(
                        Diag::error(
                            Code::TestFailed,
                            format!(
                                "target {}: {} `{}` gets `{got}`, expected `{}`",
                                target.value,
                                kind.name(),
                                key.value,
                                action.value
                            ),
                        )
                        .label(span_of(action, self.file), format!("the plan does `{got}`")),
                    );
                }
            }
        }
    }

    fn entity(&self, name: &Spanned<String>, out: &mut Vec<Diag>) -> Option<EntityKind> {
        let kind = EntityKind::parse(&name.value);
        if kind.is_none() {
            let names = EntityKind::ALL.iter().map(|k| k.name());
            out.push(
                Diag::error(Code::TestFile, format!("unknown entity `{}`", name.value))
                    .label(span_of(name, self.file), "here")
                    .help(format!(
                        "the entities are organisation, person, group and membership; {}",
                        suggest::did_you_mean(&name.value, names)
                    )),
            );
        }
        kind
    }

    fn unknown_field(&self, kind: EntityKind, field: &Spanned<String>) -> Diag {
        let names = kind.fields().iter().map(|f| f.name);
        Diag::error(
            Code::TestFile,
            format!("a {} has no field `{}`", kind.name(), field.value),
        )
        .label(span_of(field, self.file), "here")
        .help(suggest::did_you_mean(&field.value, names))
    }

    fn not_in_roster(&self, kind: EntityKind, key: &Spanned<String>) -> Diag {
        let mut d = Diag::error(
            Code::TestFailed,
            format!("{} `{}` is not in the roster", kind.name(), key.value),
        )
        .label(span_of(key, self.file), "expected here");
        if !self.left_out.is_empty() {
            d = d.help(format!(
                "left out in this test: {}",
                self.left_out.join("; ")
            ));
        } else {
            d = d.help("no row of this test made a record with this key; check the key expression of the mapping");
        }
        d
    }
}

/// What `plan:` may expect for a key: an action, or `none` for no change.
fn actions() -> impl Iterator<Item = &'static str> + Clone {
    Action::ALL.iter().map(|a| a.name()).chain(["none"])
}

fn shown(value: &Option<String>) -> String {
    match value {
        Some(v) => format!("`{v}`"),
        None => "null".to_string(),
    }
}

/// Why each record of a test was left out: `tests.yaml:12: the `where` at ... is false`.
pub fn left_out_places(roster: &Roster, datasets: &[crate::source::Dataset]) -> Vec<String> {
    let mut out = Vec::new();
    for l in &roster.left_out {
        for which in &l.records {
            let place = match which {
                Which::Row { dataset, row } => datasets.get(*dataset).map(|d| d.place(*row)),
                Which::Key(key) => Some(format!("{} `{key}`", l.entity.name())),
            };
            if let Some(place) = place {
                out.push(format!("{place}: {}", l.reason));
            }
        }
    }
    out
}
