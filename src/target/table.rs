//! Small helpers shared by the table-shaped (CSV) target formats.

use crate::diff::Stored;
use crate::model::{EntityKind, Record};

/// One table, written as CSV (RFC 4180, `\n` line ends, UTF-8) row by row as it is made:
/// a header row, then the data rows. No row is kept as strings of its own.
pub struct Table {
    writer: csv::Writer<Vec<u8>>,
    error: Option<String>,
}

impl Table {
    pub fn push(&mut self, values: &[&str]) {
        if self.error.is_none()
            && let Err(e) = self.writer.write_record(values)
        {
            self.error = Some(e.to_string());
        }
    }
}

/// The records of one entity with their keys, in key order.
pub fn records(stored: &Stored, kind: EntityKind) -> impl Iterator<Item = (&str, &Record)> {
    stored
        .get(&kind)
        .into_iter()
        .flat_map(|m| m.iter().map(|(key, r)| (key.as_str(), r)))
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

/// Starts a table with its header row.
pub fn header(names: &[&str]) -> Table {
    header_into(names, Vec::new())
}

fn header_into(names: &[&str], bytes: Vec<u8>) -> Table {
    let writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(bytes);
    let mut table = Table {
        writer,
        error: None,
    };
    table.push(names);
    table
}

/// Starts a table for the records of one entity, with room for all its rows at once: a
/// national enrollments file (about a gigabyte) would otherwise be copied each time its
/// buffer doubled. Room not used is never touched, so it costs address space, not memory.
pub fn header_for(names: &[&str], stored: &Stored, kind: EntityKind) -> Table {
    let rows = stored.get(&kind).map_or(0, |m| m.len());
    header_into(
        names,
        Vec::with_capacity(rows.saturating_mul(names.len() * 16)),
    )
}

/// Renders a table as CSV bytes.
pub fn to_csv(table: Table) -> Result<Vec<u8>, String> {
    if let Some(e) = table.error {
        return Err(e);
    }
    table.writer.into_inner().map_err(|e| e.to_string())
}
