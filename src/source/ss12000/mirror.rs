//! The mirror: a local copy of what an incremental SS12000 source last read, as rows, in a
//! SQLite file beside the state (`<state>.<source>.mirror.db`, readable by its owner only).
//! It is a cache of the register, not state: it says what the register held when last
//! read, whatever was applied since, so `etl plan` updates it too. Deleting it makes the
//! next read a full one. Protected persons are never in it, not even by id: only their
//! salted fingerprints are.

use super::protected::Fingerprints;
use super::resource::{Endpoint, Resource};
use super::snapshot::{Delta, Key, Rows};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};

/// Bumped when the layout or the rows' columns change: an older mirror is read again in full.
const FORMAT: i64 = 1;

const SCHEMA: &str = "
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS objects (
        endpoint TEXT NOT NULL, id TEXT NOT NULL, rows TEXT NOT NULL,
        PRIMARY KEY (endpoint, id)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS protected (fingerprint BLOB PRIMARY KEY) WITHOUT ROWID;
";

/// What a mirror holds besides its objects.
#[derive(Clone, Debug, PartialEq)]
pub struct Header {
    /// The server it was read from.
    pub url: String,
    /// The datasets its rows hold.
    pub resources: BTreeSet<Resource>,
    /// The server's clock when the last read began.
    pub read_at: DateTime<Utc>,
    /// When the last full read began (the server's clock).
    pub full_at: DateTime<Utc>,
}

#[derive(Debug)]
pub struct Mirror {
    pub header: Header,
    pub protected: Fingerprints,
    pub objects: BTreeMap<Key, Rows>,
    /// `true` when the file is of an older layout (then nothing else is read from it).
    pub outdated: bool,
}

/// Where source `system`'s mirror lives for the state at `state`.
pub fn path_beside(state: &Path, system: &str) -> PathBuf {
    let stem = state
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "state".to_string());
    state.with_file_name(format!("{stem}.{system}.mirror.db"))
}

/// The mirror at `path`; `None` when there is none yet.
pub fn load(path: &Path) -> Result<Option<Mirror>, String> {
    if !path.exists() {
        return Ok(None);
    }
    let why = |e: rusqlite::Error| format!("cannot read the mirror {}: {e}", path.display());
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(why)?;
    let format: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(why)?;
    if format != FORMAT {
        return Ok(Some(Mirror {
            header: placeholder(),
            protected: Fingerprints::default(),
            objects: BTreeMap::new(),
            outdated: true,
        }));
    }
    let header = read_header(&conn).map_err(why)?.ok_or_else(|| {
        format!(
            "the mirror {} has no header (it was never completely written)",
            path.display()
        )
    })?;
    let protected = read_protected(&conn).map_err(why)?;
    let objects = read_objects(&conn).map_err(|e| match e {
        Unreadable::Sql(e) => why(e),
        Unreadable::Row(what) => {
            format!(
                "the mirror {} holds {what}, which it cannot read",
                path.display()
            )
        }
    })?;
    Ok(Some(Mirror {
        header,
        protected,
        objects,
        outdated: false,
    }))
}

/// How the objects are written back.
#[derive(Debug)]
pub enum Write {
    /// Every object (after a full read).
    Whole(BTreeMap<Key, Rows>),
    /// Only what changed (after an incremental read).
    Delta(Delta),
}

/// A read's result for the mirror, written by [`Update::save`] once the whole run's reads
/// have succeeded.
#[derive(Debug)]
pub struct Update {
    pub path: PathBuf,
    pub header: Header,
    pub protected: Fingerprints,
    pub write: Write,
    /// The `read_at` the read started from: when another run has moved the mirror on
    /// since, this update is older and is dropped.
    pub expected: Option<DateTime<Utc>>,
}

impl Update {
    pub fn save(self) -> Result<(), String> {
        let path = &self.path;
        let why = |e: rusqlite::Error| format!("cannot write the mirror {}: {e}", path.display());
        let mut conn = create(path)?;
        let tx = conn.transaction().map_err(why)?;
        if let Some(expected) = self.expected {
            let now = read_header(&tx).map_err(why)?.map(|h| h.read_at);
            if now != Some(expected) {
                return Ok(());
            }
        }
        write_all(&tx, &self).map_err(why)?;
        tx.commit().map_err(why)
    }
}

