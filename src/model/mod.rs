//! The canonical roster model that mappings produce and targets render.

pub(crate) mod chunk;
mod entity;
mod fields;
mod packed;
mod record;
mod run;
mod status;
mod table;
mod value;
pub(crate) mod varint;

pub use entity::{EntityKind, FieldDef, GROUP_TYPES, MEMBER_ROLES, ORG_TYPES, PERSON_ROLES};
pub use fields::{Fields, FieldsRef};
pub use packed::Packed;
pub use record::{LeftOut, Record, RecordRef, Roster, Which, field_value};
pub use run::{Reader, Run, RunRecord, key_prefix};
pub use status::{Status, due_date, parse_due};
pub use table::{Damage, RecordTable, Walk};
pub use value::Value;
