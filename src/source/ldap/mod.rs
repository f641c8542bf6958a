//! The LDAP / Active Directory source: searches read page by page into datasets, one
//! column per attribute asked for, plus `dn` and, when `userAccountControl` is read,
//! `disabled`. Binary `objectGUID` and `objectSid` are written as AD writes them.
//!
//! | file | holds |
//! |---|---|
//! | `options.rs` | the source's `ldap:` settings |
//! | `query.rs` | a dataset's search and its columns |
//! | `connect.rs` | connecting (ldap://, ldaps://, StartTLS) and binding |
//! | `pages.rs` | one search, page by page |
//! | `range.rs` | the rest of attributes AD sends in ranges (`member;range=0-1499`) |
//! | `entry.rs` | a result entry taken apart without trusting the server |
//! | `value.rs` | values as text: GUID, SID, several values |
//! | `failure.rs` | why a read failed, as the error users see |

mod connect;
mod entry;
mod failure;
mod options;
mod pages;
mod query;
mod range;
mod value;

pub use options::LdapOptions;
pub use query::{LdapQuery, Scope};

use super::Dataset;
use crate::diagnostic::Diag;
use crate::report::{Tally, Unit, Watch};
use entry::Entry;
use failure::Failure;
use std::time::Duration;

/// What one directory's read gave.
#[derive(Debug)]
pub struct Read {
    /// One dataset per query, in the order asked.
    pub datasets: Vec<Dataset>,
    /// Pages read over all searches.
    pub pages: u32,
    /// Entries left out as protected (a count only).
    pub protected: usize,
}

/// Runs every query against source `system`'s directory over one bound connection. Any
/// failure fails the whole read: a half-read directory must never look like one that shrank.
/// `watch` is told how many entries are read so far.
pub fn read(
    system: &str,
    options: &LdapOptions,
    queries: &[&LdapQuery],
    watch: &Watch,
) -> Result<Read, Diag> {
    let tally = Tally::new(watch, None, Unit::Objects);
    let mut at = None;
    crate::net::block_on(async {
        let mut ldap = connect::bound(options).await?;
        let mut read = Read {
            datasets: Vec::new(),
            pages: 0,
            protected: 0,
        };
        for query in queries {
            at = Some(query.base_span);
            let mut dataset = Dataset::from_api(query.display(&options.url), query.columns());
            let mut number: u32 = 0;
            let mut take = |entry: Entry| {
                number = number.saturating_add(1);
                if is_protected(query, &entry) {
                    read.protected += 1;
                    return Ok(());
                }
                let row = row(query, &entry)
                    .map_err(|why| Failure::Answer(format!("entry {}: {why}", entry.dn)))?;
                match dataset.push_row(row.iter().map(String::as_str), number) {
                    true => Ok(()),
                    false => Err(Failure::TooLarge(query.display(&options.url))),
                }
            };
            let timeout = Duration::from_secs(options.timeout_secs.max(1));
            read.pages += pages::read_all(
                &mut ldap,
                query,
                options.page_size,
                timeout,
                &tally,
                &mut take,
            )
            .await?;
            read.datasets.push(dataset);
        }
        at = None;
        let _ = ldap.unbind().await;
        Ok(read)
    })
    .map_err(|e: Failure| e.diag(system, options, at))
}

/// Checks that the directory answers and accepts the bind (`etl validate --connect`).
pub fn probe(system: &str, options: &LdapOptions) -> Result<String, Diag> {
    crate::net::block_on(async {
        let mut ldap = connect::bound(options).await?;
        let _ = ldap.unbind().await;
        Ok(format!(
            "source `{system}`: directory {} reachable{}, bind as `{}` accepted",
            options.url,
            if options.encrypted() { " over TLS" } else { "" },
            options.bind_dn
        ))
    })
    .map_err(|e: Failure| e.diag(system, options, None))
}

fn is_protected(query: &LdapQuery, entry: &Entry) -> bool {
    let Some(rule) = &query.protected else {
        return false;
    };
    entry
        .values(&rule.column)
        .unwrap_or_default()
        .iter()
        .any(|v| rule.is_protected(&String::from_utf8_lossy(v)))
}

/// The entry's fields, in the order of [`LdapQuery::columns`].
fn row(query: &LdapQuery, entry: &Entry) -> Result<Vec<String>, String> {
    let mut row = Vec::with_capacity(query.attributes.len() + 2);
    row.push(entry.dn.clone());
    for attribute in &query.attributes {
        let values = entry.values(attribute).unwrap_or_default();
        row.push(value::field(attribute, values, &query.separator)?);
    }
    if query.reads_account_control() {
        row.push(value::disabled(entry.values(query::ACCOUNT_CONTROL))?);
    }
    Ok(row)
}
