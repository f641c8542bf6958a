//! How to reach an SS12000 server (the source's `ss12000:` settings).

use crate::diagnostic::Span;
use crate::net::OAuth2Options;
use std::time::Duration;

#[derive(Clone, Debug, PartialEq)]
pub struct Ss12000Options {
    /// The API's base URL, e.g. `https://api.example.se/ss12000/v2.0`.
    pub url: String,
    /// The pipeline's `url:` value, for errors about the server.
    pub url_span: Span,
    /// The bearer token, as its `${ENV}` or `${file:PATH}` reference (never the value).
    pub token: Option<String>,
    /// Or OAuth 2.0 client credentials that obtain the token.
    pub oauth2: Option<OAuth2Options>,
    /// Objects asked for per page (`limit`).
    pub page_size: usize,
    /// Seconds to wait for each request.
    pub timeout_secs: u64,
    /// Tries after the first for 429, 5xx and lost connections.
    pub retries: u32,
    /// Trust only this CA (PEM) instead of the platform's certificate store.
    pub ca_file: Option<String>,
    /// Read only what changed since the last read, into a local mirror of the register.
    pub incremental: Option<Incremental>,
}

/// The `ss12000.incremental:` settings.
#[derive(Clone, Debug, PartialEq)]
pub struct Incremental {
    /// A full read at least this often, whatever the mirror holds.
    pub full_every: Duration,
    /// How far before the last read's start the next one asks from, so that a change
    /// the register saved while the last read ran is not missed.
    pub overlap: Duration,
}

impl Default for Incremental {
    fn default() -> Incremental {
        Incremental {
            full_every: Duration::from_secs(7 * 24 * 3600),
            overlap: Duration::from_secs(10 * 60),
        }
    }
}
