//! OAuth 2.0 client credentials (RFC 6749 §4.4): a server's bearer token obtained from a
//! token endpoint with a client id and secret, kept until shortly before it expires, and
//! fetched again when the server refuses it. The secret and the token are never logged.

use super::http::HttpError;
use crate::diagnostic::Span;
use serde_json::Value;
use std::time::{Duration, Instant};

/// The `oauth2:` settings of a server, as the pipeline gives them.
#[derive(Clone, Debug, PartialEq)]
pub struct OAuth2Options {
    pub token_url: String,
    pub client_id: String,
    /// The client secret's `${ENV}` or `${file:PATH}` reference (never the value).
    pub client_secret: String,
    /// Scopes to ask for, space-separated, when the server wants them.
    pub scope: Option<String>,
    /// The pipeline's `client_secret:`, where a refusal of the credentials is reported.
    pub span: Span,
}

/// The settings with the secret resolved, ready to ask for tokens.
pub struct ClientCredentials {
    pub token_url: String,
    pub client_id: String,
    pub client_secret: String,
    pub scope: Option<String>,
}

/// A token and when to stop using it.
pub struct Token {
    pub value: String,
    pub renew_at: Instant,
}

/// A token is renewed this long before the server says it expires.
const MARGIN: Duration = Duration::from_secs(30);
/// When the token endpoint gives no `expires_in`.
const ASSUMED_LIFETIME: Duration = Duration::from_secs(300);

impl ClientCredentials {
    /// Asks the token endpoint for a token. The client authenticates with HTTP Basic, its
    /// id and secret form-encoded first, as RFC 6749 §2.3.1 says.
    pub async fn fetch(&self, client: &reqwest::Client) -> Result<Token, HttpError> {
        let mut form = form_urlencoded::Serializer::new(String::new());
        form.append_pair("grant_type", "client_credentials");
        if let Some(scope) = &self.scope {
            form.append_pair("scope", scope);
        }
        let encode = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
        let response = client
            .post(&self.token_url)
            .basic_auth(encode(&self.client_id), Some(encode(&self.client_secret)))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Accept", "application/json")
            .body(form.finish())
            .send()
            .await
            .map_err(|e| {
                HttpError::Unreachable(format!(
                    "token endpoint {}: {}",
                    self.token_url,
                    super::http::root_cause(&e)
                ))
            })?;
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        let body: Option<Value> = serde_json::from_str(&text).ok();
        if !(200..300).contains(&status) {
            return Err(HttpError::TokenRefused(refusal(
                &self.token_url,
                status,
                body.as_ref(),
            )));
        }
        token(body.as_ref()).ok_or_else(|| {
            HttpError::BadAnswer(format!(
                "the token endpoint {} sent no `access_token` of type Bearer",
                self.token_url
            ))
        })
    }
}

/// `error` and `error_description` of a refusal (RFC 6749 §5.2), in words.
fn refusal(url: &str, status: u16, body: Option<&Value>) -> String {
    let field = |k: &str| body.and_then(|b| b.get(k)).and_then(Value::as_str);
    match (field("error"), field("error_description")) {
        (Some(e), Some(d)) => format!("the token endpoint {url} answered HTTP {status}: {e} ({d})"),
        (Some(e), None) => format!("the token endpoint {url} answered HTTP {status}: {e}"),
        _ => format!("the token endpoint {url} answered HTTP {status}"),
    }
}

fn token(body: Option<&Value>) -> Option<Token> {
    let body = body?;
    let value = body.get("access_token")?.as_str()?.to_string();
    let kind = body
        .get("token_type")
        .and_then(Value::as_str)
        .unwrap_or("Bearer");
    if value.is_empty() || !kind.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let lifetime = body
        .get("expires_in")
        .and_then(Value::as_u64)
        .map_or(ASSUMED_LIFETIME, Duration::from_secs);
    Some(Token {
        value,
        renew_at: Instant::now() + lifetime.saturating_sub(MARGIN),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_token_answer_gives_the_token_and_when_to_renew_it() {
        let t = token(Some(
            &json!({"access_token": "abc", "token_type": "bearer", "expires_in": 600}),
        ))
        .unwrap();
        assert_eq!(t.value, "abc");
        let left = t.renew_at - Instant::now();
        assert!(left > Duration::from_secs(560) && left <= Duration::from_secs(570));
        assert!(token(Some(&json!({"access_token": "abc", "token_type": "mac"}))).is_none());
        assert!(token(Some(&json!({"token_type": "Bearer"}))).is_none());
    }

    #[test]
    fn a_refusal_names_the_servers_error() {
        let body =
            json!({"error": "invalid_client", "error_description": "client authentication failed"});
        assert_eq!(
            refusal("https://a/token", 401, Some(&body)),
            "the token endpoint https://a/token answered HTTP 401: invalid_client (client authentication failed)"
        );
        assert_eq!(
            refusal("https://a/token", 500, None),
            "the token endpoint https://a/token answered HTTP 500"
        );
    }
}
