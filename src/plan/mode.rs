//! What kind of run this is: a normal night, a school-year rollover, and/or additions-only
//! (the summer weeks), from the command's flags or the pipeline's yearly windows.

use crate::load::SchoolYear;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RunMode {
    /// Rollover limits apply and groups gone from the sources are archived.
    pub rollover: bool,
    /// Only creates and restores are applied; every other change is held back.
    pub additions_only: bool,
    /// Why, in words ("--rollover", "school_year.rollover 08-10..08-25").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub because: Vec<String>,
}

/// The command's own choices.
#[derive(Clone, Debug, Default)]
pub struct RunSettings {
    /// Read incremental sources in full (`--full-read`).
    pub full_read: bool,
    pub rollover: bool,
    pub additions_only: bool,
    pub allows: Vec<crate::safety::Allow>,
    /// Where the run reports what it is doing.
    pub watch: crate::report::Watch,
    /// Threads that may map a large block's rows (`--threads`).
    pub threads: usize,
    /// What reads the run's roster and rows once the plan is built.
    pub afterwards: Afterwards,
}

/// What reads a run's roster and rows once its plan is built.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Afterwards {
    /// Nothing (`etl plan`, `etl apply`): the last target's diff frees the roster's records
    /// as it walks them, and the text of each dataset nothing else reads is freed once the
    /// last block that reads it has run.
    #[default]
    Nothing,
    /// `etl explain` traces the run: the roster and every dataset's rows are kept whole.
    Explain,
}

impl RunMode {
    pub fn decide(settings: &RunSettings, year: &SchoolYear, today: NaiveDate) -> RunMode {
        let mut mode = RunMode::default();
        if settings.rollover {
            mode.rollover = true;
            mode.because.push("--rollover".to_string());
        } else if let Some(w) = year.rollover.filter(|w| w.contains(today)) {
            mode.rollover = true;
            mode.because.push(format!("school_year.rollover {w}"));
        }
        if settings.additions_only {
            mode.additions_only = true;
            mode.because.push("--additions-only".to_string());
        } else if let Some(w) = year.additions_only.filter(|w| w.contains(today)) {
            mode.additions_only = true;
            mode.because.push(format!("school_year.additions_only {w}"));
        }
        mode
    }

    pub fn name(&self) -> &'static str {
        match (self.rollover, self.additions_only) {
            (false, false) => "normal",
            (true, false) => "rollover",
            (false, true) => "additions-only",
            (true, true) => "rollover, additions-only",
        }
    }
}
