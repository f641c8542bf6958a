//! Small helpers shared by the table-shaped (CSV) target formats.

use crate::model::{EntityKind, RecordRef};
use crate::target::folder::Staged;
use std::fs::File;

/// One table, written as CSV (RFC 4180, `\n` line ends, UTF-8) row by row as it is made,
/// straight to its file in the target's staging folder: a header row, then the data rows.
/// No row is kept in memory.
pub struct Table {
    name: String,
    /// `None` when the file could not be created (`error` says why).
    writer: Option<csv::Writer<File>>,
    error: Option<String>,
}

impl Table {
    pub fn push(&mut self, values: &[&str]) {
        if self.error.is_none()
            && let Some(writer) = &mut self.writer
            && let Err(e) = writer.write_record(values)
        {
            self.error = Some(e.to_string());
        }
    }

    /// Flushes the table to its file and syncs it to disk.
    fn finish(self) -> Result<(), String> {
        let why = |e: &dyn std::fmt::Display| format!("cannot write {}: {e}", self.name);
        if let Some(e) = &self.error {
            return Err(why(e));
        }
        let Some(writer) = self.writer else {
            return Err(why(&"no file"));
        };
        let file = writer.into_inner().map_err(|e| why(e.error()))?;
        file.sync_all().map_err(|e| why(&e))
    }
}

impl Staged {
    /// Starts the table `name` in the staging folder with its header row.
    pub fn table(&mut self, name: &str, header: &[&str]) -> Table {
        let mut table = Table {
            name: name.to_string(),
            writer: None,
            error: None,
        };
        match self.create(name) {
            Ok(file) => {
                let writer = csv::WriterBuilder::new()
                    .terminator(csv::Terminator::Any(b'\n'))
                    .buffer_capacity(1 << 16)
                    .from_writer(file);
                table.writer = Some(writer);
                table.push(header);
            }
            Err(e) => table.error = Some(e.to_string()),
        }
        table
    }
}

/// Finishes the tables a format rendered; the first that could not be written is the error.
pub fn finish(tables: Vec<Table>) -> Result<(), String> {
    tables.into_iter().try_for_each(Table::finish)
}

/// A field's value, or the empty string.
pub fn f<'r>(r: RecordRef<'r>, kind: EntityKind, field: &str) -> &'r str {
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
pub fn person_role(r: RecordRef, words: &RoleWords) -> &'static str {
    match r.get(EntityKind::Person, "role") {
        Some("pupil") => words.pupil,
        Some("teacher") => words.teacher,
        Some("principal") => words.principal,
        _ => words.staff,
    }
}

/// An organisation's type in OneRoster and SDS: the owner (huvudman) is a `district`.
pub fn org_type(r: RecordRef) -> &'static str {
    match r.get(EntityKind::Organisation, "type") {
        Some("owner") => "district",
        _ => "school",
    }
}

/// A membership's role in the OneRoster and SDS vocabulary: `teacher` or `student`.
pub fn enrollment_role(r: RecordRef) -> &'static str {
    if r.get(EntityKind::Membership, "role") == Some("teacher") {
        "teacher"
    } else {
        "student"
    }
}
