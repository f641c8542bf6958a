//! A client for one configured server (a SCIM target, an SS12000 source): its token is
//! resolved from its `${...}` reference only now, when the server is about to be called.

use super::{Auth, Backoff, ClientCredentials, Http, HttpSettings, OAuth2Options};
use crate::load::{ProcessEnv, interpolate_secret};
use std::path::Path;
use std::time::Duration;

/// What the pipeline says about a server, as its settings keep it.
pub struct Server<'a> {
    pub url: &'a str,
    /// The bearer token's `${ENV}` or `${file:PATH}` reference.
    pub token: Option<&'a str>,
    /// Or: OAuth 2.0 client credentials to obtain tokens with.
    pub oauth2: Option<&'a OAuth2Options>,
    pub timeout_secs: u64,
    pub retries: u32,
    pub ca_file: Option<&'a str>,
    pub content_type: &'static str,
}

impl Server<'_> {
    pub fn client(&self) -> Result<Http, String> {
        let auth = match (self.token, self.oauth2) {
            (Some(reference), _) => Auth::Bearer(interpolate_secret(reference, &ProcessEnv)?),
            (None, Some(o)) => Auth::ClientCredentials(ClientCredentials {
                token_url: o.token_url.clone(),
                client_id: o.client_id.clone(),
                client_secret: interpolate_secret(&o.client_secret, &ProcessEnv)?,
                scope: o.scope.clone(),
            }),
            (None, None) => Auth::None,
        };
        Http::new(HttpSettings {
            base: self.url,
            auth,
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
