//! The state database (embedded SQLite): per target, the last written record of each
//! sync key with its content hash, and a serial that grows with every apply.

use super::{legacy, records};
use crate::diagnostic::{Code, Diag};
use crate::diff::Stored;
use crate::model::chunk::TARGET_SIZE;
use crate::plan::{Summary, TargetPlan};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use std::collections::BTreeMap;
use std::path::Path;

pub struct State {
    pub(super) conn: Connection,
    /// Records are still one row each (formats 2–4, opened read-only).
    legacy: bool,
}

/// A target's position in the state: which database and how many applies.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TargetVersion {
    pub lineage: Option<String>,
    pub serial: u64,
}

/// The state format, kept in SQLite's `user_version`. Format 1 (before delete policies and
/// the run log) was never released; such a file is refused with a hint. Formats 2 (before
/// server-side ids), 3 (fields as JSON text, not `model::Fields`' bytes) and 4 (one row per
/// record, not chunks of them) are read as they are and upgraded in place when an apply
/// first opens the state for writing.
const FORMAT: i64 = 5;

pub(super) const SCHEMA: &str = "
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS targets (name TEXT PRIMARY KEY, serial INTEGER NOT NULL, applied_at TEXT);
    CREATE TABLE IF NOT EXISTS chunks (
        id INTEGER PRIMARY KEY, target TEXT NOT NULL, entity TEXT NOT NULL,
        bound TEXT NOT NULL, data BLOB NOT NULL,
        UNIQUE (target, entity, bound)
    );
    CREATE TABLE IF NOT EXISTS runs (
        id INTEGER PRIMARY KEY, target TEXT NOT NULL, serial INTEGER NOT NULL,
        applied_at TEXT NOT NULL, today TEXT NOT NULL, mode TEXT NOT NULL,
        summary TEXT NOT NULL, allowed TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS datasets (
        name TEXT PRIMARY KEY, rows INTEGER NOT NULL, applied_at TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS remote (
        target TEXT NOT NULL, entity TEXT NOT NULL, key TEXT NOT NULL,
        id TEXT NOT NULL, adopted INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (target, entity, key)
    ) WITHOUT ROWID;
";

impl State {
    /// Opens an existing state read-only; `None` when there is none yet (nothing is created).
    pub fn open_existing(path: &Path) -> Result<Option<State>, Diag> {
        if !path.exists() {
            return Ok(None);
        }
        // Without a mutex per call, as rusqlite opens by default: a `Connection` is never
        // shared between threads (it is not `Sync`), and the mutex was a quarter of the
        // time spent reading a large state.
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| db_error(path, &e))?;
        let legacy = check_format(&conn, path)? == Format::Upgradable;
        Ok(Some(State { conn, legacy }))
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
        crate::private_file::create_if_missing(path).map_err(|e| {
            Diag::error(
                Code::StateFailed,
                format!("cannot create the state {}: {e}", path.display()),
            )
            .help("check the `state:` path in the pipeline and that its folder is writable")
        })?;
        crate::private_file::restrict(path);
        let conn = Connection::open(path).map_err(|e| db_error(path, &e))?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(|e| db_error(path, &e))?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(|e| db_error(path, &e))?;
        if check_format(&conn, path)? != Format::Current {
            upgrade(&conn).map_err(|mut e| {
                let unchanged = format!(
                    "the state {} could not be upgraded to format {FORMAT} and is unchanged",
                    path.display()
                );
                e.help = Some(match e.help.take() {
                    Some(hint) => format!("{unchanged}; {hint}"),
                    None => unchanged,
                });
                e
            })?;
        }
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
        Ok(State {
            conn,
            legacy: false,
        })
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

    /// Another read-only connection to the same file, to read state on a second thread
    /// while this one does other work. `None` for a state not kept in a file.
    pub fn reader(&self) -> Result<Option<State>, Diag> {
        match self.conn.path().filter(|p| !p.is_empty()) {
            Some(path) => State::open_existing(Path::new(path)),
            None => Ok(None),
        }
    }

    /// The version and records of each target, read in one transaction so that they agree
    /// with each other even if an apply commits meanwhile.
    pub fn snapshot(&self, targets: &[String]) -> Result<Vec<(TargetVersion, Stored)>, Diag> {
        self.conn.execute_batch("BEGIN").map_err(sql)?;
        let read = targets
            .iter()
            .map(|t| Ok((self.version(t)?, self.records(t)?)))
            .collect();
        self.conn.execute_batch("COMMIT").map_err(sql)?;
        read
    }

    /// Everything state holds for a target, each entity's map built in bulk from records
    /// read in key order.
    pub fn records(&self, target: &str) -> Result<Stored, Diag> {
        let read = match self.legacy {
            true => legacy::read(&self.conn, target),
            false => records::read(&self.conn, target),
        };
        read.map_err(|e| located(&self.conn, e))
    }

    /// Records a target's applied changes and bumps its serial, in one transaction, after
    /// checking that nobody applied in between; logs the run (with any `--allow` it used).
    pub fn commit(&mut self, expected: &TargetVersion, run: &AppliedRun) -> Result<(), Diag> {
        self.record(expected, run, || true).map(|_| ())
    }

    /// [`State::commit`] in two steps: stages the run in an open transaction, then asks
    /// `go` (which may wait, for instance for the target's files to be written) and commits
    /// only if it says yes; otherwise nothing is recorded. Returns whether it committed.
    pub fn record(
        &mut self,
        expected: &TargetVersion,
        run: &AppliedRun,
        go: impl FnOnce() -> bool,
    ) -> Result<bool, Diag> {
        let target = run.target.name.as_str();
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
        records::write(&tx, target, &run.target.entities, TARGET_SIZE)
            .map_err(|e| located(&tx, e))?;
        if let Some(remote) = run.remote {
            super::remote::write_remote(&tx, target, remote)?;
        }
        let now = chrono::Local::now().to_rfc3339();
        tx.execute(
            "INSERT INTO targets (name, serial, applied_at) VALUES (?1, ?2, ?3)
             ON CONFLICT(name) DO UPDATE SET serial = excluded.serial, applied_at = excluded.applied_at",
            params![target, serial + 1, now],
        )
        .map_err(sql)?;
        let summary = serde_json::to_string(&run.summary).unwrap_or_default();
        let allowed = serde_json::to_string(&run.target.safety.allowed).unwrap_or_default();
        tx.execute(
            "INSERT INTO runs (target, serial, applied_at, today, mode, summary, allowed) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![target, serial + 1, now, run.today, run.mode, summary, allowed],
        )
        .map_err(sql)?;
        for (name, rows) in run.datasets {
            tx.execute(
                "INSERT INTO datasets (name, rows, applied_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT(name) DO UPDATE SET rows = excluded.rows, applied_at = excluded.applied_at",
                params![name, *rows as i64, now],
            )
            .map_err(sql)?;
        }
        if !go() {
            return Ok(false);
        }
        tx.commit().map_err(sql)?;
        Ok(true)
    }

    /// How many rows each dataset had at the last apply (for the empty-source guard).
    pub fn dataset_rows(&self) -> Result<BTreeMap<String, u64>, Diag> {
        let mut stmt = self
            .conn
            .prepare("SELECT name, rows FROM datasets")
            .map_err(sql)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
            .map_err(sql)?;
        rows.map(|r| r.map(|(n, c)| (n, c.max(0) as u64)).map_err(sql))
            .collect()
    }

    /// The runs logged for a target, newest first.
    pub fn runs(&self, target: &str) -> Result<Vec<LoggedRun>, Diag> {
        let mut stmt = self
            .conn
            .prepare("SELECT serial, today, mode, summary, allowed FROM runs WHERE target = ?1 ORDER BY serial DESC")
            .map_err(sql)?;
        let rows = stmt
            .query_map(params![target], |r| {
                Ok(LoggedRun {
                    serial: r.get::<_, i64>(0)? as u64,
                    today: r.get(1)?,
                    mode: r.get(2)?,
                    summary: r.get(3)?,
                    allowed: r.get(4)?,
                })
            })
            .map_err(sql)?;
        rows.map(|r| r.map_err(sql)).collect()
    }
}

/// One target's apply, as state records it.
pub struct AppliedRun<'a> {
    pub target: &'a TargetPlan,
    pub today: &'a str,
    pub mode: &'a str,
    pub summary: Summary,
    /// Row counts per dataset read by this run.
    pub datasets: &'a [(String, u64)],
    /// For a target on a server: every record's server-side id after this run.
    pub remote: Option<&'a super::RemoteIds>,
}

/// A run as the state's log holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct LoggedRun {
    pub serial: u64,
    pub today: String,
    pub mode: String,
    /// JSON: counts per action.
    pub summary: String,
    /// JSON: the limits gone over that an `--allow` let through.
    pub allowed: String,
}

