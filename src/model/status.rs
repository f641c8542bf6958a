//! Where a record stands in a target: active, or kept after it left the sources
//! (trashed, archived, or waiting for a delayed delete).

use chrono::NaiveDate;

/// Eight bytes: every record of a roster and of a state holds one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Status {
    /// In the sources and in the target.
    #[default]
    Active,
    /// Soft-deleted: kept in the target as deactivated; restored if it comes back.
    Trashed,
    /// A group kept and marked archived; its memberships are frozen.
    Archived,
    /// Gone from the sources; deleted on `due` unless it comes back first.
    Pending { due: NaiveDate },
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
    pub fn due(&self) -> Option<NaiveDate> {
        match self {
            Status::Pending { due } => Some(*due),
            _ => None,
        }
    }

    /// From the state database's `status` and `due` columns.
    pub fn from_columns(status: &str, due: Option<&str>) -> Option<Status> {
        match (status, due) {
            ("active", _) => Some(Status::Active),
            ("trashed", _) => Some(Status::Trashed),
            ("archived", _) => Some(Status::Archived),
            ("pending", Some(due)) => Some(Status::Pending {
                due: due_date(Some(due)),
            }),
            _ => None,
        }
    }

    pub fn is_active(&self) -> bool {
        *self == Status::Active
    }
}

/// A due date as a plan or state writes it (`YYYY-MM-DD`). One that is missing or not a
/// date (a hand-edited plan of an earlier version) is due at once, as its text always
/// compared before any date.
pub fn due_date(text: Option<&str>) -> NaiveDate {
    text.and_then(parse_due).unwrap_or(NaiveDate::MIN)
}

/// A due date written as `YYYY-MM-DD`; `None` when it is not one.
pub fn parse_due(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_takes_eight_bytes() {
        assert_eq!(std::mem::size_of::<Status>(), 8);
    }

    #[test]
    fn a_pending_delete_is_read_back_with_its_date_and_a_bad_date_is_due_at_once() {
        let due = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        assert_eq!(
            Status::from_columns("pending", Some("2026-12-01")),
            Some(Status::Pending { due })
        );
        assert_eq!(
            Status::Pending { due }.due().unwrap().to_string(),
            "2026-12-01"
        );
        for bad in [Some(""), Some("soon"), None] {
            assert_eq!(due_date(bad), NaiveDate::MIN, "{bad:?}");
        }
        assert_eq!(Status::from_columns("pending", None), None);
        assert_eq!(Status::from_columns("gone", None), None);
    }
}
