//! How to reach a directory (the source's `ldap:` settings).

use crate::diagnostic::Span;

#[derive(Clone, Debug, PartialEq)]
pub struct LdapOptions {
    /// `ldap://host:389` or `ldaps://host:636`.
    pub url: String,
    /// The pipeline's `url:` value, for errors about the server.
    pub url_span: Span,
    /// Upgrade an `ldap://` connection with StartTLS before binding.
    pub starttls: bool,
    /// The account to bind as: a DN or, on Active Directory, `user@domain`.
    pub bind_dn: String,
    pub bind_span: Span,
    /// The password, as its `${ENV}` or `${file:PATH}` reference (never the value).
    pub password: String,
    /// Entries asked for per page (Active Directory sends at most 1 000).
    pub page_size: u32,
    /// Seconds to wait for the connection and for each operation.
    pub timeout_secs: u64,
    /// Trust only this CA (PEM) instead of the platform's certificate store.
    pub ca_file: Option<String>,
}

impl LdapOptions {
    /// The connection is encrypted (ldaps:// or StartTLS).
    pub fn encrypted(&self) -> bool {
        self.starttls || self.url.starts_with("ldaps://")
    }
}