/// A new state's tables, or an older one's upgrade (its records rewritten into chunks), in
/// one transaction: a failed upgrade leaves the file as it was.
fn upgrade(conn: &Connection) -> Result<(), Diag> {
    conn.execute_batch("BEGIN IMMEDIATE").map_err(sql)?;
    let done = conn
        .execute_batch(SCHEMA)
        .map_err(sql)
        .and_then(|()| legacy::migrate(conn))
        .and_then(|()| {
            conn.pragma_update(None, "user_version", FORMAT)
                .map_err(sql)
        });
    match done {
        Ok(()) => conn.execute_batch("COMMIT").map_err(sql),
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Current,
    /// A new, empty file that still needs its tables.
    New,
    /// Format 2, 3 or 4: readable as is; opened for writing, it gets the `remote` table
    /// (2) and its records are rewritten into chunks (all three).
    Upgradable,
}

/// Refuses a state file of another format. An existing state is not written to until a
/// commit.
fn check_format(conn: &Connection, path: &Path) -> Result<Format, Diag> {
    let format: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|e| db_error(path, &e))?;
    let has_tables: bool = conn
        .query_row(
            "SELECT count(*) > 0 FROM sqlite_master WHERE name IN ('records', 'chunks')",
            [],
            |r| r.get(0),
        )
        .map_err(|e| db_error(path, &e))?;
    match format {
        FORMAT => return Ok(Format::Current),
        2..=4 => return Ok(Format::Upgradable),
        0 if !has_tables => return Ok(Format::New),
        _ => {}
    }
    Err(Diag::error(
        Code::StateFailed,
        format!("the state database {} has format {format}; this roster-etl reads format {FORMAT}", path.display()),
    )
    .help("it was written by another version of roster-etl; use that version, or move the file aside and let the next apply start a new state (every target then counts as a first run)"))
}

