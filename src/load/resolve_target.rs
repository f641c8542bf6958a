//! Resolving a target's format settings (`pifu:`) and delivery (`sftp:`). Paths are made
//! absolute against the pipeline's folder; a password stays a `${...}` reference, checked
//! here and read only when the target is written.

use super::TargetKind;
use super::raw::{RawPifu, RawSftp, RawTarget, S};
use super::resolve::Resolver;
use super::yaml::span_of;
use crate::diagnostic::{Code, Diag, suggest};
use crate::model::EntityKind;
use crate::target::{Document, PifuOptions, SftpOptions, TargetOptions};
use serde_saphyr::Spanned;

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
        let sftp = raw.sftp.as_ref().and_then(|s| self.sftp(&s.value));
        TargetOptions { pifu, sftp }
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

    fn absolute(&mut self, s: &S) -> Option<String> {
        let text = self.string(s)?;
        Some(self.dir.join(text).to_string_lossy().into_owned())
    }

    /// A credential must come from the environment or a secret file; the plan keeps the
    /// reference, never the value. It must resolve now, so a missing secret stops the plan.
    fn secret_reference(&mut self, s: &S) -> Option<String> {
        let text = s.value.trim();
        let is_reference =
            text.starts_with("${") && text.ends_with('}') && text.matches("${").count() == 1;
        if !is_reference {
            self.diags.push(
                Diag::error(Code::PlainSecret, "a credential is written in the pipeline")
                    .label(self.span(s), "write a reference here, not the secret")
                    .help("use `${SFTP_PASSWORD}` (an environment variable) or `${file:/run/secrets/sftp}` (a file only the service account reads)"),
            );
            return None;
        }
        self.string(s)?;
        Some(text.to_string())
    }

    fn bad(&mut self, s: &S, message: String, help: &str) {
        self.diags.push(
            Diag::error(Code::BadSetting, message)
                .label(self.span(s), "here")
                .help(help.to_string()),
        );
    }
}
