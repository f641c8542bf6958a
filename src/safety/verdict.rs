//! The safety gate's verdict on one target, as the plan (text and JSON) carries it.

use super::limit::Limit;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct Verdict {
    /// Why no limit was checked (a target's first run).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub exempt: Option<String>,
    /// Which set of limits applied: `normal` or `rollover`.
    #[serde(default)]
    pub limits: String,
    /// Limits the plan goes over: apply refuses the whole plan.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub held: Vec<Violation>,
    /// Limits the plan goes over but that an `--allow` raised for this run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowed: Vec<Violation>,
}

impl Verdict {
    pub fn is_held(&self) -> bool {
        !self.held.is_empty()
    }
}

/// One limit gone over.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Violation {
    /// The limit's name, as `--allow` takes it: `delete.person`, `remove_members`.
    pub limit: String,
    /// How many changes the limit counts.
    pub changes: usize,
    /// How many records the target held before (the base of the percentage).
    pub base: usize,
    pub percent: f64,
    /// The limit in force (the pipeline's or the default).
    pub max: Limit,
    /// For `remove_members`: the group that loses its members.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub group: Option<String>,
    /// Where the changes concentrate, e.g. "1 204 of 1 300 person deletes are pupils of school unit 12345678".
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub concentration: Option<String>,
    /// The override that lets it through (for allowed ones): `delete.person=1500`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub allowed_by: Option<String>,
}
