//! One search read page by page with the Simple Paged Results control (RFC 2696), which
//! Active Directory needs for more than 1 000 entries. The control's answer is parsed
//! here, not by the client library, so a malformed one is an error rather than a panic.

use super::entry::{self, Entry};
use super::failure::Failure;
use super::query::LdapQuery;
use super::range;
use crate::report::Tally;
use ldap3::asn1::{PL, parse_tag};
use ldap3::controls::{Control, PagedResults};
use ldap3::{Ldap, LdapResult};
use std::time::Duration;

const PAGED_RESULTS: &str = "1.2.840.113556.1.4.319";
/// Pages per search at most: a server that never stops paging is an error.
const MAX_PAGES: u32 = 1_000_000;
/// Empty pages in a row that still promise more: a server paging forever is an error.
/// (The cookie itself may repeat: Samba and AD keep one cookie for the whole search.)
const MAX_EMPTY_PAGES: u32 = 10;

/// Reads every entry of `query`, handing each to `take` and counting each page's entries
/// in `tally`; returns the number of pages. The timeout bounds the wait for each answer
/// (ldap3 applies it to one operation at a time).
pub async fn read_all(
    ldap: &mut Ldap,
    query: &LdapQuery,
    page_size: u32,
    timeout: Duration,
    tally: &Tally,
    take: &mut impl FnMut(Entry) -> Result<(), Failure>,
) -> Result<u32, Failure> {
    let what = format!("searching {}", query.base);
    let attrs: Vec<&str> = query.attributes.iter().map(String::as_str).collect();
    let mut cookie: Vec<u8> = Vec::new();
    let mut pages: u32 = 0;
    let mut empty_in_a_row: u32 = 0;
    loop {
        pages += 1;
        if pages > MAX_PAGES {
            return Err(Failure::Answer(format!(
                "{what}: the server sent {MAX_PAGES} pages and would not stop"
            )));
        }
        let control = PagedResults {
            size: i32::try_from(page_size).unwrap_or(i32::MAX),
            cookie: cookie.clone(),
        };
        let mut stream = ldap
            .with_timeout(timeout)
            .with_controls(control)
            .streaming_search(
                &query.base,
                query.scope.to_ldap(),
                &query.filter,
                attrs.clone(),
            )
            .await
            .map_err(|e| Failure::search(&what, e))?;
        let mut page = Vec::new();
        while let Some(raw) = stream.next().await.map_err(|e| Failure::search(&what, e))? {
            if raw.is_ref() || raw.is_intermediate() {
                continue;
            }
            page.push(entry::parse(raw).map_err(Failure::Answer)?);
        }
        let result = stream
            .finish()
            .await
            .success()
            .map_err(|e| Failure::search(&what, e))?;
        let next = next_cookie(&result).map_err(|why| Failure::Answer(format!("{what}: {why}")))?;
        empty_in_a_row = if page.is_empty() {
            empty_in_a_row + 1
        } else {
            0
        };
        tally.add(page.len() as u64);
        for mut entry in page {
            range::complete(ldap, &mut entry, timeout).await?;
            take(entry)?;
        }
        match next {
            Some(_) if empty_in_a_row > MAX_EMPTY_PAGES => {
                return Err(Failure::Answer(format!(
                    "{what}: the server sent {empty_in_a_row} empty pages in a row and would not stop"
                )));
            }
            Some(c) => cookie = c,
            None => return Ok(pages),
        }
    }
}

/// The paged-results cookie of a search's result: `None` when the search is complete.
fn next_cookie(result: &LdapResult) -> Result<Option<Vec<u8>>, String> {
    // A server that does not page answers everything at once, without the control.
    let Some(Control(_, raw)) = result.ctrls.iter().find(|c| c.1.ctype == PAGED_RESULTS) else {
        return Ok(None);
    };
    let value = raw
        .val
        .as_deref()
        .ok_or("the paged-results answer has no value")?;
    let (_, tag) = parse_tag(value).map_err(|_| "the paged-results answer is not BER")?;
    let PL::C(parts) = tag.payload else {
        return Err("the paged-results answer is not a sequence".into());
    };
    let cookie = match parts.into_iter().nth(1).map(|t| t.payload) {
        Some(PL::P(bytes)) => bytes,
        _ => return Err("the paged-results answer has no cookie".into()),
    };
    Ok((!cookie.is_empty()).then_some(cookie))
}
