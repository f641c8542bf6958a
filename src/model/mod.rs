//! The canonical roster model that mappings produce and targets render.

mod entity;
mod record;
mod value;

pub use entity::{EntityKind, FieldDef, GROUP_TYPES, MEMBER_ROLES, ORG_TYPES, PERSON_ROLES};
pub use record::{LeftOut, Record, Roster, content_hash};
pub use value::Value;
