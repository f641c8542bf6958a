//! A mapping test file as written, with a span on every value: named cases, each giving
//! rows of the pipeline's datasets and expecting records, absences or plan actions.

use crate::load::SpannedMap;
use serde::Deserialize;
use serde_saphyr::Spanned;

pub type S = Spanned<String>;

/// Rows per dataset (`system.dataset`), each row a mapping of column to value.
/// A value is read as the text written (`N`, `0012`, `2021-08-16` stay as they are);
/// `null` or `~` is an empty field.
pub type Rows = SpannedMap<Vec<Spanned<SpannedMap<Option<String>>>>>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTests {
    pub tests: Vec<RawTest>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTest {
    pub name: S,
    /// The run's date (YYYY-MM-DD); default: `--today`, else the local date.
    pub today: Option<S>,
    /// Rows of the night before, for `plan:`: what they make is taken as already applied.
    #[serde(default)]
    pub yesterday: Rows,
    /// Tonight's rows. Datasets not named here are empty.
    #[serde(default)]
    pub given: Rows,
    /// entity -> key -> field -> value (`null` for no value). Fields not named are not checked.
    #[serde(default)]
    pub expect: SpannedMap<SpannedMap<SpannedMap<Spanned<Option<String>>>>>,
    /// entity -> keys that must not be in the roster.
    #[serde(default)]
    pub absent: SpannedMap<Vec<S>>,
    /// target -> entity -> key -> action (`create`, `update`, `trash`, ... or `none`).
    #[serde(default)]
    pub plan: SpannedMap<SpannedMap<SpannedMap<S>>>,
}