fn write_all(tx: &rusqlite::Transaction, update: &Update) -> rusqlite::Result<()> {
    let h = &update.header;
    let resources: Vec<&str> = h.resources.iter().map(|r| r.name()).collect();
    let meta = [
        ("url", h.url.clone()),
        ("resources", resources.join(",")),
        ("read_at", h.read_at.to_rfc3339()),
        ("full_at", h.full_at.to_rfc3339()),
        ("salt", hex(&update.protected.salt)),
    ];
    for (key, value) in meta {
        tx.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
            params![key, value],
        )?;
    }
    tx.execute("DELETE FROM protected", [])?;
    let mut put = tx.prepare("INSERT INTO protected (fingerprint) VALUES (?1)")?;
    for fp in &update.protected.set {
        put.execute(params![&fp[..]])?;
    }
    let mut put =
        tx.prepare("INSERT OR REPLACE INTO objects (endpoint, id, rows) VALUES (?1, ?2, ?3)")?;
    match &update.write {
        Write::Whole(objects) => {
            tx.execute("DELETE FROM objects", [])?;
            for ((e, id), rows) in objects {
                put.execute(params![e.name(), id, encode(rows)])?;
            }
        }
        Write::Delta(delta) => {
            let mut drop = tx.prepare("DELETE FROM objects WHERE endpoint = ?1 AND id = ?2")?;
            for (e, id) in &delta.removed {
                drop.execute(params![e.name(), id])?;
            }
            for ((e, id), rows) in &delta.changed {
                put.execute(params![e.name(), id, encode(rows)])?;
            }
        }
    }
    Ok(())
}

/// Opens the mirror for writing, creating it readable by its owner only.
fn create(path: &Path) -> Result<Connection, String> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create the folder {}: {e}", dir.display()))?;
    }
    crate::private_file::create_if_missing(path)
        .map_err(|e| format!("cannot create the mirror {}: {e}", path.display()))?;
    let why = |e: rusqlite::Error| format!("cannot write the mirror {}: {e}", path.display());
    let conn = Connection::open(path).map_err(why)?;
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(why)?;
    let format: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(why)?;
    if format != FORMAT {
        conn.execute_batch("DROP TABLE IF EXISTS meta; DROP TABLE IF EXISTS objects; DROP TABLE IF EXISTS protected;")
            .map_err(why)?;
    }
    conn.execute_batch(SCHEMA).map_err(why)?;
    conn.pragma_update(None, "user_version", FORMAT)
        .map_err(why)?;
    Ok(conn)
}

fn read_header(conn: &Connection) -> rusqlite::Result<Option<Header>> {
    let get = |key: &str| -> rusqlite::Result<Option<String>> {
        conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
    };
    let time = |text: Option<String>| {
        text.and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
            .map(|t| t.to_utc())
    };
    let (Some(url), Some(resources), Some(read_at), Some(full_at)) = (
        get("url")?,
        get("resources")?,
        time(get("read_at")?),
        time(get("full_at")?),
    ) else {
        return Ok(None);
    };
    Ok(Some(Header {
        url,
        resources: resources.split(',').filter_map(Resource::parse).collect(),
        read_at,
        full_at,
    }))
}

fn read_protected(conn: &Connection) -> rusqlite::Result<Fingerprints> {
    let salt: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = 'salt'", [], |r| {
            r.get(0)
        })
        .optional()?;
    let mut fingerprints = Fingerprints {
        salt: salt.and_then(|s| unhex(&s)).unwrap_or_default(),
        set: HashSet::new(),
    };
    let mut query = conn.prepare("SELECT fingerprint FROM protected")?;
    let rows = query.query_map([], |r| r.get::<_, Vec<u8>>(0))?;
    for fp in rows {
        if let Ok(fp) = <[u8; 32]>::try_from(fp?.as_slice()) {
            fingerprints.set.insert(fp);
        }
    }
    Ok(fingerprints)
}

/// Why the objects could not be read.
enum Unreadable {
    Sql(rusqlite::Error),
    /// The object that holds what this version cannot read.
    Row(String),
}

impl From<rusqlite::Error> for Unreadable {
    fn from(e: rusqlite::Error) -> Unreadable {
        Unreadable::Sql(e)
    }
}

fn read_objects(conn: &Connection) -> Result<BTreeMap<Key, Rows>, Unreadable> {
    let mut query = conn.prepare("SELECT endpoint, id, rows FROM objects")?;
    let mut rows = query.query([])?;
    let mut objects = BTreeMap::new();
    while let Some(row) = rows.next()? {
        let name: String = row.get(0)?;
        let id: String = row.get(1)?;
        let text: String = row.get(2)?;
        let endpoint = Endpoint::parse(&name)
            .ok_or_else(|| Unreadable::Row(format!("an object of unknown endpoint `{name}`")))?;
        let decoded = decode(&text)
            .ok_or_else(|| Unreadable::Row(format!("the rows of {} {id}", endpoint.name())))?;
        objects.insert((endpoint, id), decoded);
    }
    Ok(objects)
}

