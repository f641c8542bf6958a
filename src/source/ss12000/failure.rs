//! Why a read from an SS12000 server failed, kept typed until it becomes the error users
//! see, so the code and hint follow from what happened rather than from message text.

use super::Ss12000Options;
use crate::diagnostic::{Code, Diag};
use crate::net::HttpError;

pub enum Failure {
    /// A request failed: `GET URL`, and why.
    Request(String, HttpError),
    /// An endpoint holds more text than a dataset can (4 GiB).
    TooLarge(String),
    /// The client could not be set up (a secret that cannot be read, TLS settings).
    Setup(String),
    /// The mirror of an incremental source cannot be read.
    Mirror(String),
}

impl From<String> for Failure {
    fn from(why: String) -> Failure {
        Failure::Setup(why)
    }
}

const UNCHANGED: &str = "nothing was planned and state is unchanged";

impl Failure {
    pub fn diag(self, system: &str, options: &Ss12000Options) -> Diag {
        let at = match (&self, &options.oauth2) {
            (Failure::Request(_, HttpError::TokenRefused(_)), Some(o)) => {
                (o.span, "these client credentials")
            }
            _ => (options.url_span, "this server"),
        };
        let (code, message, hint) = match self {
            Failure::Request(_, HttpError::BadAnswer(why)) => (
                Code::BadSourceAnswer,
                format!("unusable answer from {}: {why}", options.url),
                "the server's answers do not follow SS12000 v2.1: ask its vendor, and send them this message",
            ),
            Failure::Request(request, e @ HttpError::TokenRefused(_)) => (
                Code::SourceUnreachable,
                format!("{request}: {e}"),
                "the token server refused the client: check `ss12000.oauth2.client_id`, the secret `client_secret` names, and `scope`",
            ),
            Failure::Request(
                request,
                e @ HttpError::Refused {
                    status: 401 | 403, ..
                },
            ) => (
                Code::SourceUnreachable,
                format!("{request}: {e}"),
                if options.oauth2.is_some() {
                    "the server refused the token the token server issued: check `ss12000.oauth2.scope` and the access the register's administrator gave the client"
                } else {
                    "the server refused the token: check `ss12000.token` and the access the register's administrator gave it"
                },
            ),
            Failure::Request(request, e @ HttpError::Unreachable(_))
                if e.to_string().contains("certificate") =>
            {
                (
                    Code::SourceUnreachable,
                    format!("{request}: {e}"),
                    "the server's TLS certificate is not trusted: if it is signed by your own CA, give that CA's PEM file as `ss12000.ca_file`",
                )
            }
            Failure::Request(request, e) => (
                Code::SourceUnreachable,
                format!("{request}: {e}"),
                "check `ss12000.url` and that the server is up (`etl validate --connect`), then run again",
            ),
            Failure::TooLarge(request) => (
                Code::BadSourceAnswer,
                format!("{request} holds more than 4 GiB of text"),
                "a dataset holds at most 4 GiB of text: read fewer datasets from this endpoint",
            ),
            Failure::Mirror(why) => (
                Code::StateFailed,
                why,
                "the mirror is a copy of the register kept between runs: delete it, and the next run reads the register in full",
            ),
            Failure::Setup(why) => (
                Code::SourceUnreachable,
                why,
                "check the source's `ss12000:` settings (`etl validate --connect`), then run again",
            ),
        };
        Diag::error(code, format!("source `{system}`: {message}"))
            .label(at.0, at.1)
            .help(format!("{UNCHANGED}; {hint}"))
    }
}
