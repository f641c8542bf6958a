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
//! | `protected.rs` | which persons are protected |
//! | `options.rs` | the source's `ss12000:` settings |

mod flatten;
mod options;
mod pages;
mod protected;
mod resource;

pub use options::Ss12000Options;
pub use resource::{Endpoint, Resource};

use super::Dataset;
use crate::diagnostic::{Code, Diag};
use crate::net::{Http, HttpError, Server};
use protected::Protected;
use reqwest::Method;
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
}

/// Reads the datasets `wanted` from source `system`'s server. Any failure fails the whole
/// read: a half-read register must never look like a register that shrank.
pub fn read(system: &str, options: &Ss12000Options, wanted: &[Resource]) -> Result<Read, Diag> {
    crate::net::block_on(async {
        let http = connect(options)?;
        read_all(&http, options, wanted).await
    })
    .map_err(|e| server_error(system, options, e))
}

/// Checks that the server answers and accepts the token (`etl validate --connect`).
pub fn probe(system: &str, options: &Ss12000Options) -> Result<String, Diag> {
    crate::net::block_on(async {
        let http = connect(options)?;
        http.send(Method::GET, "/organisations?limit=1", None)
            .await
            .map_err(|e| format!("GET {}/organisations: {e}", options.url))?;
        Ok(format!(
            "source `{system}`: SS12000 server {} reachable, token accepted",
            options.url
        ))
    })
    .map_err(|e| server_error(system, options, e))
}

fn connect(options: &Ss12000Options) -> Result<Http, String> {
    Server {
        url: &options.url,
        token: options.token.as_deref(),
        timeout_secs: options.timeout_secs,
        retries: options.retries,
        ca_file: options.ca_file.as_deref(),
        content_type: "application/json",
    }
    .client()
}

async fn read_all(
    http: &Http,
    options: &Ss12000Options,
    wanted: &[Resource],
) -> Result<Read, String> {
    let mut endpoints: BTreeSet<Endpoint> = wanted.iter().map(|r| r.endpoint()).collect();
    if wanted.iter().any(|r| r.refers_to_persons()) {
        endpoints.insert(Endpoint::Persons);
    }
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
        objects += pages::read_all(http, path, options.page_size, &mut take)
            .await
            .map_err(|e| describe(&options.url, path, e))?;
        if full {
            return Err(format!(
                "{}{path} holds more than 4 GiB of text",
                options.url
            ));
        }
    }
    Ok(Read {
        datasets,
        objects,
        protected: protected.len(),
    })
}

fn describe(url: &str, path: &str, e: HttpError) -> String {
    match e {
        HttpError::BadAnswer(why) => format!("unusable answer from {url}: {why}"),
        other => format!("GET {url}{path}: {other}"),
    }
}

fn server_error(system: &str, options: &Ss12000Options, why: String) -> Diag {
    let (code, help) = if why.starts_with("unusable answer") {
        (
            Code::BadSourceAnswer,
            "nothing was planned and state is unchanged; the server's answers do not follow SS12000 v2.1: ask its vendor, and send them this message",
        )
    } else if why.contains("certificate") {
        (
            Code::SourceUnreachable,
            "nothing was planned and state is unchanged; the server's TLS certificate is not trusted: if it is signed by your own CA, give that CA's PEM file as `ss12000.ca_file`",
        )
    } else if why.contains("HTTP 401") || why.contains("HTTP 403") {
        (
            Code::SourceUnreachable,
            "nothing was planned and state is unchanged; the server refused the token: check `ss12000.token` and the access the register's administrator gave it",
        )
    } else {
        (
            Code::SourceUnreachable,
            "nothing was planned and state is unchanged; check `ss12000.url` and that the server is up (`etl validate --connect`), then run again",
        )
    };
    Diag::error(code, format!("source `{system}`: {why}"))
        .label(options.url_span, "this server")
        .help(help)
}
