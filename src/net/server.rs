//! A client for one configured server (a SCIM target, an SS12000 source): its token is
//! resolved from its `${...}` reference only now, when the server is about to be called.

use super::{Backoff, Http, HttpSettings};
use crate::load::{ProcessEnv, interpolate_secret};
use std::path::Path;
use std::time::Duration;

/// What the pipeline says about a server, as its settings keep it.
pub struct Server<'a> {
    pub url: &'a str,
    /// The bearer token's `${ENV}` or `${file:PATH}` reference.
    pub token: Option<&'a str>,
    pub timeout_secs: u64,
    pub retries: u32,
    pub ca_file: Option<&'a str>,
    pub content_type: &'static str,
}

impl Server<'_> {
    pub fn client(&self) -> Result<Http, String> {
        let bearer = match self.token {
            Some(reference) => Some(interpolate_secret(reference, &ProcessEnv)?),
            None => None,
        };
        Http::new(HttpSettings {
            base: self.url,
            bearer,
            timeout: Duration::from_secs(self.timeout_secs.max(1)),
            ca_file: self.ca_file.map(Path::new),
            backoff: Backoff {
                retries: self.retries,
                ..Backoff::default()
            },
            content_type: self.content_type,
        })
    }
}
