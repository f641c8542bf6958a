//! Resolving `sources:`: each system's type (`csv` files, an `ss12000` server or an `ldap`
//! directory; the directory's own settings are in `resolve_ldap.rs`) and its
//! datasets. Every mistake is reported; a dataset with one is left out of the pipeline.

use super::pipeline::{DatasetDecl, Origin, SourceServer, SourceSystem};
use super::raw::{RawDataset, RawIncremental, RawOAuth2, RawSource, RawSs12000, S};
use super::resolve::Resolver;
use super::spanned_map::SpannedMap;
use super::yaml::span_of;
use crate::diagnostic::{Code, Diag, Node, suggest};
use crate::net::OAuth2Options;
use crate::source::ss12000::{Incremental, Resource, Ss12000Options};
use crate::source::{CsvOptions, EncodingChoice};
use serde_saphyr::Spanned;
use std::time::Duration;

pub(super) const SOURCE_TYPES: [&str; 3] = ["csv", "ss12000", "ldap"];

impl Resolver<'_> {
    pub(super) fn systems(&mut self, raw: &SpannedMap<RawSource>) -> Vec<SourceSystem> {
        let mut systems = Vec::new();
        for (name, source) in &raw.0 {
            let kind = source.kind.value.as_str();
            if !SOURCE_TYPES.contains(&kind) {
                self.diags.push(
                    Diag::error(
                        Code::UnknownSourceType,
                        format!("unknown source type `{kind}`"),
                    )
                    .label(self.span(&source.kind), "here")
                    .help(format!(
                        "source types: `csv`, `ss12000`, `ldap`; {}",
                        suggest::did_you_mean(kind, SOURCE_TYPES)
                    )),
                );
                continue;
            }
            if let (Some(s), false) = (&source.ss12000, kind == "ss12000") {
                self.bad_key(span_of(s, self.file), "ss12000", "an `ss12000` source");
            }
            if let (Some(s), false) = (&source.ldap, kind == "ldap") {
                self.bad_key(span_of(s, self.file), "ldap", "an `ldap` source");
            }
            let server = match kind {
                "ss12000" => match &source.ss12000 {
                    Some(s) => self.ss12000(&s.value).map(SourceServer::Ss12000),
                    None => {
                        self.no_settings(name, source, "ss12000", "`ss12000: { url: https://host/ss12000/v2.0, token: ${SS12000_TOKEN} }`");
                        continue;
                    }
                },
                "ldap" => match &source.ldap {
                    Some(s) => self.ldap(&s.value).map(SourceServer::Ldap),
                    None => {
                        self.no_settings(name, source, "ldap", "`ldap: { url: ldaps://dc.example.se, bind_dn: svc@example.se, password: ${AD_PASSWORD} }`");
                        continue;
                    }
                },
                _ => None,
            };
            let datasets = source
                .datasets
                .0
                .iter()
                .filter_map(|(n, d)| match kind {
                    "ss12000" => {
                        let options = server.as_ref().and_then(SourceServer::ss12000);
                        self.api_dataset(&name.value, n, d, options)
                    }
                    "ldap" => {
                        let url = server
                            .as_ref()
                            .and_then(SourceServer::ldap)
                            .map(|o| o.url.as_str());
                        self.ldap_dataset(&name.value, n, d, url)
                    }
                    _ => self.csv_dataset(&name.value, n, d),
                })
                .collect();
            systems.push(SourceSystem {
                name: Node::new(self.span(name), name.value.clone()),
                server,
                datasets,
            });
        }
        systems
    }

    fn no_settings(&mut self, name: &S, source: &RawSource, key: &str, example: &str) {
        self.diags.push(
            Diag::error(
                Code::BadSetting,
                format!("source `{}` has no `{key}:` settings", name.value),
            )
            .label(self.span(&source.kind), format!("an `{key}` source"))
            .help(format!("add {example}")),
        );
    }

    fn csv_dataset(&mut self, system: &str, name: &S, raw: &RawDataset) -> Option<DatasetDecl> {
        self.ldap_only(raw);
        if let Some(r) = &raw.resource {
            self.bad_key(self.span(r), "resource", "a dataset of an `ss12000` source");
        }
        let Some(path) = &raw.path else {
            self.diags.push(
                Diag::error(
                    Code::BadSetting,
                    format!("dataset `{system}.{}` has no `path:`", name.value),
                )
                .label(self.span(name), "this dataset")
                .help("a CSV dataset needs the file it reads: `path: exports/elever.csv`"),
            );
            return None;
        };
        let display = self.string(path);
        let encoding = raw.encoding.as_ref().and_then(|e| self.encoding(e));
        let delimiter = raw.delimiter.as_ref().and_then(|d| self.delimiter(d));
        let columns = raw.columns.as_ref().map(|cols| {
            cols.iter()
                .map(|c| Node::new(self.span(c), c.value.clone()))
                .collect()
        });
        let protected = raw.protected.as_ref().map(|p| self.protected(p));
        let display = display?;
        Some(DatasetDecl {
            system: system.to_string(),
            name: Node::new(self.span(name), name.value.clone()),
            path_span: self.span(path),
            columns,
            may_be_empty: raw.may_be_empty.as_ref().is_some_and(|m| m.value),
            origin: Origin::Csv {
                path: self.dir.join(&display),
                options: CsvOptions {
                    encoding: encoding.unwrap_or(EncodingChoice::Auto),
                    delimiter: delimiter.flatten(),
                },
                protected,
            },
            display,
        })
    }

    /// A dataset of an SS12000 server: its columns are fixed by the resource, and
    /// protected persons are always dropped, so only `resource` and `may_be_empty` apply.
    fn api_dataset(
        &mut self,
        system: &str,
        name: &S,
        raw: &RawDataset,
        server: Option<&Ss12000Options>,
    ) -> Option<DatasetDecl> {
        self.ldap_only(raw);
        let file_only = [
            (raw.path.as_ref().map(|p| self.span(p)), "path"),
            (raw.encoding.as_ref().map(|p| self.span(p)), "encoding"),
            (raw.delimiter.as_ref().map(|p| self.span(p)), "delimiter"),
            (
                raw.protected.as_ref().map(|p| self.span(&p.column)),
                "protected",
            ),
            (
                raw.columns
                    .as_ref()
                    .and_then(|c| c.first())
                    .map(|c| self.span(c)),
                "columns",
            ),
        ];
        for (span, key) in file_only.into_iter().filter_map(|(s, k)| Some((s?, k))) {
            self.diags.push(
                Diag::error(
                    Code::BadSetting,
                    format!("`{key}:` does not apply to a dataset of an `ss12000` source"),
                )
                .label(span, "not used by this source type")
                .help("an SS12000 dataset names its `resource:`; its columns are fixed and protected persons are always left out"),
            );
        }
        let named = raw.resource.as_ref().unwrap_or(name);
        let Some(resource) = Resource::parse(&named.value) else {
            self.diags.push(
                Diag::error(
                    Code::BadSetting,
                    format!("`{}` is not an SS12000 dataset", named.value),
                )
                .label(self.span(named), "not a resource roster-etl reads")
                .help(format!(
                    "resources: {}; {}",
                    Resource::names().collect::<Vec<_>>().join(", "),
                    suggest::did_you_mean(&named.value, Resource::names())
                )),
            );
            return None;
        };
        let server = server?;
        Some(DatasetDecl {
            system: system.to_string(),
            name: Node::new(self.span(name), name.value.clone()),
            display: resource.display(&server.url),
            path_span: self.span(named),
            columns: None,
            may_be_empty: raw.may_be_empty.as_ref().is_some_and(|m| m.value),
            origin: Origin::Ss12000(resource),
        })
    }

    /// Every setting is checked, so that all mistakes are reported in one run.
    fn ss12000(&mut self, raw: &RawSs12000) -> Option<Ss12000Options> {
        let (url, mut ok) = self.http_url(
            &raw.url,
            "`https://api.example.se/ss12000/v2.0` (the part before `/persons`)",
        )?;
        let (token, token_ok) = self.optional_secret(raw.token.as_ref());
        ok &= token_ok;
        let oauth2 = match &raw.oauth2 {
            Some(o) => {
                let resolved = self.oauth2(o, raw.token.as_ref());
                ok &= resolved.is_some();
                resolved
            }
            None => None,
        };
        let ca_file = match &raw.ca_file {
            Some(c) => Some(self.absolute(c)?),
            None => None,
        };
        let page_size = self.positive(raw.page_size.as_ref(), 500, "page_size", 10_000)?;
        let incremental = match &raw.incremental {
            Some(i) => Some(self.incremental(&i.value)?),
            None => None,
        };
        ok.then(|| Ss12000Options {
            url: url.trim_end_matches('/').to_string(),
            url_span: self.span(&raw.url),
            token,
            oauth2,
            page_size,
            timeout_secs: raw.timeout_secs.as_ref().map_or(30, |t| t.value),
            retries: raw.retries.as_ref().map_or(3, |r| r.value),
            ca_file,
            incremental,
        })
    }

    /// `incremental:`; both durations are checked before either is reported.
    fn incremental(&mut self, raw: &RawIncremental) -> Option<Incremental> {
        let defaults = Incremental::default();
        let full_every = self.duration(raw.full_every.as_ref(), defaults.full_every, "7d");
        let overlap = self.duration(raw.overlap.as_ref(), defaults.overlap, "10m");
        Some(Incremental {
            full_every: full_every?,
            overlap: overlap?,
        })
    }

    pub(super) fn duration(
        &mut self,
        raw: Option<&S>,
        default: Duration,
        example: &str,
    ) -> Option<Duration> {
        let Some(text) = raw else {
            return Some(default);
        };
        match humantime::parse_duration(text.value.trim()) {
            Ok(d) => Some(d),
            Err(e) => {
                self.diags.push(
                    Diag::error(
                        Code::BadSetting,
                        format!("`{}` is not a length of time: {e}", text.value),
                    )
                    .label(self.span(text), "here")
                    .help(format!(
                        "write a number and a unit, e.g. `{example}` (s, m, h and d are understood)"
                    )),
                );
                None
            }
        }
    }

    /// OAuth 2.0 client credentials, which replace a fixed `token`.
    fn oauth2(&mut self, raw: &Spanned<RawOAuth2>, token: Option<&S>) -> Option<OAuth2Options> {
        let whole = span_of(raw, self.file);
        if let Some(t) = token {
            self.diags.push(
                Diag::error(Code::BadSetting, "both `token:` and `oauth2:` are given")
                    .label(self.span(t), "a fixed token")
                    .label(whole, "client credentials that fetch tokens")
                    .help("keep one: `oauth2:` when the register's token server issues tokens, `token:` for a token it gave you once"),
            );
            return None;
        }
        let raw = &raw.value;
        let url = self.http_url(&raw.token_url, "`https://auth.example.se/oauth2/token`");
        let client_id = self.string(&raw.client_id);
        let client_secret = self.secret_reference(&raw.client_secret);
        let scope = match &raw.scope {
            Some(s) => Some(self.string(s)?),
            None => None,
        };
        let (token_url, url_ok) = url?;
        url_ok.then_some(())?;
        Some(OAuth2Options {
            token_url,
            client_id: client_id?,
            client_secret: client_secret?,
            scope,
            span: self.span(&raw.client_secret),
        })
    }

    pub(super) fn bad_key(&mut self, span: crate::diagnostic::Span, key: &str, only: &str) {
        self.diags.push(
            Diag::error(Code::BadSetting, format!("`{key}:` applies only to {only}"))
                .label(span, "not used here")
                .help(format!("remove `{key}:`, or change the source's type")),
        );
    }

    fn encoding(&mut self, s: &S) -> Option<EncodingChoice> {
        let found = EncodingChoice::parse(&s.value);
        if found.is_none() {
            self.diags.push(
                Diag::error(Code::BadSetting, format!("unknown encoding `{}`", s.value))
                    .label(self.span(s), "here")
                    .help(format!("encodings: {}", EncodingChoice::NAMES.join(", "))),
            );
        }
        found
    }

    fn delimiter(&mut self, s: &S) -> Option<Option<u8>> {
        match s.value.as_str() {
            ";" => Some(Some(b';')),
            "," => Some(Some(b',')),
            "\t" | "tab" => Some(Some(b'\t')),
            "auto" => Some(None),
            other => {
                self.diags.push(
                    Diag::error(Code::BadSetting, format!("unsupported delimiter `{other}`"))
                        .label(self.span(s), "here")
                        .help("use \";\", \",\", \"tab\" or \"auto\""),
                );
                None
            }
        }
    }
}
