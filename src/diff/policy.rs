//! What happens to a record that is gone from the sources: per target and entity kind.

use crate::model::EntityKind;
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeletePolicy {
    /// Removed from the target at once.
    Delete,
    /// Deactivated in the target (OneRoster `tobedeleted`, SCIM `active=false`, IMS
    /// `recstatus=3`) and kept in state; restored when it comes back.
    Trash,
    /// Groups only: kept and marked archived; their memberships are frozen.
    Archive,
    /// A pending delete, carried out after this many days if the record is still gone.
    Delay(u32),
}

impl DeletePolicy {
    pub const NAMES: &'static [&'static str] = &["delete", "trash", "archive", "delay"];

    pub fn describe(self) -> String {
        match self {
            DeletePolicy::Delete => "delete".to_string(),
            DeletePolicy::Trash => "trash".to_string(),
            DeletePolicy::Archive => "archive".to_string(),
            DeletePolicy::Delay(d) => format!("delay {d}d"),
        }
    }
}

/// The policies of one target.
#[derive(Clone, Debug, PartialEq)]
pub struct Policies {
    pub by_kind: BTreeMap<EntityKind, DeletePolicy>,
}

impl Default for Policies {
    /// Safe unless told otherwise: schools and persons go to the trash, groups are archived;
    /// only memberships are deleted outright.
    fn default() -> Self {
        let by_kind = [
            (EntityKind::Organisation, DeletePolicy::Trash),
            (EntityKind::Person, DeletePolicy::Trash),
            (EntityKind::Group, DeletePolicy::Archive),
            (EntityKind::Membership, DeletePolicy::Delete),
        ]
        .into_iter()
        .collect();
        Policies { by_kind }
    }
}

impl Policies {
    pub fn get(&self, kind: EntityKind) -> DeletePolicy {
        self.by_kind
            .get(&kind)
            .copied()
            .unwrap_or(DeletePolicy::Delete)
    }

    /// Every policy `delete` (what the core's tests and the property tests start from).
    pub fn delete_all() -> Policies {
        Policies {
            by_kind: crate::model::EntityKind::ALL
                .iter()
                .map(|k| (*k, DeletePolicy::Delete))
                .collect(),
        }
    }
}
