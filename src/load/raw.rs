//! The pipeline YAML as written, with a span on every value (ripgrep's "raw flags").
//! [`super::resolve`] turns it into a validated [`super::Pipeline`].

use super::raw_safety::{LimitValue, PolicyValue};
use super::spanned_map::SpannedMap;
use serde::Deserialize;
use serde_saphyr::Spanned;

pub type S = Spanned<String>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPipeline {
    pub version: Option<Spanned<u32>>,
    pub name: Option<S>,
    pub tier: S,
    pub state: Option<S>,
    pub sources: Spanned<SpannedMap<RawSource>>,
    #[serde(default)]
    pub lookups: SpannedMap<RawLookup>,
    pub mappings: Spanned<Vec<S>>,
    pub targets: Spanned<SpannedMap<RawTarget>>,
    pub school_year: Option<RawSchoolYear>,
    /// How many days ahead `active()` counts a start date as begun (`30d` by default).
    pub read_ahead: Option<S>,
    /// How long all script calls of one run may take together (`1m` by default).
    pub script_time: Option<S>,
    /// Per entity, the field that stays the same when a record's sync key changes.
    #[serde(default)]
    pub identity: SpannedMap<S>,
    /// Who hears how each run ended (the status report by mail).
    pub report: Option<Spanned<RawReport>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawReport {
    pub mail: Option<Spanned<RawMail>>,
}

/// The status report of each `etl apply`, mailed through an SMTP server.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMail {
    /// `smtp://host:25`, `smtp://host:587?tls=required` (STARTTLS) or `smtps://host:465`.
    pub smtp: S,
    pub from: S,
    pub to: Spanned<Vec<S>>,
    /// Which outcomes are mailed: `failed`, `held`, `completed`, `no_changes`, or `always`.
    pub when: Option<Spanned<Vec<S>>>,
    pub user: Option<S>,
    pub password: Option<S>,
    pub timeout_secs: Option<Spanned<u64>>,
}

/// When runs are rollover runs or additions-only runs (yearly, as MM-DD).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSchoolYear {
    pub rollover: Option<RawWindow>,
    pub additions_only: Option<RawWindow>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWindow {
    pub from: S,
    pub to: S,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSource {
    #[serde(rename = "type")]
    pub kind: S,
    /// The server of an `ss12000` source.
    pub ss12000: Option<Spanned<RawSs12000>>,
    /// The directory of an `ldap` source.
    pub ldap: Option<Spanned<RawLdap>>,
    pub datasets: SpannedMap<RawDataset>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSs12000 {
    pub url: S,
    pub token: Option<S>,
    pub oauth2: Option<Spanned<RawOAuth2>>,
    pub page_size: Option<Spanned<usize>>,
    pub timeout_secs: Option<Spanned<u64>>,
    pub retries: Option<Spanned<u32>>,
    pub ca_file: Option<S>,
    pub incremental: Option<Spanned<RawIncremental>>,
}

/// Incremental reads of an SS12000 server (`incremental: {}` for the defaults).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawIncremental {
    pub full_every: Option<S>,
    pub overlap: Option<S>,
}

/// OAuth 2.0 client credentials for a server's token.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOAuth2 {
    pub token_url: S,
    pub client_id: S,
    pub client_secret: S,
    pub scope: Option<S>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLdap {
    pub url: S,
    pub bind_dn: S,
    pub password: S,
    pub starttls: Option<Spanned<bool>>,
    pub page_size: Option<Spanned<usize>>,
    pub timeout_secs: Option<Spanned<u64>>,
    pub ca_file: Option<S>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDataset {
    /// The file of a `csv` source's dataset.
    pub path: Option<S>,
    /// What an `ss12000` source's dataset reads (the dataset's name when left out).
    pub resource: Option<S>,
    /// Where an `ldap` source's dataset searches.
    pub base: Option<S>,
    pub scope: Option<S>,
    pub filter: Option<S>,
    pub attributes: Option<Vec<S>>,
    /// Between the values of a multi-valued attribute (`ldap` sources; `|` by default).
    pub separator: Option<S>,
    pub encoding: Option<S>,
    pub delimiter: Option<S>,
    pub columns: Option<Vec<S>>,
    /// The dataset may legitimately read zero rows (otherwise an empty read stops the run).
    pub may_be_empty: Option<Spanned<bool>>,
    /// Rows of protected persons, dropped as the file is read.
    pub protected: Option<RawProtected>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProtected {
    pub column: S,
    pub values: Vec<S>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLookup {
    pub values: Option<SpannedMap<S>>,
    pub file: Option<S>,
    pub key: Option<S>,
    pub value: Option<S>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTarget {
    #[serde(rename = "type")]
    pub kind: S,
    /// The folder a file target writes to (not used by server targets).
    pub path: Option<S>,
    #[serde(default)]
    pub on_delete: SpannedMap<Spanned<PolicyValue>>,
    #[serde(default)]
    pub limits: SpannedMap<Spanned<LimitValue>>,
    #[serde(default)]
    pub rollover_limits: SpannedMap<Spanned<LimitValue>>,
    /// PIFU-IMS settings (only for `type: pifu-ims`).
    pub pifu: Option<Spanned<RawPifu>>,
    /// Delivery of the target's files by SFTP.
    pub sftp: Option<Spanned<RawSftp>>,
    /// The SCIM server (only for `type: scim-2.0`).
    pub scim: Option<Spanned<RawScim>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScim {
    pub url: S,
    pub token: Option<S>,
    pub adopt: Option<S>,
    pub concurrency: Option<Spanned<usize>>,
    pub batch: Option<Spanned<usize>>,
    pub timeout_secs: Option<Spanned<u64>>,
    pub retries: Option<Spanned<u32>>,
    pub ca_file: Option<S>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPifu {
    pub document: Option<S>,
    pub source: Option<S>,
    #[serde(default)]
    pub send: Vec<S>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSftp {
    pub host: S,
    pub port: Option<Spanned<u16>>,
    pub user: S,
    pub dir: S,
    pub key_file: Option<S>,
    pub password: Option<S>,
    pub known_hosts: S,
    pub timeout_secs: Option<Spanned<u64>>,
}
