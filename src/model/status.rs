//! Where a record stands in a target: active, or kept after it left the sources
//! (trashed, archived, or waiting for a delayed delete).

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", tag = "status")]
pub enum Status {
    /// In the sources and in the target.
    #[default]
    Active,
    /// Soft-deleted: kept in the target as deactivated; restored if it comes back.
    Trashed,
    /// A group kept and marked archived; its memberships are frozen.
    Archived,
    /// Gone from the sources; deleted on `due` (YYYY-MM-DD) unless it comes back first.
    Pending { due: String },
}

impl Status {
    pub fn name(&self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Trashed => "trashed",
            Status::Archived => "archived",
            Status::Pending { .. } => "pending",
        }
    }

    /// The due date of a pending delete.
    pub fn due(&self) -> Option<&str> {
        match self {
            Status::Pending { due } => Some(due),
            _ => None,
        }
    }

    /// From the state database's `status` and `due` columns.
    pub fn from_columns(status: &str, due: Option<String>) -> Option<Status> {
        match (status, due) {
            ("active", _) => Some(Status::Active),
            ("trashed", _) => Some(Status::Trashed),
            ("archived", _) => Some(Status::Archived),
            ("pending", Some(due)) => Some(Status::Pending { due }),
            _ => None,
        }
    }

    pub fn is_active(&self) -> bool {
        *self == Status::Active
    }
}
