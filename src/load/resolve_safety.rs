//! Resolving the safe-sync settings: delete policies, limits, school-year windows and
//! protected-identity rules. Errors point at the value in the pipeline file.

use super::SchoolYear;
use super::raw::{RawProtected, RawSchoolYear, RawWindow, S};
use super::raw_safety::{LimitValue, PolicyValue};
use super::resolve::Resolver;
use super::spanned_map::SpannedMap;
use super::window::{YearlyWindow, parse_days};
use super::yaml::span_of;
use crate::diagnostic::{Code, Diag, suggest};
use crate::diff::{DeletePolicy, Policies};
use crate::model::EntityKind;
use crate::safety::{Limit, LimitName, Limits};
use crate::source::ProtectedRule;
use serde_saphyr::Spanned;
use std::time::Duration;

/// The most `script_time:` allows: a nightly run should not wait longer on scripts.
const MAX_SCRIPT_TIME: Duration = Duration::from_secs(3600);

impl Resolver<'_> {
    pub(super) fn policies(&mut self, raw: &SpannedMap<Spanned<PolicyValue>>) -> Policies {
        let mut policies = Policies::default();
        for (name, value) in &raw.0 {
            let Some(kind) = self.entity(name) else {
                continue;
            };
            if let Some(policy) = self.policy(kind, value) {
                policies.by_kind.insert(kind, policy);
            }
        }
        policies
    }

    fn entity(&mut self, name: &S) -> Option<EntityKind> {
        let kind = EntityKind::parse(&name.value);
        if kind.is_none() {
            let names = EntityKind::ALL.iter().map(|k| k.name());
            self.diags.push(
                Diag::error(Code::BadSetting, format!("unknown entity `{}`", name.value))
                    .label(span_of(name, self.file), "not an entity")
                    .help(suggest::did_you_mean(&name.value, names)),
            );
        }
        kind
    }

    fn policy(&mut self, kind: EntityKind, value: &Spanned<PolicyValue>) -> Option<DeletePolicy> {
        let span = span_of(value, self.file);
        let policy = match &value.value {
            PolicyValue::Word(w) if w == "delete" => DeletePolicy::Delete,
            PolicyValue::Word(w) if w == "trash" => DeletePolicy::Trash,
            PolicyValue::Word(w) if w == "archive" => DeletePolicy::Archive,
            PolicyValue::Word(w) => {
                self.diags.push(
                    Diag::error(Code::BadSetting, format!("unknown delete policy `{w}`"))
                        .label(span, "here")
                        .help(format!(
                            "policies: `delete`, `trash`, `archive` (groups) or {{ delay: 14d }}; {}",
                            suggest::did_you_mean(w, DeletePolicy::NAMES.iter().copied())
                        )),
                );
                return None;
            }
            PolicyValue::Delay(d) => match parse_days(d) {
                Some(days) => DeletePolicy::Delay(days),
                None => {
                    self.diags.push(
                        Diag::error(Code::BadSetting, format!("`{d}` is not a number of days"))
                            .label(span, "here")
                            .help("write the delay as whole days, e.g. { delay: 14d }"),
                    );
                    return None;
                }
            },
        };
        if policy == DeletePolicy::Archive && kind != EntityKind::Group {
            self.diags.push(
                Diag::error(Code::BadSetting, format!("only groups can be archived, not {}s", kind.name()))
                    .label(span, "archive")
                    .help("use `trash` to keep the record deactivated, or { delay: 14d } to delete it later"),
            );
            return None;
        }
        Some(policy)
    }

    pub(super) fn limits(
        &mut self,
        raw: &SpannedMap<Spanned<LimitValue>>,
        defaults: Limits,
    ) -> Limits {
        let mut settings = Vec::new();
        for (name, value) in &raw.0 {
            let Some(parsed) = LimitName::parse(&name.value) else {
                let names = LimitName::names();
                self.diags.push(
                    Diag::error(Code::BadSetting, format!("unknown limit `{}`", name.value))
                        .label(span_of(name, self.file), "not a limit")
                        .help(format!(
                            "limits are OPERATION.ENTITY (create, update, delete; organisation, person, group, membership) or remove_members; {}",
                            suggest::did_you_mean(&name.value, names.iter().map(String::as_str))
                        )),
                );
                continue;
            };
            if let Some(limit) = self.limit(value) {
                self.reachable(parsed, limit.as_ref(), value);
                settings.push((parsed, limit));
            }
        }
        defaults.with(&settings)
    }

    /// A share over 100% of what the target holds can never be reached by updates,
    /// deletes or removed members: it reads as a limit but lifts it, so it is refused.
    fn reachable(&mut self, name: LimitName, limit: Option<&Limit>, value: &Spanned<LimitValue>) {
        let over = limit.and_then(|l| l.percent).filter(|p| *p > 100.0);
        if let (Some(percent), false) = (over, matches!(name, LimitName::Create(_))) {
            self.diags.push(
                Diag::error(
                    Code::BadSetting,
                    format!("`{name}` at {percent}% can never be reached: a run cannot change more than all of what the target holds"),
                )
                .label(span_of(value, self.file), "over 100%")
                .help(format!("write a share up to 100%, or `{name}: none` to lift the limit")),
            );
        }
    }

    /// `Some(None)` is `none`: the limit is lifted.
    fn limit(&mut self, value: &Spanned<LimitValue>) -> Option<Option<Limit>> {
        let limit = match &value.value {
            LimitValue::Text(t) if t.trim() == "none" => return Some(None),
            LimitValue::Text(t) => Limit::parse(t),
            LimitValue::Count(c) => Some(Limit {
                count: Some(*c),
                percent: None,
            }),
            LimitValue::Parts { count, percent } => (count.is_some() || percent.is_some())
                .then_some(Limit {
                    count: *count,
                    percent: *percent,
                })
                .filter(|l| l.percent.is_none_or(|p| p.is_finite() && p >= 0.0)),
        };
        if limit.is_none() {
            self.diags.push(
                Diag::error(
                    Code::BadSetting,
                    "this limit is not a count, a share or `none`",
                )
                .label(span_of(value, self.file), "here")
                .help("write 50, 5%, { count: 50, percent: 5 } or none"),
            );
        }
        limit.map(Some)
    }

    pub(super) fn school_year(&mut self, raw: Option<&RawSchoolYear>) -> SchoolYear {
        let Some(raw) = raw else {
            return SchoolYear::default();
        };
        SchoolYear {
            rollover: raw.rollover.as_ref().and_then(|w| self.window(w)),
            additions_only: raw.additions_only.as_ref().and_then(|w| self.window(w)),
        }
    }

    fn window(&mut self, raw: &RawWindow) -> Option<YearlyWindow> {
        let mut day = |s: &S| {
            let found = YearlyWindow::parse_day(&s.value);
            if found.is_none() {
                self.diags.push(
                    Diag::error(Code::BadSetting, format!("`{}` is not a day of the year", s.value))
                        .label(span_of(s, self.file), "here")
                        .help("write the month and day as MM-DD, e.g. 08-10; the window repeats every year"),
                );
            }
            found
        };
        let (from, to) = (day(&raw.from), day(&raw.to));
        Some(YearlyWindow {
            from: from?,
            to: to?,
        })
    }

    /// `read_ahead:` as whole days, at most a year.
    pub(super) fn read_ahead(&mut self, raw: Option<&S>) -> Option<u32> {
        let Some(raw) = raw else {
            return Some(crate::functions::DEFAULT_READ_AHEAD);
        };
        let days = parse_days(&raw.value).filter(|d| *d <= 366);
        if days.is_none() {
            self.diags.push(
                Diag::error(
                    Code::BadSetting,
                    format!("`{}` is not a read-ahead of whole days", raw.value),
                )
                .label(span_of(raw, self.file), "here")
                .help("write whole days from 0d to 366d, e.g. `read_ahead: 30d`; 0d reads no days ahead"),
            );
        }
        days
    }

    /// `script_time:`: a length of time above zero and at most an hour.
    pub(super) fn script_time(&mut self, raw: Option<&S>) -> Option<Duration> {
        let time = self.duration(raw, crate::script::DEFAULT_RUN_TIME, "1m")?;
        let Some(raw) = raw else {
            return Some(time);
        };
        if time.is_zero() || time > MAX_SCRIPT_TIME {
            self.diags.push(
                Diag::error(
                    Code::BadSetting,
                    format!("`{}` is not a script time this tool allows", raw.value),
                )
                .label(span_of(raw, self.file), "here")
                .help("give the scripts of one run more than 0s and at most 1h, e.g. `script_time: 1m`"),
            );
            return None;
        }
        Some(time)
    }

    pub(super) fn identity(&mut self, raw: &SpannedMap<S>) -> super::Identity {
        let mut identity = super::Identity::new();
        for (name, field) in &raw.0 {
            let Some(kind) = self.entity(name) else {
                continue;
            };
            match kind.field_index(&field.value) {
                Some(i) => {
                    identity.insert(kind, i);
                }
                None => {
                    let fields = kind.fields().iter().map(|f| f.name);
                    self.diags.push(
                        Diag::error(
                            Code::BadSetting,
                            format!("{} has no field `{}`", kind.name(), field.value),
                        )
                        .label(span_of(field, self.file), "not a field")
                        .help(format!(
                            "the identity is a field the mappings assign, e.g. `person: email`; {}",
                            suggest::did_you_mean(&field.value, fields)
                        )),
                    );
                }
            }
        }
        identity
    }

    pub(super) fn protected(&mut self, raw: &RawProtected) -> ProtectedRule {
        ProtectedRule {
            column: raw.column.value.clone(),
            span: span_of(&raw.column, self.file),
            values: raw.values.iter().map(|v| v.value.clone()).collect(),
        }
    }
}
