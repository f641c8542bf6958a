//! What `etl explain` found, step by step (also printed as JSON with `--json`).

use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct Explanation {
    /// What was asked for, masked when it is a personnummer.
    pub who: String,
    pub pipeline: String,
    pub today: String,
    /// The source rows that hold it.
    pub found: Vec<Found>,
    /// Each record the mappings made (or would have made) from a row that concerns it.
    pub traces: Vec<BlockTrace>,
    /// Each record concerned, in the roster and per target.
    pub records: Vec<RecordFate>,
}

/// A source row that holds what was asked for.
#[derive(Debug, Serialize)]
pub struct Found {
    /// `system.dataset`
    pub dataset: String,
    /// `file:line`, or `URL: object N`
    pub place: String,
    /// The columns that hold it.
    pub columns: Vec<String>,
}

/// One entity block run on one row, traced.
#[derive(Debug, Serialize)]
pub struct BlockTrace {
    pub entity: String,
    /// Where the block is: `file:line:column`.
    pub block: String,
    /// `system.dataset` of the block's `from`.
    pub from: String,
    /// The row the record starts from.
    pub row: String,
    pub joins: Vec<JoinTrace>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter: Option<FilterTrace>,
    /// The sync key (masked when it derives from a personnummer).
    pub key: String,
    pub fields: Vec<FieldTrace>,
    pub outcome: Outcome,
}

#[derive(Debug, Serialize)]
pub struct JoinTrace {
    /// `system.dataset` joined.
    pub dataset: String,
    /// `left` or `inner`.
    pub kind: String,
    /// The `on` condition as written, and where.
    pub condition: String,
    pub at: String,
    /// The values on this record's side.
    pub steps: Vec<String>,
    /// The joined rows it matched.
    pub matched: Vec<String>,
    /// Why it matched nothing, and what that means.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct FilterTrace {
    pub condition: String,
    pub at: String,
    pub steps: Vec<String>,
    pub passed: bool,
}

#[derive(Debug, Serialize)]
pub struct FieldTrace {
    pub field: String,
    /// As shown: `"text"`, `null`, or masked.
    pub value: String,
    /// The expression that made it, as written.
    pub expression: String,
    /// When a `??` fallback made the value: what the part before it gave.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case", tag = "result")]
pub enum Outcome {
    /// The record was made (it may still be merged with or lose to another).
    Made,
    /// An inner join found no row (the join's index in the block).
    NoMatch { join: usize },
    /// The `where` is false.
    Filtered,
}

/// One record concerned, from the roster to each target.
#[derive(Debug, Serialize)]
pub struct RecordFate {
    pub entity: String,
    pub key: String,
    pub in_roster: bool,
    /// Why it is not in the roster, when that is known beyond the traces above.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub left_out: Option<String>,
    /// The roster's values (masked where sensitive).
    pub fields: Vec<(String, String)>,
    pub targets: Vec<TargetFate>,
    /// The traces (indexes into [`Explanation::traces`]) of the rows that make it.
    #[serde(skip)]
    pub traces: Vec<usize>,
}

/// What one target holds of a record and what the plan does with it.
#[derive(Debug, Serialize)]
pub struct TargetFate {
    pub target: String,
    pub kind: String,
    /// Its status in the target's state (`active`, `trashed`, ...), if the target has it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// The planned change, or why there is none.
    pub plan: String,
    /// Why nothing of this target is applied tonight, when that is so.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub held: Option<String>,
}
