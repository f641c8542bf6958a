//! An HTTP client for JSON APIs: one base URL, a bearer token (given, or obtained by OAuth 2.0
//! client credentials), a timeout on every request, TLS through rustls, and bounded retries
//! of 429, 5xx and lost connections.

use super::oauth2::{ClientCredentials, Token};
use super::retry::{Backoff, retry_after, retryable};
use reqwest::Method;
use serde_json::Value;
use std::fmt;
use std::path::Path;
use std::time::{Duration, Instant};

pub struct HttpSettings<'a> {
    /// `https://host/base` (no trailing slash needed).
    pub base: &'a str,
    /// How requests authenticate, secrets already resolved. Never logged.
    pub auth: Auth,
    pub timeout: Duration,
    /// Trust only this CA (PEM) instead of the platform's roots.
    pub ca_file: Option<&'a Path>,
    pub backoff: Backoff,
    /// The media type of request bodies (`application/scim+json` for SCIM).
    pub content_type: &'static str,
}

/// How a client's requests authenticate.
pub enum Auth {
    None,
    /// A fixed bearer token.
    Bearer(String),
    /// A bearer token from a token endpoint, renewed before it expires.
    ClientCredentials(ClientCredentials),
}

pub struct Http {
    client: reqwest::Client,
    base: String,
    auth: Auth,
    /// The current token of `Auth::ClientCredentials`.
    token: tokio::sync::Mutex<Option<Token>>,
    backoff: Backoff,
    content_type: &'static str,
}

/// A successful answer; `body` is `Null` when the server sent none (204).
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub body: Value,
    /// The server's clock when it answered (its `Date` header), when it sent one.
    pub date: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum HttpError {
    /// No answer: refused, reset or timed out, after the retries.
    Unreachable(String),
    /// An error answer, after the retries for 429 and 5xx.
    Refused { status: u16, detail: String },
    /// A success status with an answer that cannot be used (not JSON, no id, endless paging).
    BadAnswer(String),
    /// The OAuth 2.0 token endpoint refused the client's credentials.
    TokenRefused(String),
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HttpError::Unreachable(why) => write!(f, "no answer: {why}"),
            HttpError::Refused { status, detail } if detail.is_empty() => {
                write!(f, "HTTP {status}")
            }
            HttpError::Refused { status, detail } => write!(f, "HTTP {status}: {detail}"),
            HttpError::BadAnswer(why) => write!(f, "unusable answer: {why}"),
            HttpError::TokenRefused(why) => write!(f, "{why}"),
        }
    }
}

impl Http {
    pub fn new(settings: HttpSettings) -> Result<Http, String> {
        let tls = super::client_config(settings.ca_file)?;
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout)
            .user_agent(concat!("roster-etl/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("cannot set up the HTTP client: {}", root_cause(&e)))?;
        Ok(Http {
            client,
            base: settings.base.trim_end_matches('/').to_string(),
            auth: settings.auth,
            token: tokio::sync::Mutex::new(None),
            backoff: settings.backoff,
            content_type: settings.content_type,
        })
    }

    /// `path` below the base URL (`/Users/1`), or an absolute URL as given.
    pub fn url(&self, path: &str) -> String {
        if path.starts_with("http://") || path.starts_with("https://") {
            path.to_string()
        } else {
            format!("{}{path}", self.base)
        }
    }

    /// Sends a request, retrying 429, 5xx and lost connections as the backoff allows.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Reply, HttpError> {
        let mut attempt = 0;
        loop {
            let (error, asked) = match self.once(method.clone(), path, body).await {
                Ok(reply) => return Ok(reply),
                Err(Failure::Final(e)) => return Err(e),
                Err(Failure::Again(e, asked)) => (e, asked),
            };
            match self.backoff.wait(attempt, asked) {
                Some(wait) => tokio::time::sleep(wait).await,
                None => return Err(error),
            }
            attempt += 1;
        }
    }

    async fn once(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Reply, Failure> {
        let mut request = self
            .client
            .request(method, self.url(path))
            .header("Accept", self.content_type);
        if let Some(token) = self.bearer().await? {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request
                .header("Content-Type", self.content_type)
                .body(body.to_string());
        }
        let response = request
            .send()
            .await
            .map_err(|e| Failure::Again(HttpError::Unreachable(describe(&e, &self.base)), None))?;
        let status = response.status().as_u16();
        let asked = retry_after(
            response
                .headers()
                .get("Retry-After")
                .and_then(|v| v.to_str().ok()),
        );
        let date = response
            .headers()
            .get("Date")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| chrono::DateTime::parse_from_rfc2822(v).ok())
            .map(|d| d.to_utc());
        let text = response
            .text()
            .await
            .map_err(|e| Failure::Again(HttpError::Unreachable(describe(&e, &self.base)), None))?;
        if (200..300).contains(&status) {
            let body = if text.trim().is_empty() {
                Value::Null
            } else {
                serde_json::from_str(&text).map_err(|e| {
                    Failure::Final(HttpError::BadAnswer(format!("the answer is not JSON: {e}")))
                })?
            };
            return Ok(Reply { status, body, date });
        }
        let error = HttpError::Refused {
            status,
            detail: detail(&text),
        };
        if status == 401 && self.forget_token().await {
            // The token was revoked or expired early: the next try fetches a new one.
            return Err(Failure::Again(error, None));
        }
        if retryable(status) {
            Err(Failure::Again(error, asked))
        } else {
            Err(Failure::Final(error))
        }
    }
}

impl Http {
    /// The bearer token for the next request, fetched first when there is none or it is
    /// about to expire.
    async fn bearer(&self) -> Result<Option<String>, Failure> {
        match &self.auth {
            Auth::None => Ok(None),
            Auth::Bearer(token) => Ok(Some(token.clone())),
            Auth::ClientCredentials(credentials) => {
                let mut current = self.token.lock().await;
                if let Some(t) = current.as_ref().filter(|t| Instant::now() < t.renew_at) {
                    return Ok(Some(t.value.clone()));
                }
                let fresh = credentials.fetch(&self.client).await.map_err(|e| match e {
                    HttpError::Unreachable(_) => Failure::Again(e, None),
                    _ => Failure::Final(e),
                })?;
                let value = fresh.value.clone();
                *current = Some(fresh);
                Ok(Some(value))
            }
        }
    }

    /// Drops a fetched token; false when tokens are not fetched (nothing to renew).
    async fn forget_token(&self) -> bool {
        match self.auth {
            Auth::ClientCredentials(_) => self.token.lock().await.take().is_some(),
            _ => false,
        }
    }
}

enum Failure {
    Again(HttpError, Option<Duration>),
    Final(HttpError),
}

/// The server's own words from an error body (`detail` in SCIM), shortened.
fn detail(text: &str) -> String {
    let from_json = serde_json::from_str::<Value>(text).ok().and_then(|v| {
        ["detail", "message", "error_description", "error"]
            .iter()
            .find_map(|k| v.get(k).and_then(Value::as_str).map(str::to_string))
    });
    let words = from_json.unwrap_or_else(|| text.trim().to_string());
    match words.char_indices().nth(200) {
        Some((cut, _)) => format!("{}…", &words[..cut]),
        None => words,
    }
}

/// Why a request got no answer, in words (the innermost cause, without the URL's query).
fn describe(e: &reqwest::Error, base: &str) -> String {
    if e.is_timeout() {
        return format!("{base} did not answer in time");
    }
    format!("{base}: {}", root_cause(e))
}

pub(super) fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}
