//! Resolving `report:`: who is mailed the status report of each `etl apply`, through which
//! SMTP server, and for which outcomes. Every mistake is reported at its place in the YAML.

use super::ReportSettings;
use super::raw::{RawMail, RawReport, S};
use super::resolve::Resolver;
use super::yaml::span_of;
use crate::diagnostic::{Code, Diag, suggest};
use crate::report::{DEFAULT_WHEN, MailOptions, Status, WHEN};
use lettre::message::Mailbox;
use serde_saphyr::Spanned;
use std::time::Duration;

impl Resolver<'_> {
    pub(super) fn report(&mut self, raw: Option<&Spanned<RawReport>>) -> ReportSettings {
        let mail = raw
            .and_then(|r| r.value.mail.as_ref())
            .and_then(|m| self.mail(&m.value));
        ReportSettings { mail }
    }

    /// Every setting is checked, so that all mistakes are reported in one run.
    fn mail(&mut self, raw: &RawMail) -> Option<MailOptions> {
        let smtp = self.smtp_url(&raw.smtp);
        let from = self.mailbox(&raw.from);
        let to: Vec<Option<Mailbox>> = raw.to.value.iter().map(|t| self.mailbox(t)).collect();
        if raw.to.value.is_empty() {
            self.diags.push(
                Diag::error(Code::BadSetting, "`to:` names no recipient")
                    .label(span_of(&raw.to, self.file), "empty")
                    .help("write the addresses that get the report: `to: [it-drift@kommun.se]`"),
            );
        }
        let when = match &raw.when {
            Some(w) => self.when(w),
            None => Some(DEFAULT_WHEN.to_vec()),
        };
        let user = raw.user.as_ref().and_then(|u| self.string(u));
        let (password, password_ok) = self.optional_secret(raw.password.as_ref());
        let timeout = raw.timeout_secs.as_ref().map_or(30, |t| t.value);
        let to: Option<Vec<Mailbox>> = to.into_iter().collect();
        if !password_ok || to.as_ref().is_none_or(|t| t.is_empty()) {
            return None;
        }
        Some(MailOptions {
            smtp: smtp?,
            from: from?,
            to: to?,
            when: when?,
            user,
            password,
            timeout: Duration::from_secs(timeout.max(1)),
            span: self.span(&raw.smtp),
        })
    }

    fn smtp_url(&mut self, s: &S) -> Option<String> {
        let url = self.string(s)?;
        let example = "write `smtp://mail.kommun.se:25`, `smtp://mail.kommun.se:587?tls=required` (STARTTLS) or `smtps://mail.kommun.se:465`";
        let parsed = match reqwest::Url::parse(&url) {
            Ok(u) if matches!(u.scheme(), "smtp" | "smtps") => u,
            _ => {
                self.bad(
                    s,
                    format!("`{url}` is not an smtp:// or smtps:// URL"),
                    example,
                );
                return None;
            }
        };
        if parsed.password().is_some() {
            self.secrets.push(self.span(s));
            self.diags.push(
                Diag::error(Code::PlainSecret, "a credential is written in the pipeline")
                    .label(self.span(s), "a password in the URL")
                    .help("give the account as `user:` and the password as `password: ${SMTP_PASSWORD}`"),
            );
            return None;
        }
        if let Err(e) = lettre::SmtpTransport::from_url(&url) {
            self.bad(s, format!("`{url}` is not a usable SMTP URL: {e}"), example);
            return None;
        }
        Some(url)
    }

    fn mailbox(&mut self, s: &S) -> Option<Mailbox> {
        let text = self.string(s)?;
        match text.parse::<Mailbox>() {
            Ok(m) => Some(m),
            Err(e) => {
                self.bad(
                    s,
                    format!("`{text}` is not an e-mail address ({e})"),
                    "write `it-drift@kommun.se` or `IT-drift <it-drift@kommun.se>`",
                );
                None
            }
        }
    }

    fn when(&mut self, raw: &Spanned<Vec<S>>) -> Option<Vec<Status>> {
        let mut statuses = Vec::new();
        let mut ok = true;
        for word in &raw.value {
            match WHEN.iter().find(|(name, _)| *name == word.value) {
                Some((_, these)) => statuses.extend(these.iter().copied()),
                None => {
                    ok = false;
                    let names = WHEN.iter().map(|(n, _)| *n);
                    let help = format!(
                        "the outcomes are `failed`, `held`, `completed`, `no_changes` and `always`; {}",
                        suggest::did_you_mean(&word.value, names)
                    );
                    self.bad(word, format!("unknown outcome `{}`", word.value), &help);
                }
            }
        }
        ok.then_some(statuses)
    }
}
