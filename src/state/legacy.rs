//! States of formats 2 to 4, which kept one `records` row per record: read as they are (a
//! plan by this version does not write), and rewritten into chunks ([`super::records`])
//! when this version first opens the state for writing.

use super::records::{Out, Run, damaged};
use super::store::sql;
use crate::diagnostic::Diag;
use crate::diff::Stored;
use crate::model::chunk::{Entry, TARGET_SIZE};
use crate::model::{EntityKind, Fields, Record, Status};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, params};
use std::collections::BTreeMap;

/// The table formats 2 to 4 kept records in (`fields`: JSON text in format 3, the packed
/// bytes of `model::Fields` in format 4): what an upgrade reads, and what tests make older
/// states with.
pub const RECORDS_TABLE: &str = "CREATE TABLE records (
    target TEXT NOT NULL, entity TEXT NOT NULL, key TEXT NOT NULL,
    hash INTEGER NOT NULL, fields TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'active', due TEXT,
    PRIMARY KEY (target, entity, key)
) WITHOUT ROWID;";

/// Everything a format 2–4 state holds for a target.
pub(super) fn read(conn: &Connection, target: &str) -> Result<Stored, Diag> {
    let mut stmt = conn
        .prepare(
            "SELECT entity, key, fields, status, due FROM records WHERE target = ?1 ORDER BY entity, key",
        )
        .map_err(sql)?;
    let mut rows = stmt.query(params![target]).map_err(sql)?;
    let mut sorted: BTreeMap<EntityKind, Vec<(String, Record)>> = BTreeMap::new();
    while let Some(row) = rows.next().map_err(sql)? {
        let (entity, key, record) = stored_record(row)?;
        let Some(kind) = EntityKind::parse(entity) else {
            continue;
        };
        sorted
            .entry(kind)
            .or_default()
            .push((key.to_string(), record));
    }
    let tables = sorted.into_iter();
    Ok(tables
        .map(|(kind, records)| (kind, records.into_iter().collect()))
        .collect())
}

/// Rewrites the `records` rows into chunks and drops the table, in the caller's
/// transaction; nothing to do when there is no such table.
pub(super) fn migrate(conn: &Connection) -> Result<(), Diag> {
    let has_table: bool = conn
        .query_row(
            "SELECT count(*) > 0 FROM sqlite_master WHERE name = 'records'",
            [],
            |r| r.get(0),
        )
        .map_err(sql)?;
    if !has_table {
        return Ok(());
    }
    let mut stmt = conn
        .prepare(
            "SELECT entity, key, fields, status, due, target FROM records ORDER BY target, entity, key",
        )
        .map_err(sql)?;
    let mut rows = stmt.query([]).map_err(sql)?;
    let mut out = Out::new(conn)?;
    let mut run: Option<Run> = None;
    while let Some(row) = rows.next().map_err(sql)? {
        let (entity, key, record) = stored_record(row)?;
        let target = row.get_ref(5).and_then(|v| Ok(v.as_str()?)).map_err(sql)?;
        if run.as_ref().is_none_or(|r| !r.is_of(target, entity)) {
            if let Some(done) = run.take() {
                done.finish(&mut out)?;
            }
            run = Some(Run::new(target, entity, TARGET_SIZE));
        }
        if let Some(run) = run.as_mut() {
            let entry = Entry {
                key,
                fields: record.fields.as_blob(),
                status: record.status,
            };
            run.push(&mut out, &entry)?;
        }
    }
    if let Some(done) = run {
        done.finish(&mut out)?;
    }
    drop(rows);
    drop(stmt);
    conn.execute_batch("DROP TABLE records").map_err(sql)
}

/// One `records` row: its entity, key and record (fields in the binary form, or as JSON
/// text in a state of format 3).
fn stored_record<'r>(row: &'r rusqlite::Row) -> Result<(&'r str, &'r str, Record), Diag> {
    let text = |i| row.get_ref(i).and_then(|v| Ok(v.as_str()?)).map_err(sql);
    let (entity, key) = (text(0)?, text(1)?);
    let damaged = |why: String| damaged(&format!("record {entity} {key} is"), why);
    let fields = match row.get_ref(2).map_err(sql)? {
        ValueRef::Blob(bytes) => Fields::from_blob(bytes).map_err(damaged)?,
        ValueRef::Text(json) => serde_json::from_slice(json).map_err(|e| damaged(e.to_string()))?,
        _ => return Err(damaged("no fields".into())),
    };
    let status = text(3)?;
    let due = row
        .get_ref(4)
        .and_then(|v| Ok(v.as_str_or_null()?))
        .map_err(sql)?;
    let status = Status::from_columns(status, due)
        .ok_or_else(|| damaged(format!("unknown status `{status}`")))?;
    Ok((entity, key, Record { fields, status }))
}
