//! Resolving a target's format settings (`pifu:`) and delivery (`sftp:`). Paths are made
//! absolute against the pipeline's folder; a password stays a `${...}` reference, checked
//! here and read only when the target is written.

use super::TargetKind;
use super::raw::{RawPifu, RawScim, RawSftp, RawTarget, S};
use super::resolve::Resolver;
use super::yaml::span_of;
use crate::diagnostic::{Code, Diag, suggest};
use crate::model::EntityKind;
use crate::target::{Adopt, Document, PifuOptions, ScimOptions, SftpOptions, TargetOptions};
use serde_saphyr::Spanned;
use std::path::PathBuf;

impl Resolver<'_> {
    pub(super) fn target_options(&mut self, kind: TargetKind, raw: &RawTarget) -> TargetOptions {
        let pifu = match (&raw.pifu, kind) {
            (Some(p), TargetKind::PifuIms) => self.pifu(&p.value),
            (Some(p), _) => {
                self.only_for(p, "pifu", "pifu-ims");
                None
            }
            (None, TargetKind::PifuIms) => Some(PifuOptions::default()),
            (None, _) => None,
        };
        let sftp = match (&raw.sftp, kind.is_server()) {
            (Some(s), false) => self.sftp(&s.value),
            (Some(s), true) => {
                self.not_for(s, "sftp", kind);
                None
            }
            (None, _) => None,
        };
        let scim = match (&raw.scim, kind) {
            (Some(s), TargetKind::Scim20) => self.scim(&s.value),
            (Some(s), _) => {
                self.only_for(s, "scim", "scim-2.0");
                None
            }
            (None, _) => None,
        };
        TargetOptions { pifu, sftp, scim }
    }

    /// Where a target writes, and how plans show it: a file target's folder, or a server
    /// target's URL.
    pub(super) fn target_place(
        &mut self,
        name: &S,
        kind: TargetKind,
        raw: &RawTarget,
        options: &TargetOptions,
    ) -> Option<(PathBuf, String)> {
        if !kind.is_server() {
            let Some(path) = &raw.path else {
                self.diags.push(
                    Diag::error(
                        Code::BadSetting,
                        format!("target `{}` has no `path:`", name.value),
                    )
                    .label(self.span(name), "this target")
                    .help("a file target needs the folder it writes to: `path: out/skolon`"),
                );
                return None;
            };
            let display = self.string(path)?;
            return Some((self.dir.join(&display), display));
        }
        if let Some(path) = &raw.path {
            self.diags.push(
                Diag::error(
                    Code::BadSetting,
                    format!("a `{}` target has no `path:`", kind.name()),
                )
                .label(self.span(path), "not used by this target type")
                .help("it writes to the server named by `scim: { url: ... }`; remove `path:`"),
            );
        }
        let Some(scim) = &options.scim else {
            if raw.scim.is_none() {
                self.diags.push(
                    Diag::error(
                        Code::BadSetting,
                        format!("target `{}` has no `scim:` settings", name.value),
                    )
                    .label(self.span(&raw.kind), "a SCIM target")
                    .help("add `scim: { url: https://host/scim/v2, token: ${SCIM_TOKEN} }`"),
                );
            }
            return None;
        };
        Some((PathBuf::from(&scim.url), scim.url.clone()))
    }

    fn not_for<T>(&mut self, value: &Spanned<T>, key: &str, kind: TargetKind) {
        self.diags.push(
            Diag::error(
                Code::BadSetting,
                format!(
                    "`{key}:` does not apply to targets of type `{}`",
                    kind.name()
                ),
            )
            .label(span_of(value, self.file), "not used by this target type")
            .help(format!(
                "a `{}` target sends no files; remove `{key}:`",
                kind.name()
            )),
        );
    }

    /// Every setting is checked, so that all mistakes are reported in one run.
    fn scim(&mut self, raw: &RawScim) -> Option<ScimOptions> {
        let (url, mut ok) = self.http_url(&raw.url, "`https://scim.example.com/v2`")?;
        let (token, token_ok) = self.optional_secret(raw.token.as_ref());
        ok &= token_ok;
        let adopt = match raw.adopt.as_ref().map(|a| (a, a.value.as_str())) {
            None => None,
            Some((_, "userName")) => Some(Adopt::UserName),
            Some((_, "email")) => Some(Adopt::Email),
            Some((a, other)) => {
                let help = format!(
                    "`userName` or `email`: an existing account with the same value is taken over; {}",
                    suggest::did_you_mean(other, ["userName", "email"])
                );
                self.bad(a, format!("unknown match attribute `{other}`"), &help);
                ok = false;
                None
            }
        };
        let ca_file = match &raw.ca_file {
            Some(c) => Some(self.absolute(c)?),
            None => None,
        };
        let concurrency = self.positive(raw.concurrency.as_ref(), 4, "concurrency", 64);
        let batch = self.positive(raw.batch.as_ref(), 100, "batch", 1000);
        let (Some(concurrency), Some(batch), true) = (concurrency, batch, ok) else {
            return None;
        };
        Some(ScimOptions {
            url,
            token,
            adopt,
            concurrency,
            batch,
            timeout_secs: raw.timeout_secs.as_ref().map_or(30, |t| t.value),
            retries: raw.retries.as_ref().map_or(3, |r| r.value),
            ca_file,
        })
    }

    /// A server's base URL; the flag is false when it is not http(s) (reported).
    pub(super) fn http_url(&mut self, s: &S, example: &str) -> Option<(String, bool)> {
        let url = self.string(s)?;
        let ok = url.starts_with("https://") || url.starts_with("http://");
        if !ok {
            let help = format!("give the server's base URL, e.g. {example}");
            self.bad(
                s,
                format!("`{url}` is not an http:// or https:// URL"),
                &help,
            );
        }
        Some((url, ok))
    }

    /// An optional credential's reference; the flag is false when it is unusable (reported).
    pub(super) fn optional_secret(&mut self, s: Option<&S>) -> (Option<String>, bool) {
        match s {
            Some(t) => {
                let token = self.secret_reference(t);
                let ok = token.is_some();
                (token, ok)
            }
            None => (None, true),
        }
    }

    /// A count from 1 to `max`, or `default` when not given.
    pub(super) fn positive(
        &mut self,
        value: Option<&Spanned<usize>>,
        default: usize,
        key: &str,
        max: usize,
    ) -> Option<usize> {
        let Some(v) = value else {
            return Some(default);
        };
        if (1..=max).contains(&v.value) {
            return Some(v.value);
        }
        self.diags.push(
            Diag::error(Code::BadSetting, format!("`{key}` must be from 1 to {max}"))
                .label(span_of(v, self.file), "here")
                .help(format!("leave it out for the default of {default}")),
        );
        None
    }

    fn only_for<T>(&mut self, value: &Spanned<T>, key: &str, kind: &str) {
        self.diags.push(
            Diag::error(
                Code::BadSetting,
                format!("`{key}:` applies only to targets of type `{kind}`"),
            )
            .label(span_of(value, self.file), "not used by this target type")
            .help(format!(
                "remove `{key}:` or change the target's type to `{kind}`"
            )),
        );
    }

    /// Every setting is checked, so that all mistakes are reported in one run.
    fn pifu(&mut self, raw: &RawPifu) -> Option<PifuOptions> {
        let mut options = PifuOptions::default();
        let mut ok = true;
        if let Some(doc) = &raw.document {
            match doc.value.as_str() {
                "full" => options.document = Document::Full,
                "delta" => options.document = Document::Delta,
                other => {
                    self.bad(
                        doc,
                        format!("unknown document type `{other}`"),
                        "`full` (everything, every run) or `delta` (this run's changes)",
                    );
                    ok = false;
                }
            }
        }
        if let Some(source) = &raw.source {
            match self.string(source) {
                Some(text) if !text.is_empty() && text.chars().count() <= 32 => {
                    options.source = text
                }
                Some(_) => {
                    self.bad(
                        source,
                        "the source must be 1 to 32 characters".into(),
                        "PIFU-IMS puts it in every `<sourcedid><source>`, which holds at most 32",
                    );
                    ok = false;
                }
                None => ok = false,
            }
        }
        let sensitive: Vec<&str> = EntityKind::Person
            .fields()
            .iter()
            .filter(|f| f.sensitive)
            .map(|f| f.name)
            .collect();
        for field in &raw.send {
            if sensitive.contains(&field.value.as_str()) {
                options.send.push(field.value.clone());
                continue;
            }
            let help = format!(
                "sensitive person fields: {}; {}",
                sensitive.join(", "),
                suggest::did_you_mean(&field.value, sensitive.iter().copied())
            );
            self.bad(
                field,
                format!("`{}` is not a sensitive person field", field.value),
                &help,
            );
            ok = false;
        }
        ok.then_some(options)
    }

    fn sftp(&mut self, raw: &RawSftp) -> Option<SftpOptions> {
        let host = self.string(&raw.host)?;
        let user = self.string(&raw.user)?;
        let dir = self.string(&raw.dir)?;
        let known_hosts = self.absolute(&raw.known_hosts)?;
        let key_file = match &raw.key_file {
            Some(k) => Some(self.absolute(k)?),
            None => None,
        };
        let password = match &raw.password {
            Some(p) => Some(self.secret_reference(p)?),
            None => None,
        };
        if key_file.is_none() && password.is_none() {
            self.bad(
                &raw.user,
                "SFTP needs a `key_file` or a `password`".into(),
                "add `key_file: PATH` (an OpenSSH private key) or `password: ${SFTP_PASSWORD}`",
            );
            return None;
        }
        Some(SftpOptions {
            host,
            port: raw.port.as_ref().map_or(22, |p| p.value),
            user,
            dir,
            key_file,
            password,
            known_hosts,
            timeout_secs: raw.timeout_secs.as_ref().map_or(30, |t| t.value),
        })
    }

    pub(super) fn absolute(&mut self, s: &S) -> Option<String> {
        let text = self.string(s)?;
        Some(self.dir.join(text).to_string_lossy().into_owned())
    }

    /// A credential must come from the environment or a secret file; the plan keeps the
    /// reference, never the value. It must resolve now, so a missing secret stops the plan.
    pub(super) fn secret_reference(&mut self, s: &S) -> Option<String> {
        let text = s.value.trim();
        let is_reference =
            text.starts_with("${") && text.ends_with('}') && text.matches("${").count() == 1;
        if !is_reference {
            self.secrets.push(self.span(s));
            self.diags.push(
                Diag::error(Code::PlainSecret, "a credential is written in the pipeline")
                    .label(self.span(s), "write a reference here, not the secret")
                    .help("use `${SFTP_PASSWORD}` or `${SCIM_TOKEN}` (an environment variable), or `${file:/run/secrets/token}` (a file only the service account reads)"),
            );
            return None;
        }
        self.string(s)?;
        Some(text.to_string())
    }

    pub(super) fn bad(&mut self, s: &S, message: String, help: &str) {
        self.diags.push(
            Diag::error(Code::BadSetting, message)
                .label(self.span(s), "here")
                .help(help.to_string()),
        );
    }
}
