//! The state database (embedded SQLite): per target, the last written record of each
//! sync key with its content hash, and a serial that grows with every apply.

use crate::diagnostic::{Code, Diag};
use crate::diff::Stored;
use crate::model::{EntityKind, Record};
use crate::plan::EntityPlan;
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use std::path::Path;

pub struct State {
    conn: Connection,
}

/// A target's position in the state: which database and how many applies.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TargetVersion {
    pub lineage: Option<String>,
    pub serial: u64,
}

const SCHEMA: &str = "
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS targets (name TEXT PRIMARY KEY, serial INTEGER NOT NULL, applied_at TEXT);
    CREATE TABLE IF NOT EXISTS records (
        target TEXT NOT NULL, entity TEXT NOT NULL, key TEXT NOT NULL,
        hash INTEGER NOT NULL, fields TEXT NOT NULL,
        PRIMARY KEY (target, entity, key)
    ) WITHOUT ROWID;
";

impl State {
    /// Opens an existing state read-only; `None` when there is none yet (nothing is created).
    pub fn open_existing(path: &Path) -> Result<Option<State>, Diag> {
        if !path.exists() {
            return Ok(None);
        }
        let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|e| db_error(path, &e))?;
        Ok(Some(State { conn }))
    }

    /// Opens the state for writing, creating it when needed.
    pub fn open_or_create(path: &Path) -> Result<State, Diag> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                Diag::error(
                    Code::StateFailed,
                    format!("cannot create the state folder {}: {e}", dir.display()),
                )
            })?;
        }
        let conn = Connection::open(path).map_err(|e| db_error(path, &e))?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(|e| db_error(path, &e))?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(|e| db_error(path, &e))?;
        conn.execute_batch(SCHEMA).map_err(|e| db_error(path, &e))?;
        let lineage = format!(
            "{:016x}",
            xxhash_rust::xxh3::xxh3_64(
                format!("{:?}{}", std::time::SystemTime::now(), std::process::id()).as_bytes()
            )
        );
        conn.execute(
            "INSERT OR IGNORE INTO meta (key, value) VALUES ('lineage', ?1)",
            params![lineage],
        )
        .map_err(|e| db_error(path, &e))?;
        restrict_permissions(path);
        Ok(State { conn })
    }

    pub fn version(&self, target: &str) -> Result<TargetVersion, Diag> {
        let lineage: Option<String> = self
            .conn
            .query_row("SELECT value FROM meta WHERE key = 'lineage'", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(sql)?;
        let serial: Option<i64> = self
            .conn
            .query_row(
                "SELECT serial FROM targets WHERE name = ?1",
                params![target],
                |r| r.get(0),
            )
            .optional()
            .map_err(sql)?;
        Ok(TargetVersion {
            lineage,
            serial: serial.unwrap_or(0) as u64,
        })
    }

    /// Everything state holds for a target.
    pub fn records(&self, target: &str) -> Result<Stored, Diag> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT entity, key, fields FROM records WHERE target = ?1 ORDER BY entity, key",
            )
            .map_err(sql)?;
        let rows = stmt
            .query_map(params![target], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })
            .map_err(sql)?;
        let mut stored = Stored::new();
        for row in rows {
            let (entity, key, fields) = row.map_err(sql)?;
            let Some(kind) = EntityKind::parse(&entity) else {
                continue;
            };
            let fields: Vec<Option<String>> = serde_json::from_str(&fields).map_err(|e| {
                Diag::error(
                    Code::StateFailed,
                    format!("state record {entity} {key} is damaged: {e}"),
                )
            })?;
            stored
                .entry(kind)
                .or_default()
                .insert(key.clone(), Record { key, fields });
        }
        Ok(stored)
    }

    /// Records a target's applied changes and bumps its serial, in one transaction,
    /// after checking that nobody applied in between.
    pub fn commit(
        &mut self,
        target: &str,
        expected: &TargetVersion,
        entities: &[EntityPlan],
    ) -> Result<(), Diag> {
        let tx = self.conn.transaction().map_err(sql)?;
        let serial: i64 = tx
            .query_row(
                "SELECT serial FROM targets WHERE name = ?1",
                params![target],
                |r| r.get(0),
            )
            .optional()
            .map_err(sql)?
            .unwrap_or(0);
        if serial as u64 != expected.serial {
            return Err(stale(target, expected.serial, serial as u64));
        }
        {
            let mut upsert = tx
                .prepare("INSERT OR REPLACE INTO records (target, entity, key, hash, fields) VALUES (?1, ?2, ?3, ?4, ?5)")
                .map_err(sql)?;
            let mut delete = tx
                .prepare("DELETE FROM records WHERE target = ?1 AND entity = ?2 AND key = ?3")
                .map_err(sql)?;
            for entity in entities {
                for change in entity.creates.iter().chain(&entity.updates) {
                    let Some(after) = &change.after else { continue };
                    let fields = serde_json::to_string(after).unwrap_or_default();
                    let hash = crate::model::content_hash(after) as i64;
                    upsert
                        .execute(params![target, entity.entity, change.key, hash, fields])
                        .map_err(sql)?;
                }
                for change in &entity.deletes {
                    delete
                        .execute(params![target, entity.entity, change.key])
                        .map_err(sql)?;
                }
            }
        }
        tx.execute(
            "INSERT INTO targets (name, serial, applied_at) VALUES (?1, ?2, ?3)
             ON CONFLICT(name) DO UPDATE SET serial = excluded.serial, applied_at = excluded.applied_at",
            params![target, serial + 1, chrono::Local::now().to_rfc3339()],
        )
        .map_err(sql)?;
        tx.commit().map_err(sql)
    }
}

pub fn stale(target: &str, planned: u64, now: u64) -> Diag {
    Diag::error(
        Code::StalePlan,
        format!("the saved plan is stale: target `{target}` was applied since the plan was made (state version {planned}, now {now})"),
    )
    .help("run `etl plan` again and apply the new plan; applying an old plan could undo newer changes")
}

fn sql(e: rusqlite::Error) -> Diag {
    Diag::error(Code::StateFailed, format!("state database error: {e}"))
        .help("if the file was damaged, move it aside; the next apply then treats every target as a first run")
}

fn db_error(path: &Path, e: &rusqlite::Error) -> Diag {
    Diag::error(
        Code::StateFailed,
        format!("cannot open the state database {}: {e}", path.display()),
    )
    .help("check the `state:` path in the pipeline and that its folder is writable")
}

/// State holds personal data: readable by its owner only.
fn restrict_permissions(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
    }
}
