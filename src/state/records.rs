//! A target's records in the state's `chunks` table ([`super::chunk`]): read whole for a
//! run's diff, and rewritten chunk by chunk where a plan changes them.
//!
//! A chunk holds the records of one target and entity from its `bound`, its first key, up
//! to the next chunk's bound; a key below the first bound is taken to belong to an empty
//! chunk before it. Consecutive chunks that a plan changes are rewritten as one run: their
//! records and the changes merged in key order and cut into new chunks, so chunks that
//! shrink are joined and chunks that grow are split.

use super::store::sql;
use crate::diagnostic::{Code, Diag};
use crate::diff::Stored;
use crate::model::chunk::{self, Builder, Entry};
use crate::model::{Damage, EntityKind};
use crate::plan::{Change, EntityPlan};
use rusqlite::{Connection, Statement, params};

/// Everything the state holds for a target: per entity, a table of the chunks as they are
/// stored, each checked as it is read.
pub(super) fn read(conn: &Connection, target: &str) -> Result<Stored, Diag> {
    let mut stmt = conn
        .prepare("SELECT entity, bound, data FROM chunks WHERE target = ?1 ORDER BY entity, bound")
        .map_err(sql)?;
    let mut rows = stmt.query(params![target]).map_err(sql)?;
    let mut stored = Stored::new();
    let mut raw = Vec::new();
    while let Some(row) = rows.next().map_err(sql)? {
        let text = |i| row.get_ref(i).and_then(|v| Ok(v.as_str()?)).map_err(sql);
        let (entity, bound) = (text(0)?, text(1)?);
        let Some(kind) = EntityKind::parse(entity) else {
            continue;
        };
        let data = row.get_ref(2).and_then(|v| Ok(v.as_blob()?)).map_err(sql)?;
        // Kept as stored, after every record in it is checked.
        let table = stored.entry(kind).or_default();
        table
            .push_stored(data.to_vec(), &mut raw)
            .map_err(|damage| match damage {
                Damage::Chunk(why) => chunk_damaged(entity, bound)(why),
                Damage::Record { key, why } => damaged(&format!("record {entity} {key} is"), why),
            })?;
    }
    Ok(stored)
}

/// Records a plan's changes: each entity's changed chunks rewritten, in the caller's
/// transaction. `limit` is the chunk size ([`chunk::TARGET_SIZE`] but in tests).
pub(super) fn write(
    conn: &Connection,
    target: &str,
    entities: &[EntityPlan],
    limit: usize,
) -> Result<(), Diag> {
    let mut writer = Writer::new(conn, limit)?;
    for entity in entities.iter().filter(|e| !e.changes.is_empty()) {
        writer.rewrite(target, &entity.entity, edits(&entity.changes))?;
    }
    Ok(())
}

/// What each changed key holds after the plan (`None`: removed), in key order, as a
/// chunk's entries.
fn edits(changes: &[Change]) -> impl Iterator<Item = (&str, Option<Entry<'_>>)> {
    crate::diff::edits(changes).map(|(key, outcome)| {
        let entry = outcome.map(|(fields, status)| Entry {
            key,
            fields: fields.as_blob(),
            status,
        });
        (key, entry)
    })
}

/// The statements a rewrite uses, prepared once per apply.
struct Writer<'c> {
    bounds: Statement<'c>,
    load: Statement<'c>,
    delete: Statement<'c>,
    out: Out<'c>,
    limit: usize,
}

