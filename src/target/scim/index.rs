//! What the server already holds, read back page by page: every User and Group with its id,
//! externalId, userName and e-mails. It finds objects that state does not know (a lost state,
//! or a crash after the server accepted a create) and accounts to adopt.

use crate::net::{Http, HttpError};
use reqwest::Method;
use serde_json::Value;
use std::collections::HashMap;

/// Objects per page asked for (servers may send fewer).
const PAGE: usize = 500;
/// A server that pages on past this many pages is broken.
const MAX_PAGES: usize = 20_000;

#[derive(Clone, Debug)]
pub struct Found {
    pub id: String,
    pub external_id: Option<String>,
}

#[derive(Default)]
pub struct Index {
    by_external_id: HashMap<String, Found>,
    by_user_name: HashMap<String, Found>,
    by_email: HashMap<String, Found>,
}

impl Index {
    /// Reads every object of a resource type (`Users` or `Groups`).
    pub async fn load(http: &Http, resource: &str) -> Result<Index, HttpError> {
        let mut index = Index::default();
        let attributes = if resource == "Users" {
            "id,externalId,userName,emails"
        } else {
            "id,externalId"
        };
        let mut start = 1;
        for _ in 0..MAX_PAGES {
            let path =
                format!("/{resource}?attributes={attributes}&startIndex={start}&count={PAGE}");
            let page = http.send(Method::GET, &path, None).await?.body;
            let resources = page["Resources"].as_array().cloned().unwrap_or_default();
            let total = page["totalResults"].as_u64().unwrap_or(0) as usize;
            for resource in &resources {
                index.add(resource);
            }
            start += resources.len();
            if resources.is_empty() || start > total {
                return Ok(index);
            }
        }
        Err(HttpError::BadAnswer(format!(
            "the server kept paging /{resource} past {MAX_PAGES} pages"
        )))
    }

    fn add(&mut self, resource: &Value) {
        let Some(id) = resource["id"].as_str() else {
            return;
        };
        let found = Found {
            id: id.to_string(),
            external_id: resource["externalId"].as_str().map(str::to_string),
        };
        if let Some(external) = &found.external_id {
            self.by_external_id.insert(external.clone(), found.clone());
        }
        if let Some(name) = resource["userName"].as_str() {
            self.by_user_name.insert(name.to_lowercase(), found.clone());
        }
        for email in resource["emails"].as_array().into_iter().flatten() {
            if let Some(value) = email["value"].as_str() {
                self.by_email.insert(value.to_lowercase(), found.clone());
            }
        }
    }

    pub fn by_external_id(&self, key: &str) -> Option<&Found> {
        self.by_external_id.get(key)
    }

    pub fn by_user_name(&self, name: &str) -> Option<&Found> {
        self.by_user_name.get(&name.to_lowercase())
    }

    pub fn by_email(&self, email: &str) -> Option<&Found> {
        self.by_email.get(&email.to_lowercase())
    }
}
