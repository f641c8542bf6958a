//! One mapped record: the entity's fields, as text, and its status. Its sync key is the key
//! it is kept under (in a roster, in state, in a target), held once, not in the record too.

use super::entity::EntityKind;
use super::fields::{Fields, FieldsRef};
use super::status::Status;
use super::table::RecordTable;
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// One slot per field of the entity kind, in schema order; `None` is null.
    pub fields: Fields,
    /// Always active in a run's roster; state also keeps trashed, archived and pending records.
    pub status: Status,
}

impl Record {
    pub fn active(fields: impl Into<Fields>) -> Record {
        Record {
            fields: fields.into(),
            status: Status::Active,
        }
    }

    pub fn get(&self, kind: EntityKind, field: &str) -> Option<&str> {
        kind.field_index(field).and_then(|i| self.fields.get(i))
    }
}

/// A record borrowed from wherever it is held: a map of records, a table read from state,
/// or a plan's change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordRef<'a> {
    pub fields: FieldsRef<'a>,
    pub status: Status,
}

impl<'a> RecordRef<'a> {
    pub fn get(self, kind: EntityKind, field: &str) -> Option<&'a str> {
        kind.field_index(field).and_then(|i| self.fields.get(i))
    }

    /// The record as a value of its own.
    pub fn to_record(self) -> Record {
        Record {
            fields: self.fields.to_fields(),
            status: self.status,
        }
    }
}

impl<'a> From<&'a Record> for RecordRef<'a> {
    fn from(record: &'a Record) -> RecordRef<'a> {
        RecordRef {
            fields: record.fields.view(),
            status: record.status,
        }
    }
}

/// A field's value among a record's values, by name; `None` when unset or empty.
pub fn field_value<'v>(
    kind: EntityKind,
    values: impl Into<FieldsRef<'v>>,
    name: &str,
) -> Option<&'v str> {
    let index = kind.field_index(name)?;
    values.into().get(index).filter(|v| !v.is_empty())
}

/// All records of one run, per entity kind, ordered by key: tables of packed records, as
/// state holds them (at 1M pupils seven million records; a map of them held two allocations
/// each).
#[derive(Debug, Default, Clone)]
pub struct Roster {
    pub entities: BTreeMap<EntityKind, RecordTable>,
    /// Entity kinds whose keys derive from personal numbers (masked in output).
    pub sensitive_keys: Vec<EntityKind>,
    /// Per entity kind, which fields hold personal data (masked in output).
    pub sensitive_fields: BTreeMap<EntityKind, Vec<bool>>,
    /// Records the run left out, with the reason and how many.
    pub left_out: Vec<LeftOut>,
    /// Groups of one key in several school years: each one's id (`7A@2026-27`) -> the key.
    pub shared_group_keys: BTreeMap<String, String>,
}

/// Records left out for one reason: how many, and which.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftOut {
    pub entity: EntityKind,
    pub reason: String,
    /// Each record left out.
    pub records: Vec<Which>,
}

impl LeftOut {
    pub fn count(&self) -> usize {
        self.records.len()
    }
}

/// A record left out: the source row it would have been made from (a dataset of the
/// program, by index, and its row), or, for one made and then dropped, its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Which {
    Row { dataset: usize, row: u32 },
    Key(String),
}

impl Roster {
    pub fn get(&self, kind: EntityKind, key: &str) -> Option<RecordRef<'_>> {
        self.entities.get(&kind).and_then(|m| m.get(key))
    }

    pub fn is_sensitive(&self, kind: EntityKind, field: usize) -> bool {
        self.sensitive_fields
            .get(&kind)
            .and_then(|f| f.get(field))
            .copied()
            .unwrap_or(false)
    }

    pub fn count(&self, kind: EntityKind) -> usize {
        self.entities.get(&kind).map_or(0, |m| m.len())
    }
}