impl<'c> Writer<'c> {
    fn new(conn: &'c Connection, limit: usize) -> Result<Writer<'c>, Diag> {
        let prepare = |query: &str| conn.prepare(query).map_err(sql);
        Ok(Writer {
            bounds: prepare(
                "SELECT id, bound FROM chunks WHERE target = ?1 AND entity = ?2 ORDER BY bound",
            )?,
            load: prepare("SELECT data FROM chunks WHERE id = ?1")?,
            delete: prepare("DELETE FROM chunks WHERE id = ?1")?,
            out: Out::new(conn)?,
            limit,
        })
    }

    /// Rewrites the chunks of one target and entity that `edits` fall in.
    fn rewrite<'e>(
        &mut self,
        target: &str,
        entity: &str,
        edits: impl Iterator<Item = (&'e str, Option<Entry<'e>>)>,
    ) -> Result<(), Diag> {
        let mut chunks: Vec<(Option<i64>, String)> = self
            .bounds
            .query_map(params![target, entity], |r| {
                Ok((Some(r.get(0)?), r.get(1)?))
            })
            .map_err(sql)?
            .collect::<Result<_, _>>()
            .map_err(sql)?;
        // Keys below the first chunk's belong to an empty chunk before it.
        chunks.insert(0, (None, String::new()));
        let mut edits = edits.peekable();
        let mut run: Option<Run> = None;
        let mut raw = Vec::new();
        for (i, (id, bound)) in chunks.iter().enumerate() {
            let end = chunks.get(i + 1).map(|(_, next)| next.as_str());
            let within = |key: &str| end.is_none_or(|end| key < end);
            if !edits.peek().is_some_and(|(key, _)| within(key)) {
                if let Some(done) = run.take() {
                    done.finish(&mut self.out)?;
                }
                continue;
            }
            let run = run.get_or_insert_with(|| Run::new(target, entity, self.limit));
            raw.clear();
            if let Some(id) = id {
                self.take(*id, &mut raw)
                    .map_err(chunk_damaged(entity, bound))?;
            }
            let held = chunk::entries(&raw).map_err(chunk_damaged(entity, bound))?;
            let mut held = held.into_iter().peekable();
            while let Some((key, edit)) = edits.next_if(|(key, _)| within(key)) {
                while let Some(entry) = held.next_if(|e| e.key < key) {
                    run.push(&mut self.out, &entry)?;
                }
                held.next_if(|e| e.key == key);
                if let Some(entry) = edit {
                    run.push(&mut self.out, &entry)?;
                }
            }
            for entry in held {
                run.push(&mut self.out, &entry)?;
            }
        }
        if let Some(done) = run {
            done.finish(&mut self.out)?;
        }
        Ok(())
    }

    /// A chunk's records, uncompressed into `raw`; the chunk is removed (the run that read
    /// it writes its records again).
    fn take(&mut self, id: i64, raw: &mut Vec<u8>) -> Result<(), String> {
        let stored: Vec<u8> = self
            .load
            .query_row(params![id], |r| r.get(0))
            .map_err(|e| e.to_string())?;
        self.delete
            .execute(params![id])
            .map_err(|e| e.to_string())?;
        chunk::uncompress(&stored, raw)
    }
}

/// Where new chunks go.
pub(super) struct Out<'c> {
    insert: Statement<'c>,
}

impl<'c> Out<'c> {
    pub fn new(conn: &'c Connection) -> Result<Out<'c>, Diag> {
        let insert = conn
            .prepare("INSERT INTO chunks (target, entity, bound, data) VALUES (?1, ?2, ?3, ?4)")
            .map_err(sql)?;
        Ok(Out { insert })
    }
}

/// Records of one target and entity, in key order, being cut into chunks.
pub(super) struct Run {
    target: String,
    entity: String,
    builder: Builder,
}

impl Run {
    pub fn new(target: &str, entity: &str, limit: usize) -> Run {
        Run {
            target: target.to_string(),
            entity: entity.to_string(),
            builder: Builder::with_limit(limit),
        }
    }

    /// Whether this run is of that target and entity.
    pub fn is_of(&self, target: &str, entity: &str) -> bool {
        self.target == target && self.entity == entity
    }

    pub fn push(&mut self, out: &mut Out, entry: &Entry) -> Result<(), Diag> {
        if self.builder.push(entry) {
            self.emit(out)?;
        }
        Ok(())
    }

    pub fn finish(mut self, out: &mut Out) -> Result<(), Diag> {
        self.emit(out)
    }

