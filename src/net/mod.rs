//! Talking to servers: TLS through rustls (with the platform's roots or a configured CA) and
//! an HTTP client with timeouts and bounded retries. Used by the SCIM target and the
//! SS12000 source.

mod http;
mod retry;
mod runtime;
mod server;
mod tls;

pub use http::{Http, HttpError, HttpSettings, Reply};
pub use retry::Backoff;
pub use runtime::block_on;
pub use server::Server;
pub use tls::client_config;
