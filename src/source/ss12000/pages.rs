//! Reads every object of one SS12000 list endpoint, page by page: the first request asks
//! for `limit` objects with the read's filters, each next one passes only `limit` and the
//! server's `pageToken` (the standard does not let a token be combined with filters). The
//! read ends when no token comes back.

use crate::net::{Http, HttpError};
use crate::report::Tally;
use chrono::{DateTime, Utc};
use reqwest::Method;
use serde_json::Value;

/// A server that never stops paging is stopped here (at 1 000 objects a page, a billion).
const MAX_PAGES: usize = 1_000_000;

/// What reading one list gave besides its objects.
pub struct Paged {
    /// Objects in the list.
    pub count: usize,
    /// The server's clock when it answered the first request.
    pub date: Option<DateTime<Utc>>,
}

/// Calls `object` for every object in `path`'s list, filtered by `filters` (such as
/// `meta.modified.after`, sent with the first request only); counts each page's objects
/// in `tally`.
pub async fn read_all(
    http: &Http,
    path: &str,
    filters: &[(&str, String)],
    limit: usize,
    tally: &Tally,
    object: &mut dyn FnMut(&Value),
) -> Result<Paged, HttpError> {
    let mut count = 0;
    let date = each_page(http, path, filters, limit, &mut |page, body| {
        let items = body.get("data").and_then(Value::as_array).ok_or_else(|| {
            HttpError::BadAnswer(format!("page {page} of {path} has no `data` list"))
        })?;
        for (i, item) in items.iter().enumerate() {
            if !has_id(item) {
                return Err(HttpError::BadAnswer(format!(
                    "object {} on page {page} of {path} has no `id`",
                    i + 1
                )));
            }
            object(item);
        }
        count += items.len();
        tally.add(items.len() as u64);
        Ok(())
    })
    .await?;
    Ok(Paged { count, date })
}

/// Calls `page` with every page's answer (numbered from 1) until the server gives no
/// `pageToken`; returns the server's clock at the first answer.
pub async fn each_page(
    http: &Http,
    path: &str,
    filters: &[(&str, String)],
    limit: usize,
    page: &mut dyn FnMut(usize, &Value) -> Result<(), HttpError>,
) -> Result<Option<DateTime<Utc>>, HttpError> {
    let limit = limit.to_string();
    let mut first: Vec<(&str, &str)> = vec![("limit", limit.as_str())];
    first.extend(filters.iter().map(|(k, v)| (*k, v.as_str())));
    let mut token: Option<String> = None;
    let mut date = None;
    // The answer that last gave back the very token it was asked with. Such a server may
    // keep its cursor on its side (as LDAP directories do); it is looping only when the
    // same request then gets the same answer again.
    let mut repeated: Option<u64> = None;
    for number in 1..=MAX_PAGES {
        let url = match &token {
            None => with_params(&http.url(path), &first)?,
            Some(t) => with_params(&http.url(path), &[("limit", &limit), ("pageToken", t)])?,
        };
        let reply = http.send(Method::GET, &url, None).await?;
        if number == 1 {
            date = reply.date;
        }
        page(number, &reply.body)?;
        let next = match reply.body.get("pageToken") {
            None | Some(Value::Null) => None,
            Some(Value::String(t)) if t.is_empty() => None,
            Some(Value::String(t)) => Some(t.clone()),
            Some(_) => {
                return Err(HttpError::BadAnswer(format!(
                    "page {number} of {path} has a `pageToken` that is not a string"
                )));
            }
        };
        match next {
            None => return Ok(date),
            Some(t) if token.as_ref() == Some(&t) => {
                let answer = xxhash_rust::xxh3::xxh3_64(reply.body.to_string().as_bytes());
                if repeated == Some(answer) {
                    return Err(HttpError::BadAnswer(format!(
                        "page {number} of {path} gives the same `pageToken` as the page before, with the same objects, so paging would never end"
                    )));
                }
                repeated = Some(answer);
            }
            Some(t) => {
                repeated = None;
                token = Some(t);
            }
        }
    }
    Err(HttpError::BadAnswer(format!(
        "{path} was still paging after {MAX_PAGES} pages"
    )))
}

fn has_id(item: &Value) -> bool {
    item.get("id")
        .and_then(Value::as_str)
        .is_some_and(|id| !id.trim().is_empty())
}

/// `url?k=v&...`, every value percent-encoded (a repeated key is sent once per value).
fn with_params(url: &str, params: &[(&str, &str)]) -> Result<String, HttpError> {
    let url = reqwest::Url::parse_with_params(url, params)
        .map_err(|e| HttpError::BadAnswer(format!("cannot make the next page's URL: {e}")))?;
    Ok(url.to_string())
}
