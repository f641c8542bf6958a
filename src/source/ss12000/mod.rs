//! The SS12000 v2.1 source: a school register's REST API (SIS SS 12000:2020), read into
//! typed datasets. Persons are read first, so that protected persons (any
//! `securityMarking` but `Ingen`) and every row that names them are dropped before a
//! dataset exists.
//!
//! | file | holds |
//! |---|---|
//! | `resource.rs` | the datasets offered, their endpoints and columns |
//! | `pages.rs` | reading one list endpoint page by page |
//! | `flatten.rs` | JSON objects into rows |
//! | `protected.rs` | which persons are protected, and their fingerprints |
//! | `options.rs` | the source's `ss12000:` settings |
//! | `failure.rs` | why a read failed, as the error users see |
//! | `incremental.rs` | whether a read can ask only for changes, and that read |
//! | `deleted.rs` | `/deletedEntities` |
//! | `snapshot.rs` | the register as rows per object, changed object by object |
//! | `mirror.rs` | the snapshot kept in a file between runs |

mod deleted;
mod failure;
mod flatten;
mod incremental;
mod mirror;
mod options;
mod pages;
mod protected;
mod resource;
mod snapshot;

pub use mirror::{Update as MirrorUpdate, path_beside as mirror_path};
pub use options::{Incremental, Ss12000Options};
pub use resource::{Endpoint, Resource};

use super::Dataset;
use crate::diagnostic::Diag;
use crate::net::{Http, Server};
use chrono::{DateTime, Utc};
use failure::Failure;
use incremental::Choice;
use mirror::{Header, Mirror, Write};
use protected::{Fingerprints, Protected};
use reqwest::Method;
use snapshot::{Rows, Snapshot};
use std::collections::BTreeSet;
use std::path::Path;

/// What one source's read gave.
#[derive(Debug)]
pub struct Read {
    /// One dataset per resource asked for, in the order asked.
    pub datasets: Vec<Dataset>,
    /// Objects the server sent, over all endpoints read.
    pub objects: usize,
    /// Persons left out as protected (a count only; nothing else about them is kept).
    pub protected: usize,
    /// Whether the register was read in full or only what changed.
    pub how: How,
    /// For an incremental source: the mirror as this read leaves it, to be saved once
    /// every read of the run has succeeded.
    pub mirror: Option<MirrorUpdate>,
}

/// How a register was read, as the plan tells it.
#[derive(Debug, PartialEq)]
pub enum How {
    /// Everything, and why when the source is incremental.
    Full(Option<String>),
    /// Only what changed after `since`.
    Changes {
        since: DateTime<Utc>,
        changed: usize,
        deleted: usize,
    },
}

impl std::fmt::Display for How {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match self {
            How::Full(None) => write!(f, "read in full"),
            How::Full(Some(why)) => write!(f, "read in full ({why})"),
            How::Changes {
                since,
                changed,
                deleted,
            } => write!(
                f,
                "read what changed after {}: {changed} object(s) changed, {deleted} deleted",
                since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ),
        }
    }
}