pub fn stale(target: &str, planned: u64, now: u64) -> Diag {
    Diag::error(
        Code::StalePlan,
        format!("the saved plan is stale: target `{target}` was applied since the plan was made (state version {planned}, now {now})"),
    )
    .help("run `etl plan` again and apply the new plan; applying an old plan could undo newer changes")
}

/// An error about the state in `conn`, said to be in its file (a support person reading
/// "state records ... are damaged" should not have to find which file).
fn located(conn: &Connection, diag: Diag) -> Diag {
    match conn.path().filter(|p| !p.is_empty()) {
        Some(path) if diag.location.is_none() => diag.at(path.to_string()),
        _ => diag,
    }
}

pub(super) fn sql(e: rusqlite::Error) -> Diag {
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

#[cfg(all(test, unix))]
mod tests {
    use super::State;
    use crate::model::EntityKind;
    use std::os::unix::fs::PermissionsExt;

    /// A state file of an older format with one row per record (the tables a read needs).
    fn older_state(path: &std::path::Path, format: i64) -> rusqlite::Connection {
        let conn = rusqlite::Connection::open(path).unwrap();
        conn.execute_batch(
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE targets (name TEXT PRIMARY KEY, serial INTEGER NOT NULL, applied_at TEXT);",
        )
        .unwrap();
        conn.execute_batch(super::super::legacy::RECORDS_TABLE)
            .unwrap();
        conn.pragma_update(None, "user_version", format).unwrap();
        conn
    }

    /// A state of format 3 kept fields as JSON text and format 4 in the binary form, one row
    /// per record: both are read as they are, the state opened for writing is rewritten into
    /// chunks holding the same records, and a damaged record is an error naming it.
    #[test]
    fn older_formats_are_read_and_upgraded() {
        let dir =
            std::env::temp_dir().join(format!("roster-etl-state-forms-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("s.db");
        let conn = older_state(&path, 3);
        let insert = "INSERT INTO records (target, entity, key, hash, fields, status, due) VALUES ('t', 'person', ?1, 0, ?2, ?3, ?4)";
        let json = r#"["Anna",null,"x"]"#;
        conn.execute(
            insert,
            rusqlite::params!["a", json, "active", None::<String>],
        )
        .unwrap();
        let binary = crate::model::Fields::from(vec![Some("Bo".into()), None])
            .as_blob()
            .to_vec();
        conn.execute(
            insert,
            rusqlite::params!["b", binary, "pending", "2026-12-01"],
        )
        .unwrap();
        drop(conn);
        let state = State::open_existing(&path)
            .unwrap()
            .expect("format 3 is read");
        let stored = state.records("t").expect("both forms read");
        let persons = stored[&EntityKind::Person].to_map();
        assert_eq!(
            persons["a"].fields,
            vec![Some("Anna".into()), None, Some("x".into())]
        );
        assert_eq!(persons["b"].fields, vec![Some("Bo".into()), None]);
        assert_eq!(persons["b"].status.due().unwrap().to_string(), "2026-12-01");
        let (_, held) = &state.snapshot(&["t".to_string()]).unwrap()[0];
        assert_eq!(held, &stored, "a snapshot reads the same");
        drop(state);
        let state = State::open_or_create(&path).unwrap();
        let format: i64 = state
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(format, super::FORMAT, "opened for writing, it is upgraded");
        assert_eq!(
            state.records("t").unwrap(),
            stored,
            "the same records, in chunks"
        );
        let tables: i64 = state
            .conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = 'records'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(tables, 0, "the rows are gone");
        state
            .conn
            .execute("UPDATE chunks SET data = x'01050161'", [])
            .unwrap();
        let err = state.records("t").unwrap_err();
        assert!(
            format!("{err:?}").contains("state records person from key `a` are damaged"),
            "{err:?}"
        );
        let file = path.display().to_string();
        assert_eq!(err.location, Some(file), "the error names the state file");
        drop(state);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A format 4 record that cannot be read stops the upgrade, which leaves the file as
    /// it was.
    #[test]
    fn a_failed_upgrade_changes_nothing() {
        let dir =
            std::env::temp_dir().join(format!("roster-etl-state-upgrade-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("s.db");
        let conn = older_state(&path, 4);
        conn.execute_batch(
            "INSERT INTO records VALUES ('t', 'group', 'g1', 0, x'0100', 'active', NULL);
            INSERT INTO records VALUES ('t', 'group', 'g2', 0, x'01050161', 'active', NULL);",
        )
        .unwrap();
        drop(conn);
        let before = std::fs::read(&path).unwrap();
        let err = State::open_or_create(&path).err().expect("damage stops it");
        let text = format!("{err:?}");
        assert!(text.contains("state record group g2 is damaged"), "{text}");
        assert!(
            text.contains("could not be upgraded to format 5 and is unchanged; the state file was changed outside roster-etl"),
            "the upgrade's word and the damage's hint: {text}"
        );
        let conn = rusqlite::Connection::open(&path).unwrap();
        let format: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(format, 4);
        let rows: i64 = conn
            .query_row("SELECT count(*) FROM records", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 2);
        drop(conn);
        assert_eq!(std::fs::read(&path).unwrap().len(), before.len());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// The state holds personal data, and so do its write-ahead log and shared memory while a
    /// run has it open: all three are readable by their owner only, whatever the umask.
    #[test]
    fn the_state_and_its_journal_are_readable_by_the_owner_only() {
        let dir =
            std::env::temp_dir().join(format!("roster-etl-state-mode-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("state").join("pipeline.state.db");
        let state = State::open_or_create(&path).expect("state opens");
        state
            .conn
            .execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('probe', 'x')",
                [],
            )
            .expect("a write");
        let wal = dir.join("state").join("pipeline.state.db-wal");
        assert!(wal.exists(), "the open state has its write-ahead log");
        for file in std::fs::read_dir(dir.join("state")).unwrap() {
            let file = file.unwrap().path();
            let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{}", file.display());
        }
        drop(state);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
