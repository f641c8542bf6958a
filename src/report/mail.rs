//! The status report by mail: one message per `etl apply` whose outcome the pipeline's
//! `report.mail.when` names, as plain text with the HTML page as its alternative, sent
//! through the pipeline's SMTP server (lettre).

use super::{RunReport, Status, render_html, render_text};
use crate::diagnostic::{Code, Diag};
use crate::load::{Env, interpolate_secret};
use lettre::message::{Mailbox, Message, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{SmtpTransport, Transport};
use std::time::Duration;

/// `report: { mail: ... }` of a pipeline, checked when it is loaded.
#[derive(Debug, Clone)]
pub struct MailOptions {
    /// `smtp://host:25`, `smtp://host:587?tls=required` or `smtps://host:465` (no credentials).
    pub smtp: String,
    pub from: Mailbox,
    pub to: Vec<Mailbox>,
    /// The outcomes that are mailed.
    pub when: Vec<Status>,
    pub user: Option<String>,
    /// A `${VAR}` or `${file:...}` reference, read when the mail is sent.
    pub password: Option<String>,
    pub timeout: Duration,
    /// The `smtp:` value in the pipeline, where a failure to send is shown.
    pub span: crate::diagnostic::Span,
}

/// What `when:` names, and the statuses each word stands for.
pub const WHEN: [(&str, &[Status]); 5] = [
    ("failed", &[Status::Failed]),
    ("held", &[Status::Held]),
    ("completed", &[Status::Completed]),
    ("no_changes", &[Status::NoChanges]),
    (
        "always",
        &[
            Status::Failed,
            Status::Held,
            Status::Completed,
            Status::NoChanges,
        ],
    ),
];

/// Mailed when `when:` is left out: the runs someone must act on.
pub const DEFAULT_WHEN: [Status; 2] = [Status::Failed, Status::Held];

impl MailOptions {
    pub fn wants(&self, status: Status) -> bool {
        self.when.contains(&status)
    }

    /// Sends the report to every recipient.
    pub fn send(&self, report: &RunReport, env: &dyn Env) -> Result<(), Diag> {
        let message = self.message(report)?;
        let transport = self.transport(env)?;
        transport
            .send(&message)
            .map(|_| ())
            .map_err(|e| self.failed(&format!("{e}")))
    }

    fn message(&self, report: &RunReport) -> Result<Message, Diag> {
        let mut builder = Message::builder()
            .from(self.from.clone())
            .subject(subject(report));
        for to in &self.to {
            builder = builder.to(to.clone());
        }
        builder
            .multipart(MultiPart::alternative_plain_html(
                render_text(report),
                render_html(report),
            ))
            .map_err(|e| self.failed(&format!("the message cannot be built: {e}")))
    }

    fn transport(&self, env: &dyn Env) -> Result<SmtpTransport, Diag> {
        let mut builder = SmtpTransport::from_url(&self.smtp)
            .map_err(|e| self.failed(&format!("{e}")))?
            .timeout(Some(self.timeout));
        if let Some(user) = &self.user {
            let password = match &self.password {
                Some(reference) => interpolate_secret(reference, env)
                    .map_err(|e| self.failed(&format!("its password cannot be read: {e}")))?,
                None => String::new(),
            };
            builder = builder.credentials(Credentials::new(user.clone(), password));
        }
        Ok(builder.build())
    }

    fn failed(&self, why: &str) -> Diag {
        Diag::error(
            Code::MailSend,
            format!("cannot mail the status report through {}: {why}", self.smtp),
        )
        .label(self.span, "this server")
        .help("check `report.mail` in the pipeline and that the SMTP server answers; the run itself ended as the report says")
    }
}

/// `roster-etl extens-ad: HELD (apply 2026-11-21)`: the status first, for mail filters.
pub fn subject(report: &RunReport) -> String {
    format!(
        "roster-etl {}: {} ({} {})",
        report.pipeline,
        report.status.word(),
        report.command,
        report.today
    )
}
