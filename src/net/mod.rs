//! Talking to servers: TLS through rustls (with the platform's roots or a configured CA) and
//! an HTTP client with timeouts, bounded retries and OAuth 2.0 client credentials. Used by the SCIM target and the
//! SS12000 source.

mod http;
mod oauth2;
mod retry;
mod runtime;
mod server;
mod tls;

pub use http::{Auth, Http, HttpError, HttpSettings, Reply};
pub use oauth2::{ClientCredentials, OAuth2Options};
pub use retry::Backoff;
pub use runtime::block_on;
pub use server::Server;
pub use tls::client_config;
