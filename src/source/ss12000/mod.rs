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
//! | `mirrored.rs` | reading through the mirror: only changes, or everything anew |

mod deleted;
mod failure;
mod flatten;
mod incremental;
mod mirror;
mod mirrored;
mod options;
mod pages;
mod protected;
mod resource;
mod snapshot;

pub use mirror::{Update as MirrorUpdate, path_beside as mirror_path};
pub use mirrored::{MirrorAt, read_incremental};
pub use options::{Incremental, Ss12000Options};
pub use resource::{Endpoint, Resource};

use super::Dataset;
use crate::diagnostic::Diag;
use crate::net::{Http, Server};
use crate::report::{Tally, Unit, Watch};
use chrono::{DateTime, Utc};
use failure::Failure;
use protected::Protected;
use reqwest::Method;
use snapshot::{Rows, Snapshot};
use std::collections::BTreeSet;

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
    /// For an incremental source: the mirror as this read leaves it, written once the
    /// run's plan is applied (`crate::execute::keep_mirrors`).
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
/// `watch` is told how many objects are read so far.
pub fn read(
    system: &str,
    options: &Ss12000Options,
    wanted: &[Resource],
    watch: &Watch,
) -> Result<Read, Diag> {
    let tally = Tally::new(watch, None, Unit::Objects);
    crate::net::block_on(async {
        let http = connect(options)?;
        read_all(&http, options, wanted, &tally).await
    })
    .map_err(|e: Failure| e.diag(system, options))
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
    tally: &Tally,
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
        objects += pages::read_all(http, path, &[], options.page_size, tally, &mut take)
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
