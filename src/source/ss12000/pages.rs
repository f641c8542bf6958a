//! Reads every object of one SS12000 list endpoint, page by page: the first request asks
//! for `limit` objects, each next one passes only the server's `pageToken` (the standard
//! does not let it be combined with filters). The read ends when no token comes back.

use crate::net::{Http, HttpError};
use reqwest::Method;
use serde_json::Value;

/// A server that never stops paging is stopped here (at 1 000 objects a page, a billion).
const MAX_PAGES: usize = 1_000_000;

/// Calls `object` for every object in `path`'s list; returns how many there were.
pub async fn read_all(
    http: &Http,
    path: &str,
    limit: usize,
    object: &mut dyn FnMut(&Value),
) -> Result<usize, HttpError> {
    let first = format!("{path}?limit={limit}");
    let mut token: Option<String> = None;
    // The answer that last gave back the very token it was asked with. Such a server may
    // keep its cursor on its side (as LDAP directories do); it is looping only when the
    // same request then gets the same answer again.
    let mut repeated: Option<u64> = None;
    let mut count = 0;
    for page in 1..=MAX_PAGES {
        let url = match &token {
            None => http.url(&first),
            Some(t) => with_token(&http.url(path), limit, t)?,
        };
        let reply = http.send(Method::GET, &url, None).await?;
        let items = reply
            .body
            .get("data")
            .and_then(Value::as_array)
            .ok_or_else(|| {
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
        let next = match reply.body.get("pageToken") {
            None | Some(Value::Null) => None,
            Some(Value::String(t)) if t.is_empty() => None,
            Some(Value::String(t)) => Some(t.clone()),
            Some(_) => {
                return Err(HttpError::BadAnswer(format!(
                    "page {page} of {path} has a `pageToken` that is not a string"
                )));
            }
        };
        match next {
            None => return Ok(count),
            Some(t) if token.as_ref() == Some(&t) => {
                let answer = xxhash_rust::xxh3::xxh3_64(reply.body.to_string().as_bytes());
                if repeated == Some(answer) {
                    return Err(HttpError::BadAnswer(format!(
                        "page {page} of {path} gives the same `pageToken` as the page before, with the same objects, so paging would never end"
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

/// `url?limit=N&pageToken=T`, with the token percent-encoded.
fn with_token(url: &str, limit: usize, token: &str) -> Result<String, HttpError> {
    let url = reqwest::Url::parse_with_params(
        url,
        &[("limit", limit.to_string().as_str()), ("pageToken", token)],
    )
    .map_err(|e| HttpError::BadAnswer(format!("cannot make the next page's URL: {e}")))?;
    Ok(url.to_string())
}