fn encode(rows: &Rows) -> String {
    let named: Vec<(&str, &Vec<String>)> = rows.iter().map(|(r, row)| (r.name(), row)).collect();
    serde_json::to_string(&named).unwrap_or_default()
}

fn decode(text: &str) -> Option<Rows> {
    let named: Vec<(String, Vec<String>)> = serde_json::from_str(text).ok()?;
    named
        .into_iter()
        .map(|(r, row)| {
            let resource = Resource::parse(&r)?;
            (row.len() == resource.columns().len()).then_some((resource, row))
        })
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<[u8; 16]> {
    let mut out = [0u8; 16];
    if text.len() != 32 {
        return None;
    }
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

fn placeholder() -> Header {
    Header {
        url: String::new(),
        resources: BTreeSet::new(),
        read_at: DateTime::UNIX_EPOCH,
        full_at: DateTime::UNIX_EPOCH,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(read_at: &str) -> Header {
        let at = DateTime::parse_from_rfc3339(read_at).unwrap().to_utc();
        Header {
            url: "http://127.0.0.1:1".into(),
            resources: BTreeSet::from([Resource::Groups, Resource::GroupMemberships]),
            read_at: at,
            full_at: at,
        }
    }

    fn rows(id: &str) -> Rows {
        let row = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        vec![
            (
                Resource::Groups,
                row(&[id, "1A", "Klass", "GR", "o1", "", "", ""]),
            ),
            (Resource::GroupMemberships, row(&[id, "p1", "", ""])),
        ]
    }

    #[test]
    fn a_whole_write_then_a_delta_reads_back_as_merged() {
        let dir = tempfile::tempdir().unwrap();
        let path = path_beside(&dir.path().join("state/sync.db"), "register");
        assert!(path.ends_with("state/sync.register.mirror.db"));
        assert!(load(&path).unwrap().is_none());
        let mut fps = Fingerprints::fresh().unwrap();
        fps.insert("p-protected");
        let first = header("2026-11-20T02:00:00Z");
        Update {
            path: path.clone(),
            header: first.clone(),
            protected: fps.clone(),
            write: Write::Whole(BTreeMap::from([
                ((Endpoint::Groups, "g1".into()), rows("g1")),
                ((Endpoint::Groups, "g2".into()), rows("g2")),
            ])),
            expected: None,
        }
        .save()
        .unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let m = load(&path).unwrap().unwrap();
        assert_eq!(m.header, first);
        assert_eq!(m.protected, fps);
        assert_eq!(m.objects.len(), 2);
        let second = header("2026-11-21T02:00:00Z");
        let delta = Delta {
            removed: vec![(Endpoint::Groups, "g1".into())],
            changed: vec![((Endpoint::Groups, "g3".into()), rows("g3"))],
        };
        Update {
            path: path.clone(),
            header: second.clone(),
            protected: fps.clone(),
            write: Write::Delta(delta),
            expected: Some(first.read_at),
        }
        .save()
        .unwrap();
        let m = load(&path).unwrap().unwrap();
        assert_eq!(m.header, second);
        let ids: Vec<&str> = m.objects.keys().map(|(_, id)| id.as_str()).collect();
        assert_eq!(ids, ["g2", "g3"]);
        let text = std::fs::read(&path).unwrap();
        assert!(!String::from_utf8_lossy(&text).contains("p-protected"));
    }

    #[test]
    fn an_update_from_an_older_read_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.db");
        let newer = header("2026-11-21T02:00:00Z");
        let save = |h: &Header, expected| Update {
            path: path.clone(),
            header: h.clone(),
            protected: Fingerprints::default(),
            write: Write::Whole(BTreeMap::new()),
            expected,
        };
        save(&newer, None).save().unwrap();
        let older = header("2026-11-20T03:00:00Z");
        save(&older, Some(header("2026-11-19T02:00:00Z").read_at))
            .save()
            .unwrap();
        assert_eq!(load(&path).unwrap().unwrap().header, newer);
    }

    #[test]
    fn a_mirror_of_another_layout_is_outdated_and_a_broken_one_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.db");
        Connection::open(&path)
            .unwrap()
            .execute_batch("PRAGMA user_version = 99;")
            .unwrap();
        assert!(load(&path).unwrap().unwrap().outdated);
        std::fs::write(&path, b"not a database at all, not even close to one....").unwrap();
        assert!(load(&path).unwrap_err().contains("cannot read the mirror"));
    }
}
