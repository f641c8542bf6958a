//! One run's connection to a SCIM server: the client, what the server supports (PATCH or
//! only PUT), and a breaker that stops sending once the server no longer answers, so that a
//! server that went down mid-run costs one timeout, not one per object.

use super::outcome::Why;
use crate::net::{Http, HttpError, Reply, Server};
use crate::target::ScimOptions;
use reqwest::Method;
use serde_json::Value;
use std::cell::Cell;

pub struct Session<'a> {
    http: Http,
    /// The server takes PATCH (its ServiceProviderConfig says so); else whole PUTs.
    pub patch: bool,
    pub options: &'a ScimOptions,
    down: Cell<bool>,
}

/// A request that did not succeed.
#[derive(Debug)]
pub enum Failed {
    Http(HttpError),
    /// Not sent: the server stopped answering earlier in this run.
    Skipped,
}

impl Failed {
    pub fn status(&self) -> Option<u16> {
        match self {
            Failed::Http(HttpError::Refused { status, .. }) => Some(*status),
            _ => None,
        }
    }
}

impl From<Failed> for Why {
    fn from(f: Failed) -> Why {
        match f {
            Failed::Http(e) => Why::Refused(e.to_string()),
            Failed::Skipped => Why::NotAttempted,
        }
    }
}

impl<'a> Session<'a> {
    /// Connects: resolves the token, reads the ServiceProviderConfig, and lists one User to
    /// check that the token is accepted. Nothing is written.
    pub async fn connect(options: &'a ScimOptions) -> Result<Session<'a>, String> {
        let http = Server {
            url: &options.url,
            token: options.token.as_deref(),
            oauth2: None,
            timeout_secs: options.timeout_secs,
            retries: options.retries,
            ca_file: options.ca_file.as_deref(),
            content_type: "application/scim+json",
        }
        .client()?;
        let config = http
            .send(Method::GET, "/ServiceProviderConfig", None)
            .await
            .map_err(|e| format!("cannot read {}/ServiceProviderConfig: {e}", options.url))?;
        http.send(Method::GET, "/Users?count=1", None)
            .await
            .map_err(|e| format!("the server does not let roster-etl list Users: {e}"))?;
        let patch = config.body["patch"]["supported"].as_bool().unwrap_or(false);
        Ok(Session {
            http,
            patch,
            options,
            down: Cell::new(false),
        })
    }

    /// The server stopped answering earlier in this run.
    pub fn is_down(&self) -> bool {
        self.down.get()
    }

    pub fn http(&self) -> &Http {
        &self.http
    }

    /// Sends one request, unless the server has stopped answering in this run.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Reply, Failed> {
        if self.down.get() {
            return Err(Failed::Skipped);
        }
        self.http.send(method, path, body).await.map_err(|e| {
            if matches!(e, HttpError::Unreachable(_)) {
                self.down.set(true);
            }
            Failed::Http(e)
        })
    }

    /// The id of a created object, from the server's answer.
    pub async fn create(&self, resource: &str, body: &Value) -> Result<String, Failed> {
        let reply = self
            .send(Method::POST, &format!("/{resource}"), Some(body))
            .await?;
        reply.body["id"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| {
                Failed::Http(HttpError::BadAnswer(
                    "the server's answer to a create has no `id`".into(),
                ))
            })
    }

    /// Changes an object with PATCH or PUT, as the server supports.
    pub async fn change(
        &self,
        resource: &str,
        id: &str,
        patch: &Value,
        put: &Value,
    ) -> Result<(), Failed> {
        let path = format!("/{resource}/{id}");
        let (method, body) = if self.patch {
            (Method::PATCH, patch)
        } else {
            (Method::PUT, put)
        };
        self.send(method, &path, Some(body)).await.map(|_| ())
    }

    /// Deletes an object; one that is already gone counts as deleted.
    pub async fn delete(&self, resource: &str, id: &str) -> Result<(), Failed> {
        match self
            .send(Method::DELETE, &format!("/{resource}/{id}"), None)
            .await
        {
            Err(f) if f.status() == Some(404) => Ok(()),
            other => other.map(|_| ()),
        }
    }
}
