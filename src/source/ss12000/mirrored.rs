//! Reading an incremental source through its mirror: what changed since the mirror's
//! last read when the mirror allows (see `incremental.rs`), otherwise everything, into a
//! new mirror. Either way the datasets are made from the whole snapshot.

use super::failure::Failure;
use super::incremental::{self, Choice};
use super::mirror::{self, Header, Mirror, Write};
use super::protected::{Fingerprints, Protected};
use super::snapshot::Snapshot;
use super::{
    Endpoint, How, MirrorUpdate, Read, Resource, Ss12000Options, connect, datasets_of,
    endpoints_of, flatten, object_rows, pages,
};
use crate::diagnostic::Diag;
use crate::net::Http;
use crate::report::{Tally, Unit, Watch};
use chrono::{DateTime, Utc};
use std::collections::BTreeSet;
use std::path::Path;

/// Where an incremental source keeps its mirror, and whether this run must read in full.
pub struct MirrorAt<'a> {
    pub path: &'a Path,
    pub full: bool,
}

/// Reads the datasets `wanted` through the mirror at `at`: only what changed since the
/// last read when the mirror allows, otherwise everything. The datasets are the mirror
/// with the changes applied; the mirror itself is written only by [`MirrorUpdate::save`].
pub fn read_incremental(
    system: &str,
    options: &Ss12000Options,
    wanted: &[Resource],
    at: &MirrorAt,
    watch: &Watch,
) -> Result<Read, Diag> {
    let tally = Tally::new(watch, None, Unit::Objects);
    let settings = options.incremental.clone().unwrap_or_default();
    crate::net::block_on(async {
        let stored = mirror::load(at.path).map_err(Failure::Mirror)?;
        let http = connect(options)?;
        let wanted_set: BTreeSet<Resource> = wanted.iter().copied().collect();
        let choice = incremental::choose(
            stored.as_ref(),
            &options.url,
            &wanted_set,
            &settings,
            Utc::now(),
            at.full,
        );
        let why = match (choice, stored) {
            (Choice::Since(since), Some(m)) => {
                match read_changes(&http, options, wanted, since, m, at.path, &tally).await? {
                    Ok(read) => return Ok(read),
                    Err(why) => why,
                }
            }
            (Choice::Full(why), _) => why,
            (Choice::Since(_), None) => "no mirror yet".to_string(),
        };
        read_whole(&http, options, wanted, why, at.path, &tally).await
    })
    .map_err(|e: Failure| e.diag(system, options))
}

/// Applies what changed to the mirror `m`; `Err(why)` when the read must be a full one.
async fn read_changes(
    http: &Http,
    options: &Ss12000Options,
    wanted: &[Resource],
    since: DateTime<Utc>,
    m: Mirror,
    path: &Path,
    tally: &Tally,
) -> Result<Result<Read, String>, Failure> {
    let started = Utc::now();
    let expected = m.header.read_at;
    let full_at = m.header.full_at;
    let mut snapshot = Snapshot::new(m.objects);
    let mut protected = Protected::knowing(m.protected);
    let found = incremental::read(
        http,
        options.page_size,
        wanted,
        tally,
        since,
        &mut snapshot,
        &mut protected,
    )
    .await?;
    if found.unprotected {
        return Ok(Err("a person is no longer protected".to_string()));
    }
    let datasets = datasets_of(&snapshot, wanted, options)?;
    Ok(Ok(Read {
        datasets,
        objects: found.changed,
        protected: protected.len(),
        how: How::Changes {
            since,
            changed: found.changed,
            deleted: snapshot.deleted(),
        },
        mirror: Some(MirrorUpdate {
            path: path.to_path_buf(),
            header: Header {
                url: options.url.clone(),
                resources: wanted.iter().copied().collect(),
                read_at: found.date.unwrap_or(started),
                full_at,
            },
            protected: protected.fingerprints(),
            write: Write::Delta(snapshot.delta()),
            expected: Some(expected),
        }),
    }))
}

/// Reads everything into a new mirror.
async fn read_whole(
    http: &Http,
    options: &Ss12000Options,
    wanted: &[Resource],
    why: String,
    path: &Path,
    tally: &Tally,
) -> Result<Read, Failure> {
    let started = Utc::now();
    let mut snapshot = Snapshot::default();
    let mut protected = Protected::knowing(Fingerprints::fresh()?);
    let mut objects = 0;
    let mut date = None;
    for endpoint in endpoints_of(wanted) {
        let mut take = |object: &serde_json::Value| {
            if endpoint == Endpoint::Persons && protected.note_person(flatten::Obj(object)) {
                return;
            }
            let key = (endpoint, flatten::Obj(object).text("id"));
            snapshot.put(key, object_rows(wanted, endpoint, object, &protected));
        };
        let paged = pages::read_all(
            http,
            endpoint.path(),
            &[],
            options.page_size,
            tally,
            &mut take,
        )
        .await
        .map_err(|e| Failure::Request(format!("GET {}{}", options.url, endpoint.path()), e))?;
        objects += paged.count;
        date = date.or(paged.date);
    }
    let datasets = datasets_of(&snapshot, wanted, options)?;
    let read_at = date.unwrap_or(started);
    Ok(Read {
        datasets,
        objects,
        protected: protected.len(),
        how: How::Full(Some(why)),
        mirror: Some(MirrorUpdate {
            path: path.to_path_buf(),
            header: Header {
                url: options.url.clone(),
                resources: wanted.iter().copied().collect(),
                read_at,
                full_at: read_at,
            },
            protected: protected.fingerprints(),
            write: Write::Whole(snapshot.into_objects()),
            expected: None,
        }),
    })
}
