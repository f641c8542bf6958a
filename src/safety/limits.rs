//! The limits of one target: the pipeline's settings over sensible defaults, one set for
//! normal nights and one for school-year rollover runs.

use super::limit::{Limit, LimitName};
use crate::model::EntityKind;
use std::collections::BTreeMap;

/// Each name maps to its limit, or to `None` when the pipeline lifted it (`none`).
#[derive(Clone, Debug, PartialEq)]
pub struct Limits {
    pub by_name: BTreeMap<LimitName, Option<Limit>>,
}

impl Limits {
    /// A normal night: few creates and updates, very few removals.
    pub fn normal_defaults() -> Limits {
        let mut by_name = BTreeMap::new();
        for kind in EntityKind::ALL {
            by_name.insert(LimitName::Create(*kind), Some(Limit::new(100, 10.0)));
            by_name.insert(LimitName::Update(*kind), Some(Limit::new(100, 10.0)));
            by_name.insert(LimitName::Delete(*kind), Some(Limit::new(25, 2.0)));
        }
        by_name.insert(LimitName::RemoveMembers, Some(Limit::new(10, 50.0)));
        Limits { by_name }
    }

    /// A school-year rollover: every group and membership may change, everyone moves up a
    /// grade; a whole year group of pupils leaves and a new one arrives; schools stay.
    pub fn rollover_defaults() -> Limits {
        let mut by_name = BTreeMap::new();
        for kind in EntityKind::ALL {
            by_name.insert(LimitName::Create(*kind), None);
            by_name.insert(LimitName::Update(*kind), None);
            by_name.insert(LimitName::Delete(*kind), None);
        }
        by_name.insert(
            LimitName::Delete(EntityKind::Person),
            Some(Limit::new(25, 20.0)),
        );
        by_name.insert(
            LimitName::Create(EntityKind::Person),
            Some(Limit::new(100, 25.0)),
        );
        let org = EntityKind::Organisation;
        by_name.insert(LimitName::Delete(org), Some(Limit::new(25, 2.0)));
        by_name.insert(LimitName::RemoveMembers, None);
        Limits { by_name }
    }

    /// Replaces the named limits with the pipeline's own.
    pub fn with(mut self, settings: &[(LimitName, Option<Limit>)]) -> Limits {
        for (name, limit) in settings {
            self.by_name.insert(*name, *limit);
        }
        self
    }

    pub fn get(&self, name: LimitName) -> Option<Limit> {
        self.by_name.get(&name).copied().flatten()
    }
}
