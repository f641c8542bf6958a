//! Resolving an `ldap` source: the directory's `ldap:` settings, and each dataset's search
//! (base, scope, filter, attributes). A filter is parsed here, so a typo in it is reported
//! at its place in the pipeline by `etl validate`, not by the directory at 02:00.

use super::pipeline::{DatasetDecl, Origin};
use super::raw::{RawDataset, RawLdap, S};
use super::resolve::Resolver;
use crate::diagnostic::{Code, Diag, Node, Span, suggest};
use crate::source::ldap::{LdapOptions, LdapQuery, Scope};

/// Column names the source adds itself, which no attribute may take.
const RESERVED: [&str; 2] = ["dn", "disabled"];
/// Entries per page by default (below AD's MaxPageSize of 1 000).
const PAGE_SIZE: usize = 500;

impl Resolver<'_> {
    /// Every setting is checked, so that all mistakes are reported in one run.
    pub(super) fn ldap(&mut self, raw: &RawLdap) -> Option<LdapOptions> {
        let url = self.string(&raw.url);
        let bind_dn = self.string(&raw.bind_dn);
        let password = self.secret_reference(&raw.password);
        let ca_file = match &raw.ca_file {
            Some(c) => Some(self.absolute(c)?),
            None => None,
        };
        let page_size = self.positive(raw.page_size.as_ref(), PAGE_SIZE, "page_size", 100_000);
        let starttls = raw.starttls.as_ref().is_some_and(|s| s.value);
        let url = url?;
        let scheme_ok = url.starts_with("ldaps://") || url.starts_with("ldap://");
        if !scheme_ok {
            self.bad(
                &raw.url,
                format!("`{url}` is not an ldap:// or ldaps:// URL"),
                "give the directory's address, e.g. `ldaps://dc1.skola.local:636`",
            );
        }
        if starttls
            && url.starts_with("ldaps://")
            && let Some(s) = &raw.starttls
        {
            self.diags.push(
                Diag::error(Code::BadSetting, "`starttls: true` with an `ldaps://` URL")
                    .label(super::yaml::span_of(s, self.file), "StartTLS upgrades a plain connection")
                    .help("an ldaps:// connection is encrypted from the start: remove `starttls`, or use `ldap://host:389` with it"),
            );
            return None;
        }
        Some(LdapOptions {
            url: url.trim_end_matches('/').to_string(),
            url_span: self.span(&raw.url),
            starttls,
            bind_dn: bind_dn?,
            bind_span: self.span(&raw.bind_dn),
            password: password?,
            page_size: u32::try_from(page_size?).ok()?,
            timeout_secs: raw.timeout_secs.as_ref().map_or(30, |t| t.value),
            ca_file,
        })
        .filter(|_| scheme_ok)
    }

    /// One search of a directory; `url` is `None` when the source's settings were wrong
    /// (already reported), and the dataset is then checked but left out.
    pub(super) fn ldap_dataset(
        &mut self,
        system: &str,
        name: &S,
        raw: &RawDataset,
        url: Option<&str>,
    ) -> Option<DatasetDecl> {
        self.not_for_ldap(raw);
        let Some(base) = &raw.base else {
            self.diags.push(
                Diag::error(
                    Code::BadSetting,
                    format!("dataset `{system}.{}` has no `base:`", name.value),
                )
                .label(self.span(name), "this dataset")
                .help("a directory dataset searches below a base: `base: OU=Elever,DC=skola,DC=local`"),
            );
            return None;
        };
        let base_text = self.string(base);
        let scope = raw
            .scope
            .as_ref()
            .map_or(Some(Scope::Sub), |s| self.scope(s));
        let filter = match &raw.filter {
            Some(f) => self.filter(f),
            None => Some((String::from("(objectClass=*)"), self.span(base))),
        };
        let attributes = self.attributes(name, raw.attributes.as_deref());
        let separator = match &raw.separator {
            Some(s) => self.string(s).filter(|t| !t.is_empty()).or_else(|| {
                self.bad(s, "the separator is empty".into(), "leave it out for `|`");
                None
            }),
            None => Some("|".to_string()),
        };
        let protected = raw.protected.as_ref().map(|p| self.protected(p));
        let protected = match protected {
            Some(rule)
                if !attributes
                    .iter()
                    .flatten()
                    .any(|a| a.eq_ignore_ascii_case(&rule.column)) =>
            {
                self.diags.push(
                    Diag::error(
                        Code::BadSetting,
                        format!(
                            "`protected:` reads `{}`, which the dataset does not ask for",
                            rule.column
                        ),
                    )
                    .label(rule.span, "not among `attributes:`")
                    .help(format!("add `{}` to `attributes:`", rule.column)),
                );
                None
            }
            other => Some(other),
        };
        let (filter, filter_span) = filter?;
        let query = LdapQuery {
            base: base_text?,
            base_span: self.span(base),
            scope: scope?,
            filter,
            filter_span,
            attributes: attributes?,
            separator: separator?,
            protected: protected?,
        };
        Some(DatasetDecl {
            system: system.to_string(),
            name: Node::new(self.span(name), name.value.clone()),
            display: query.display(url?),
            path_span: self.span(base),
            columns: None,
            may_be_empty: raw.may_be_empty.as_ref().is_some_and(|m| m.value),
            origin: Origin::Ldap(query),
        })
    }

    /// Keys of other source types, reported on a directory dataset.
    fn not_for_ldap(&mut self, raw: &RawDataset) {
        let others = [
            (raw.path.as_ref(), "path"),
            (raw.resource.as_ref(), "resource"),
            (raw.encoding.as_ref(), "encoding"),
            (raw.delimiter.as_ref(), "delimiter"),
            (raw.columns.as_ref().and_then(|c| c.first()), "columns"),
        ];
        for (value, key) in others.into_iter().filter_map(|(v, k)| Some((v?, k))) {
            self.diags.push(
                Diag::error(
                    Code::BadSetting,
                    format!("`{key}:` does not apply to a dataset of an `ldap` source"),
                )
                .label(self.span(value), "not used by this source type")
                .help("a directory dataset has `base:`, `filter:`, `scope:` and `attributes:`; its columns are `dn` and the attributes"),
            );
        }
    }

    /// Keys of a directory dataset, reported on a dataset of another source type.
    pub(super) fn ldap_only(&mut self, raw: &RawDataset) {
        let mut keys: Vec<(&S, &str)> = [
            (raw.base.as_ref(), "base"),
            (raw.scope.as_ref(), "scope"),
            (raw.filter.as_ref(), "filter"),
            (raw.separator.as_ref(), "separator"),
        ]
        .into_iter()
        .filter_map(|(v, k)| Some((v?, k)))
        .collect();
        if let Some(first) = raw.attributes.as_ref().and_then(|a| a.first()) {
            keys.push((first, "attributes"));
        }
        for (value, key) in keys {
            self.bad_key(self.span(value), key, "a dataset of an `ldap` source");
        }
    }

    fn scope(&mut self, s: &S) -> Option<Scope> {
        let found = Scope::parse(&s.value);
        if found.is_none() {
            let help = format!(
                "scopes: `sub` (the base and all below it, the default), `one` (directly below), `base` (the base entry only); {}",
                suggest::did_you_mean(&s.value, Scope::NAMES)
            );
            self.bad(s, format!("unknown scope `{}`", s.value), &help);
        }
        found
    }

    /// The filter, checked as RFC 4515 says, and its span.
    fn filter(&mut self, s: &S) -> Option<(String, Span)> {
        let text = self.string(s)?;
        if ldap3::parse_filter(&text).is_err() {
            self.bad(
                s,
                format!("`{text}` is not an LDAP search filter"),
                "a filter is parenthesised, e.g. `(&(objectClass=user)(employeeNumber=*))`; check that every `(` has its `)`",
            );
            return None;
        }
        Some((text, self.span(s)))
    }

    fn attributes(&mut self, name: &S, raw: Option<&[S]>) -> Option<Vec<String>> {
        let Some(raw) = raw.filter(|a| !a.is_empty()) else {
            self.diags.push(
                Diag::error(Code::BadSetting, format!("dataset `{}` names no `attributes:`", name.value))
                    .label(self.span(name), "this dataset")
                    .help("list the attributes the mappings read, e.g. `attributes: [employeeNumber, mail, objectGUID, userAccountControl]`"),
            );
            return None;
        };
        let mut ok = true;
        let mut seen: Vec<&str> = Vec::new();
        for a in raw {
            let text = a.value.as_str();
            let valid = !text.is_empty()
                && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && text.starts_with(|c: char| c.is_ascii_alphabetic());
            let problem = if !valid {
                Some("an attribute name is letters, digits and `-` (no options such as `;range=`)")
            } else if RESERVED.iter().any(|r| r.eq_ignore_ascii_case(text)) {
                Some("`dn` and `disabled` are columns the source adds itself")
            } else if seen.iter().any(|s| s.eq_ignore_ascii_case(text)) {
                Some("each attribute is listed once (names are case-insensitive)")
            } else {
                None
            };
            if let Some(help) = problem {
                self.bad(a, format!("attribute `{text}` cannot be read"), help);
                ok = false;
            }
            seen.push(text);
        }
        ok.then(|| raw.iter().map(|a| a.value.clone()).collect())
    }
}
