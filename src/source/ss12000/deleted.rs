//! `/deletedEntities`: the ids of objects the register has deleted since a time, per
//! object type, read page by page like the lists.

use super::pages;
use super::resource::Endpoint;
use super::snapshot::Key;
use crate::net::{Http, HttpError};
use chrono::{DateTime, Utc};
use serde_json::Value;

pub const PATH: &str = "/deletedEntities";

/// The objects of `endpoints` deleted after `after`, and the server's clock when asked.
pub async fn read(
    http: &Http,
    endpoints: &[Endpoint],
    after: &str,
    limit: usize,
) -> Result<(Vec<Key>, Option<DateTime<Utc>>), HttpError> {
    let mut filters = vec![("after", after.to_string())];
    filters.extend(
        endpoints
            .iter()
            .map(|e| ("entities", e.object_type().to_string())),
    );
    let mut keys = Vec::new();
    let date = pages::each_page(http, PATH, &filters, limit, &mut |page, body| {
        let data = body.get("data").filter(|d| d.is_object()).ok_or_else(|| {
            HttpError::BadAnswer(format!("page {page} of {PATH} has no `data` object"))
        })?;
        for endpoint in endpoints {
            ids(data, *endpoint, page, &mut keys)?;
        }
        Ok(())
    })
    .await?;
    Ok((keys, date))
}

fn ids(
    data: &Value,
    endpoint: Endpoint,
    page: usize,
    keys: &mut Vec<Key>,
) -> Result<(), HttpError> {
    let list = match data.get(endpoint.name()) {
        None | Some(Value::Null) => return Ok(()),
        Some(Value::Array(list)) => list,
        Some(_) => {
            return Err(HttpError::BadAnswer(format!(
                "`{}` on page {page} of {PATH} is not a list",
                endpoint.name()
            )));
        }
    };
    for id in list {
        let Some(id) = id.as_str().filter(|id| !id.trim().is_empty()) else {
            return Err(HttpError::BadAnswer(format!(
                "`{}` on page {page} of {PATH} holds {id}, not an id",
                endpoint.name()
            )));
        };
        keys.push((endpoint, id.to_string()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_the_endpoints_asked_for_are_taken_and_bad_ids_are_refused() {
        let data = json!({"persons": ["p1", "p2"], "rooms": ["r1"], "groups": null});
        let mut keys = Vec::new();
        for e in [Endpoint::Persons, Endpoint::Groups] {
            ids(&data, e, 1, &mut keys).unwrap();
        }
        assert_eq!(
            keys,
            vec![
                (Endpoint::Persons, "p1".into()),
                (Endpoint::Persons, "p2".into())
            ]
        );
        let bad = json!({"persons": [42]});
        let e = ids(&bad, Endpoint::Persons, 3, &mut keys).unwrap_err();
        assert!(e.to_string().contains("page 3"), "{e}");
        let bad = json!({"persons": "p1"});
        assert!(ids(&bad, Endpoint::Persons, 1, &mut keys).is_err());
    }
}