    fn emit(&mut self, out: &mut Out) -> Result<(), Diag> {
        let Some((bound, data)) = self.builder.take() else {
            return Ok(());
        };
        out.insert
            .execute(params![self.target, self.entity, bound, data])
            .map_err(sql)?;
        Ok(())
    }
}

/// The error for a damaged chunk, named by its entity and first key.
fn chunk_damaged<'a>(entity: &'a str, bound: &'a str) -> impl Fn(String) -> Diag + 'a {
    move |why| damaged(&format!("records {entity} from key `{bound}` are"), why)
}

/// The error for damaged state: `what` says which records ("record person 19… is").
pub(super) fn damaged(what: &str, why: String) -> Diag {
    Diag::error(
        Code::StateFailed,
        format!("state {what} damaged: {why}"),
    )
    .help("the state file was changed outside roster-etl; restore it from a backup, or move it aside so the next apply starts a new state")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::{Records, apply_changes, to_records};
    use crate::plan::Action;
    use proptest::prelude::*;

    fn plan(changes: Vec<Change>) -> EntityPlan {
        EntityPlan::new(EntityKind::Person, changes)
    }

    fn action() -> impl Strategy<Value = Action> {
        prop::sample::select(vec![
            Action::Create,
            Action::Update,
            Action::Delete,
            Action::Trash,
            Action::Archive,
            Action::Delay,
            Action::Rekey,
        ])
    }

    /// One plan's changes, ordered by action and then key as the diff makes them; a re-key
    /// moves the record from the key one below (which another change may touch too).
    fn changes() -> impl Strategy<Value = Vec<Change>> {
        prop::collection::btree_map(1u8..60, (action(), 0usize..40), 0..25).prop_map(|wanted| {
            let mut changes: Vec<Change> = wanted
                .into_iter()
                .map(|(key, (action, len))| {
                    let mut change = Change::new(action, &format!("k{key:02}"));
                    change.after = Some(vec![Some("v".repeat(len))].into());
                    if action == Action::Delay {
                        change.set_due(Some("2026-12-01".into()));
                    }
                    if action == Action::Rekey {
                        change.set_old_key(Some(format!("k{:02}", key - 1)));
                    }
                    change
                })
                .collect();
            changes.sort_by_key(|c| c.action);
            changes
        })
    }

    /// Every chunk's keys are in order, at or above its bound and below the next chunk's:
    /// the layout reading and rewriting rely on.
    fn check_layout(conn: &Connection) -> Result<(), TestCaseError> {
        let mut stmt = conn
            .prepare("SELECT bound, data FROM chunks ORDER BY target, entity, bound")
            .unwrap();
        let chunks: Vec<(String, Vec<u8>)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let mut last: Option<String> = None;
        let mut raw = Vec::new();
        for (bound, stored) in chunks {
            chunk::uncompress(&stored, &mut raw).unwrap();
            let entries = chunk::entries(&raw).unwrap();
            prop_assert!(!entries.is_empty(), "no empty chunk");
            prop_assert_eq!(
                entries[0].key,
                bound.as_str(),
                "a chunk's bound is its first key"
            );
            prop_assert!(last.as_deref().is_none_or(|l| l < bound.as_str()));
            last = entries.last().map(|e| e.key.to_string());
        }
        Ok(())
    }

    /// Chunks whose keys overlap (a bound edited by hand) are damage, not records to sort.
    #[test]
    fn keys_out_of_order_across_chunks_are_damage() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(super::super::store::SCHEMA).unwrap();
        let changes = (0..20)
            .map(|i| {
                let mut change = Change::new(Action::Create, &format!("k{i:02}"));
                change.after = Some(vec![Some("v".repeat(20))].into());
                change
            })
            .collect();
        write(&conn, "t", &[plan(changes)], 64).unwrap();
        assert_eq!(read(&conn, "t").unwrap()[&EntityKind::Person].len(), 20);
        // The last chunk, now ordered first.
        conn.execute(
            "UPDATE chunks SET bound = '' WHERE bound = (SELECT max(bound) FROM chunks)",
            [],
        )
        .unwrap();
        let err = format!("{:?}", read(&conn, "t").unwrap_err());
        assert!(err.contains("key `k00` is out of order"), "{err}");
    }

    proptest! {
        /// Plan after plan, the chunks hold what applying the changes in memory gives,
        /// with chunks small enough that runs split and join.
        #[test]
        fn chunks_hold_what_the_changes_make(plans in prop::collection::vec(changes(), 1..5)) {
            let conn = Connection::open_in_memory().unwrap();
            conn.execute_batch(super::super::store::SCHEMA).unwrap();
            let mut expected = Records::new();
            for changes in plans {
                let entities = vec![plan(changes)];
                apply_changes(&mut expected, &entities);
                expected.retain(|_, records| !records.is_empty());
                write(&conn, "t", &entities, 64).unwrap();
                prop_assert_eq!(&to_records(&read(&conn, "t").unwrap()), &expected);
                check_layout(&conn)?;
            }
            prop_assert!(read(&conn, "other").unwrap().is_empty(), "targets apart");
        }
    }
}
