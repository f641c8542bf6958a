//! One dataset of a directory: a search (base, scope, filter) and the attributes kept as
//! its columns.

use crate::diagnostic::Span;
use crate::source::ProtectedRule;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The base entry only.
    Base,
    /// The entries directly below the base.
    One,
    /// The base and everything below it (the default).
    Sub,
}

impl Scope {
    pub const NAMES: [&'static str; 3] = ["base", "one", "sub"];

    pub fn parse(text: &str) -> Option<Scope> {
        match text {
            "base" => Some(Scope::Base),
            "one" | "onelevel" => Some(Scope::One),
            "sub" | "subtree" => Some(Scope::Sub),
            _ => None,
        }
    }

    pub fn to_ldap(self) -> ldap3::Scope {
        match self {
            Scope::Base => ldap3::Scope::Base,
            Scope::One => ldap3::Scope::OneLevel,
            Scope::Sub => ldap3::Scope::Subtree,
        }
    }
}

/// The column that holds each entry's DN.
pub const DN: &str = "dn";
/// The column added when `userAccountControl` is read: `true` for a disabled account.
pub const DISABLED: &str = "disabled";
/// Active Directory's account-control attribute, whose bit 2 means "disabled".
pub const ACCOUNT_CONTROL: &str = "userAccountControl";

#[derive(Clone, Debug, PartialEq)]
pub struct LdapQuery {
    pub base: String,
    /// The pipeline's `base:` value (an unknown base is reported there).
    pub base_span: Span,
    pub scope: Scope,
    pub filter: String,
    pub filter_span: Span,
    /// The attributes asked for, as the pipeline spells them.
    pub attributes: Vec<String>,
    /// Between the values of a multi-valued attribute in one field.
    pub separator: String,
    /// Entries of protected persons, dropped as they are read.
    pub protected: Option<ProtectedRule>,
}

impl LdapQuery {
    /// `dn`, each attribute, and `disabled` when `userAccountControl` is read.
    pub fn columns(&self) -> Vec<String> {
        let mut columns = vec![DN.to_string()];
        columns.extend(self.attributes.iter().cloned());
        if self.reads_account_control() {
            columns.push(DISABLED.to_string());
        }
        columns
    }

    pub fn reads_account_control(&self) -> bool {
        self.attributes
            .iter()
            .any(|a| a.eq_ignore_ascii_case(ACCOUNT_CONTROL))
    }

    /// How users see this dataset: `ldaps://host/BASE?filter`.
    pub fn display(&self, url: &str) -> String {
        format!(
            "{}/{}?{}",
            url.trim_end_matches('/'),
            self.base,
            self.filter
        )
    }
}