/// Reads the datasets `wanted` from source `system`'s server. Any failure fails the whole
/// read: a half-read register must never look like a register that shrank.
pub fn read(system: &str, options: &Ss12000Options, wanted: &[Resource]) -> Result<Read, Diag> {
    crate::net::block_on(async {
        let http = connect(options)?;
        read_all(&http, options, wanted).await
    })
    .map_err(|e: Failure| e.diag(system, options))
}

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
) -> Result<Read, Diag> {
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
                match read_changes(&http, options, wanted, since, m, at.path).await? {
                    Ok(read) => return Ok(read),
                    Err(why) => why,
                }
            }
            (Choice::Full(why), _) => why,
            (Choice::Since(_), None) => "no mirror yet".to_string(),
        };
        read_whole(&http, options, wanted, why, at.path).await
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
) -> Result<Result<Read, String>, Failure> {
    let started = Utc::now();
    let expected = m.header.read_at;
    let full_at = m.header.full_at;
    let mut snapshot = Snapshot::new(m.objects);
    let mut protected = Protected::knowing(m.protected);
    let endpoints = endpoints_of(wanted);
    let found = incremental::read(
        http,
        options.page_size,
        wanted,
        &endpoints,
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
        let paged = pages::read_all(http, endpoint.path(), &[], options.page_size, &mut take)
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

/// The endpoints `wanted` is read from, persons first; persons are read whenever a
/// dataset names persons, to know who is protected.
fn endpoints_of(wanted: &[Resource]) -> BTreeSet<Endpoint> {
    let mut endpoints: BTreeSet<Endpoint> = wanted.iter().map(|r| r.endpoint()).collect();
    if wanted.iter().any(|r| r.refers_to_persons()) {
        endpoints.insert(Endpoint::Persons);
    }
    endpoints
}

/// The rows `object` of `endpoint` gives in each dataset kind wanted.
fn object_rows(
    wanted: &[Resource],
    endpoint: Endpoint,
    object: &serde_json::Value,
    protected: &Protected,
) -> Rows {
    let kinds: BTreeSet<Resource> = wanted
        .iter()
        .copied()
        .filter(|r| r.endpoint() == endpoint)
        .collect();
    let mut rows = Rows::new();
    for kind in kinds {
        flatten::rows(kind, object, protected, &mut |row| {
            rows.push((kind, row.to_vec()))
        });
    }
    rows
}

fn datasets_of(
    snapshot: &Snapshot,
    wanted: &[Resource],
    options: &Ss12000Options,
) -> Result<Vec<Dataset>, Failure> {
    let names: Vec<String> = wanted.iter().map(|r| r.display(&options.url)).collect();
    snapshot
        .datasets(wanted, &names)
        .ok_or_else(|| Failure::TooLarge(options.url.clone()))
}

/// Checks that the server answers and accepts the token (`etl validate --connect`).
pub fn probe(system: &str, options: &Ss12000Options) -> Result<String, Diag> {
    crate::net::block_on(async {
        let http = connect(options)?;
        http.send(Method::GET, "/organisations?limit=1", None)
            .await
            .map_err(|e| Failure::Request(format!("GET {}/organisations", options.url), e))?;
        Ok(format!(
            "source `{system}`: SS12000 server {} reachable, token accepted",
            options.url
        ))
    })
    .map_err(|e: Failure| e.diag(system, options))
}

fn connect(options: &Ss12000Options) -> Result<Http, Failure> {
    Server {
        url: &options.url,
        token: options.token.as_deref(),
        oauth2: options.oauth2.as_ref(),
        timeout_secs: options.timeout_secs,
        retries: options.retries,
        ca_file: options.ca_file.as_deref(),
        content_type: "application/json",
    }
    .client()
    .map_err(Failure::Setup)
}

async fn read_all(
    http: &Http,
    options: &Ss12000Options,
    wanted: &[Resource],
) -> Result<Read, Failure> {
    let endpoints = endpoints_of(wanted);
    let mut datasets: Vec<Dataset> = wanted
        .iter()
        .map(|r| {
            let columns = r.columns().iter().map(|c| c.to_string()).collect();
            Dataset::from_api(r.display(&options.url), columns)
        })
        .collect();
    let mut protected = Protected::default();
    let mut objects = 0;
    // Persons sort first (see `Endpoint`), so the rest is read knowing who is protected.
    for endpoint in endpoints {
        let path = endpoint.path();
        let mut number: u32 = 0;
        let mut full = false;
        let mut take = |object: &serde_json::Value| {
            number = number.saturating_add(1);
            if endpoint == Endpoint::Persons && protected.note_person(flatten::Obj(object)) {
                return;
            }
            for (dataset, resource) in datasets.iter_mut().zip(wanted) {
                if resource.endpoint() != endpoint {
                    continue;
                }
                flatten::rows(*resource, object, &protected, &mut |row| {
                    full |= !dataset.push_row(row.iter().map(String::as_str), number);
                });
            }
        };
        objects += pages::read_all(http, path, &[], options.page_size, &mut take)
            .await
            .map_err(|e| Failure::Request(format!("GET {}{path}", options.url), e))?
            .count;
        if full {
            return Err(Failure::TooLarge(format!("{}{path}", options.url)));
        }
    }
    Ok(Read {
        datasets,
        objects,
        protected: protected.len(),
        how: How::Full(None),
        mirror: None,
    })
}
