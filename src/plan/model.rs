//! The saved plan: versioned JSON that `etl apply FILE` carries out exactly.

use serde::{Deserialize, Serialize};

pub const FORMAT: &str = "roster-etl-plan";
pub const VERSION: u32 = 1;

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Plan {
    pub format: String,
    pub version: u32,
    /// The pipeline file (absolute path).
    pub pipeline: String,
    pub pipeline_name: String,
    /// The state database (absolute path).
    pub state: String,
    pub today: String,
    pub targets: Vec<TargetPlan>,
    /// Records left out of the roster, with reasons (for the report; not applied).
    #[serde(default)]
    pub left_out: Vec<LeftOutCount>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct LeftOutCount {
    pub entity: String,
    pub reason: String,
    pub count: usize,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct TargetPlan {
    pub name: String,
    pub kind: String,
    /// Where the target writes (absolute path).
    pub path: String,
    /// The state's identity and the target's apply count when the plan was made:
    /// `apply` refuses the plan when either has changed (a stale plan).
    pub lineage: Option<String>,
    pub serial: u64,
    pub first_run: bool,
    pub entities: Vec<EntityPlan>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct EntityPlan {
    pub entity: String,
    /// Field names, in the order of the value arrays below.
    pub fields: Vec<String>,
    pub sensitive_key: bool,
    pub sensitive_fields: Vec<bool>,
    pub creates: Vec<Change>,
    pub updates: Vec<Change>,
    pub deletes: Vec<Change>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Change {
    pub key: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub before: Option<Vec<Option<String>>>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub after: Option<Vec<Option<String>>>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub add: usize,
    pub change: usize,
    pub destroy: usize,
}

impl Plan {
    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for e in self.targets.iter().flat_map(|t| &t.entities) {
            s.add += e.creates.len();
            s.change += e.updates.len();
            s.destroy += e.deletes.len();
        }
        s
    }

    pub fn has_changes(&self) -> bool {
        self.summary() != Summary::default()
    }
}

impl EntityPlan {
    pub fn is_empty(&self) -> bool {
        self.creates.is_empty() && self.updates.is_empty() && self.deletes.is_empty()
    }
}
