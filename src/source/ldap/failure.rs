//! Why a read from a directory failed, kept typed until it becomes the error users see,
//! so the code, the label and the hint follow from what happened.

use super::LdapOptions;
use crate::diagnostic::{Code, Diag, Span};
use ldap3::LdapError;

pub enum Failure {
    /// The connection (TCP, TLS, StartTLS) could not be made.
    Connect(Box<LdapError>),
    /// The server refused the bind.
    Bind(Box<LdapError>),
    /// A search failed: what was being done, and why.
    Search(String, Box<LdapError>),
    /// The server's answer cannot be used (malformed, endless, binary where text belongs).
    Answer(String),
    /// A dataset would hold more than 4 GiB of text.
    TooLarge(String),
    /// The client could not be set up (a secret that cannot be read, TLS settings).
    Setup(String),
}

impl Failure {
    pub fn connect(e: LdapError) -> Failure {
        Failure::Connect(Box::new(e))
    }

    pub fn bind(e: LdapError) -> Failure {
        Failure::Bind(Box::new(e))
    }

    pub fn search(what: &str, e: LdapError) -> Failure {
        Failure::Search(what.to_string(), Box::new(e))
    }
}

impl From<String> for Failure {
    fn from(why: String) -> Failure {
        Failure::Setup(why)
    }
}

const UNCHANGED: &str = "nothing was planned and state is unchanged";

/// LDAP result codes (RFC 4511) that need their own hint.
const TIME_LIMIT: u32 = 3;
const SIZE_LIMIT: u32 = 4;
const STRONGER_AUTH: u32 = 8;
const NO_SUCH_OBJECT: u32 = 32;
const INVALID_CREDENTIALS: u32 = 49;
const INSUFFICIENT_ACCESS: u32 = 50;

impl Failure {
    /// The diagnostic; `base` is the `base:` of the dataset being read, when one was.
    pub fn diag(self, system: &str, options: &LdapOptions, base: Option<Span>) -> Diag {
        let server = (options.url_span, "this directory");
        let (code, message, (span, label), hint) = match self {
            Failure::Connect(e) => {
                let hint = if is_tls(&e) {
                    "the directory's TLS certificate is not trusted or does not name this host: if it is signed by your own CA, give that CA's PEM file as `ldap.ca_file`".to_string()
                } else if matches!(*e, LdapError::Timeout { .. }) {
                    format!("no answer within {} s: check `ldap.url`, the firewall, or raise `ldap.timeout_secs`", options.timeout_secs)
                } else {
                    "check `ldap.url` (`ldaps://host:636` or `ldap://host:389`) and that the directory is up (`etl validate --connect`)".to_string()
                };
                (Code::SourceUnreachable, format!("cannot connect to {}: {e}", options.url), server, hint)
            }
            Failure::Bind(e) => bind(*e, options),
            Failure::Search(what, e) => search(what, *e, options, base),
            Failure::Answer(why) => (
                Code::BadSourceAnswer,
                format!("unusable answer from {}: {why}", options.url),
                server,
                "the directory's answer cannot be read as a roster: check the attributes the dataset asks for".into(),
            ),
            Failure::TooLarge(what) => (
                Code::BadSourceAnswer,
                format!("{what} holds more than 4 GiB of text"),
                base.map_or(server, |b| (b, "this search")),
                "a dataset holds at most 4 GiB of text: narrow the search's `base:` or `filter:`, or read fewer attributes".into(),
            ),
            Failure::Setup(why) => (
                Code::SourceUnreachable,
                why,
                server,
                "check the source's `ldap:` settings (`etl validate --connect`), then run again".into(),
            ),
        };
        Diag::error(code, format!("source `{system}`: {message}"))
            .label(span, label)
            .help(format!("{UNCHANGED}; {hint}"))
    }
}

type Parts = (Code, String, (Span, &'static str), String);

fn bind(e: LdapError, options: &LdapOptions) -> Parts {
    let account = (options.bind_span, "this account");
    if matches!(e, LdapError::Timeout { .. }) {
        return (
            Code::SourceUnreachable,
            format!("{} did not answer the bind within {} s", options.url, options.timeout_secs),
            (options.url_span, "this directory"),
            "check that `ldap.url` names the directory's LDAP port (not another service), that the directory is up, or raise `ldap.timeout_secs`".into(),
        );
    }
    match rc(&e) {
        Some(INVALID_CREDENTIALS) => (
            Code::SourceUnreachable,
            format!("the directory refused the password of `{}`", options.bind_dn),
            account,
            "check the password in `ldap.password` (the variable or file it names), and that the account is neither locked nor expired".into(),
        ),
        Some(STRONGER_AUTH) => (
            Code::SourceUnreachable,
            format!("{} refuses a password over an unencrypted connection", options.url),
            (options.url_span, "unencrypted"),
            "use `ldaps://host:636`, or `starttls: true` with `ldap://` (Active Directory requires one of them by default)".into(),
        ),
        _ => (
            Code::SourceUnreachable,
            format!("binding as `{}` failed: {e}", options.bind_dn),
            account,
            "check `ldap.bind_dn` (a DN, or `user@domain` on Active Directory) and `ldap.password`".into(),
        ),
    }
}

fn search(what: String, e: LdapError, options: &LdapOptions, base: Option<Span>) -> Parts {
    let server = (options.url_span, "this directory");
    let here = base.map_or(server, |b| (b, "this search"));
    match rc(&e) {
        Some(NO_SUCH_OBJECT) => (
            Code::SourceUnreachable,
            format!("{what}: no such entry in the directory"),
            base.map_or(server, |b| (b, "not found in the directory")),
            "check `base:`: the OU may have been renamed or moved".into(),
        ),
        Some(INSUFFICIENT_ACCESS) => (
            Code::SourceUnreachable,
            format!("{what}: `{}` may not read here", options.bind_dn),
            here,
            "ask the directory's administrator to let the account read this part of the directory".into(),
        ),
        Some(SIZE_LIMIT) => (
            Code::BadSourceAnswer,
            format!("{what}: the directory stopped at its size limit"),
            here,
            "roster-etl never uses a cut-off read: lower `ldap.page_size` below the server's limit (AD's MaxPageSize is 1 000), or ask its administrator to raise the limit".into(),
        ),
        Some(TIME_LIMIT) => (
            Code::BadSourceAnswer,
            format!("{what}: the directory stopped at its time limit"),
            here,
            "narrow the search, or ask the directory's administrator to raise its time limit".into(),
        ),
        Some(_) => (
            Code::BadSourceAnswer,
            format!("{what}: {e}"),
            here,
            "check the dataset's `base:`, `scope:` and `filter:`".into(),
        ),
        None if matches!(e, LdapError::Timeout { .. }) => (
            Code::SourceUnreachable,
            format!("{what}: no answer within {} s", options.timeout_secs),
            server,
            "raise `ldap.timeout_secs`, or narrow the search".into(),
        ),
        None => (
            Code::SourceUnreachable,
            format!("{what}: {e}"),
            server,
            "the connection to the directory was lost: check that it is up, then run again".into(),
        ),
    }
}

fn rc(e: &LdapError) -> Option<u32> {
    match e {
        LdapError::LdapResult { result } => Some(result.rc),
        _ => None,
    }
}

fn is_tls(e: &LdapError) -> bool {
    matches!(e, LdapError::Rustls { .. } | LdapError::DNSName { .. })
        || e.to_string().contains("certificate")
}
