//! Server-side ids: a target on a server (SCIM) names its objects by ids it assigns. State
//! keeps each record's id, and whether roster-etl created the object or adopted one that
//! existed before (an adopted object is never deleted, only let go).

use super::State;
use super::store::sql;
use crate::diagnostic::Diag;
use crate::model::EntityKind;
use rusqlite::{Transaction, params};
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Remote {
    pub id: String,
    /// The object existed in the target before roster-etl took it over.
    pub adopted: bool,
}

/// Per entity and sync key, the object's id in the target.
pub type RemoteIds = BTreeMap<(EntityKind, String), Remote>;

impl State {
    /// The server-side ids state holds for a target (none in a format-2 state).
    pub fn remote_ids(&self, target: &str) -> Result<RemoteIds, Diag> {
        let has_table: bool = self
            .conn
            .query_row(
                "SELECT count(*) > 0 FROM sqlite_master WHERE name = 'remote'",
                [],
                |r| r.get(0),
            )
            .map_err(sql)?;
        let mut ids = RemoteIds::new();
        if !has_table {
            return Ok(ids);
        }
        let mut stmt = self
            .conn
            .prepare("SELECT entity, key, id, adopted FROM remote WHERE target = ?1")
            .map_err(sql)?;
        let rows = stmt
            .query_map(params![target], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, bool>(3)?,
                ))
            })
            .map_err(sql)?;
        for row in rows {
            let (entity, key, id, adopted) = row.map_err(sql)?;
            if let Some(kind) = EntityKind::parse(&entity) {
                ids.insert((kind, key), Remote { id, adopted });
            }
        }
        Ok(ids)
    }
}

/// Replaces a target's ids with `ids` (inside the commit's transaction).
pub(super) fn write_remote(tx: &Transaction, target: &str, ids: &RemoteIds) -> Result<(), Diag> {
    tx.execute("DELETE FROM remote WHERE target = ?1", params![target])
        .map_err(sql)?;
    let mut insert = tx
        .prepare(
            "INSERT INTO remote (target, entity, key, id, adopted) VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .map_err(sql)?;
    for ((kind, key), remote) in ids {
        insert
            .execute(params![target, kind.name(), key, remote.id, remote.adopted])
            .map_err(sql)?;
    }
    Ok(())
}
