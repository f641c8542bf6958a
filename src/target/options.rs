//! Settings a target keeps in the plan, so that `etl apply PLAN` writes exactly what was
//! planned without reading the pipeline again. Secrets are kept as their `${...}` reference
//! and resolved only when the target is written.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct TargetOptions {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pifu: Option<PifuOptions>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sftp: Option<SftpOptions>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scim: Option<ScimOptions>,
}

/// A PIFU-IMS document: a full picture, or the changes of one run.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Document {
    #[default]
    Full,
    Delta,
}

impl Document {
    pub fn name(self) -> &'static str {
        match self {
            Document::Full => "full",
            Document::Delta => "delta",
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct PifuOptions {
    pub document: Document,
    /// `<source>` of every `<sourcedid>`: the system that owns the ids (at most 32 characters).
    pub source: String,
    /// Sensitive person fields this target may receive (`civicNo`, `birthDate`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub send: Vec<String>,
}

impl Default for PifuOptions {
    fn default() -> Self {
        PifuOptions {
            document: Document::Full,
            source: "roster-etl".to_string(),
            send: Vec::new(),
        }
    }
}

/// Delivery of a target's files to an SFTP server.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct SftpOptions {
    pub host: String,
    pub port: u16,
    pub user: String,
    /// The remote folder the files go to.
    pub dir: String,
    /// A private key file (OpenSSH format).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_file: Option<String>,
    /// The password, as its `${ENV}` or `${file:PATH}` reference (never the value).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// The known_hosts file the server's host key must be in.
    pub known_hosts: String,
    /// Seconds to wait for the connection and for each step.
    pub timeout_secs: u64,
}

/// A SCIM 2.0 service provider (RFC 7644) that roster-etl changes object by object.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ScimOptions {
    /// The base URL, e.g. `https://scim.example.com/v2`.
    pub url: String,
    /// The bearer token, as its `${ENV}` or `${file:PATH}` reference (never the value).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// Take over an existing account with the same `userName` or e-mail instead of failing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adopt: Option<Adopt>,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Members added or removed per group request.
    pub batch: usize,
    /// Seconds to wait for each request.
    pub timeout_secs: u64,
    /// Tries after the first for 429, 5xx and lost connections.
    pub retries: u32,
    /// Trust only this CA (PEM) instead of the platform's certificate store.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<String>,
}

/// Which attribute of an existing account makes it the same person.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub enum Adopt {
    #[serde(rename = "userName")]
    UserName,
    #[serde(rename = "email")]
    Email,
}
