//! Small helpers shared by the table-shaped (CSV) target formats.

use crate::diff::Stored;
use crate::model::{EntityKind, Record};

/// One table: a header row, then the data rows.
pub type Table = Vec<Vec<String>>;

/// The records of one entity in key order.
pub fn records(stored: &Stored, kind: EntityKind) -> impl Iterator<Item = &Record> {
    stored.get(&kind).into_iter().flat_map(|m| m.values())
}

/// A field's value, or the empty string.
pub fn f<'r>(r: &'r Record, kind: EntityKind, field: &str) -> &'r str {
    r.get(kind, field).unwrap_or("")
}

/// A format's words for roster-etl's person roles.
pub struct RoleWords {
    pub pupil: &'static str,
    pub teacher: &'static str,
    pub principal: &'static str,
    /// Also used for a person without a role.
    pub staff: &'static str,
}

/// A person's role in a format's vocabulary.
pub fn person_role(r: &Record, words: &RoleWords) -> &'static str {
    match r.get(EntityKind::Person, "role") {
        Some("pupil") => words.pupil,
        Some("teacher") => words.teacher,
        Some("principal") => words.principal,
        _ => words.staff,
    }
}

/// An organisation's type in OneRoster and SDS: the owner (huvudman) is a `district`.
pub fn org_type(r: &Record) -> &'static str {
    match r.get(EntityKind::Organisation, "type") {
        Some("owner") => "district",
        _ => "school",
    }
}

/// A membership's role in the OneRoster and SDS vocabulary: `teacher` or `student`.
pub fn enrollment_role(r: &Record) -> &'static str {
    if r.get(EntityKind::Membership, "role") == Some("teacher") {
        "teacher"
    } else {
        "student"
    }
}

pub fn header(names: &[&str]) -> Vec<String> {
    row(names)
}

pub fn row(values: &[&str]) -> Vec<String> {
    values.iter().map(|s| s.to_string()).collect()
}

/// Renders a table as CSV bytes (RFC 4180, `\n` line ends, UTF-8).
pub fn to_csv(rows: &Table) -> Result<Vec<u8>, String> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    for r in rows {
        writer.write_record(r).map_err(|e| e.to_string())?;
    }
    writer.into_inner().map_err(|e| e.to_string())
}
