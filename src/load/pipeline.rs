//! The validated pipeline: every later stage works on this, never on raw YAML.

use super::window::YearlyWindow;
use crate::diagnostic::{FileId, Node, Span};
use crate::diff::Policies;
use crate::safety::Limits;
use crate::source::ldap::{LdapOptions, LdapQuery};
use crate::source::ss12000::{Resource, Ss12000Options};
use crate::source::{CsvOptions, CsvSource, ProtectedRule};
use std::collections::HashMap;
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tier {
    /// One source system.
    Bronze,
    /// Several source systems.
    Silver,
}

impl Tier {
    pub fn max_systems(self) -> Option<usize> {
        match self {
            Tier::Bronze => Some(1),
            Tier::Silver => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Tier::Bronze => "bronze",
            Tier::Silver => "silver",
        }
    }
}

#[derive(Debug)]
pub struct Pipeline {
    pub file: FileId,
    /// The pipeline file's folder: relative paths start here.
    pub dir: PathBuf,
    pub path: PathBuf,
    pub name: String,
    pub tier: Node<Tier>,
    pub state_path: PathBuf,
    pub systems: Vec<SourceSystem>,
    pub lookups: Vec<Lookup>,
    pub mappings: Vec<Node<PathBuf>>,
    pub targets: Vec<TargetDecl>,
    pub school_year: SchoolYear,
    /// Days ahead `active()` counts a start as begun when a call gives no `ahead:`.
    pub read_ahead: u32,
    /// How long all script calls of one run may take together.
    pub script_time: std::time::Duration,
    /// Per entity, the index of the field that identifies a record across key changes.
    pub identity: Identity,
    /// Who is told how each `etl apply` ended.
    pub report: ReportSettings,
}

/// What the pipeline's `report:` asks for.
#[derive(Debug, Default)]
pub struct ReportSettings {
    /// The status report by mail (`report.mail`).
    pub mail: Option<crate::report::MailOptions>,
}

pub type Identity = std::collections::BTreeMap<crate::model::EntityKind, usize>;

/// When a run is a school-year rollover or lets only additions through (besides the flags).
#[derive(Debug, Default, Clone)]
pub struct SchoolYear {
    pub rollover: Option<YearlyWindow>,
    pub additions_only: Option<YearlyWindow>,
}

/// One source system (a register, an AD); several datasets of it count once for the tier.
#[derive(Debug)]
pub struct SourceSystem {
    pub name: Node<String>,
    /// The server the source reads from (`None` for CSV files).
    pub server: Option<SourceServer>,
    pub datasets: Vec<DatasetDecl>,
}

/// The server of a source that is not files.
#[derive(Debug)]
pub enum SourceServer {
    Ss12000(Ss12000Options),
    Ldap(LdapOptions),
}

impl SourceServer {
    pub fn ss12000(&self) -> Option<&Ss12000Options> {
        match self {
            SourceServer::Ss12000(o) => Some(o),
            SourceServer::Ldap(_) => None,
        }
    }

    pub fn ldap(&self) -> Option<&LdapOptions> {
        match self {
            SourceServer::Ldap(o) => Some(o),
            SourceServer::Ss12000(_) => None,
        }
    }
}

#[derive(Debug)]
pub struct DatasetDecl {
    pub system: String,
    pub name: Node<String>,
    /// The file, or the API endpoint, as users should see it.
    pub display: String,
    /// The dataset's `path:` (or `resource:`, or its name) in the pipeline.
    pub path_span: Span,
    pub columns: Option<Vec<Node<String>>>,
    /// Zero rows is a normal state for this dataset (otherwise it stops the run).
    pub may_be_empty: bool,
    pub origin: Origin,
}

/// Where a dataset's rows come from.
#[derive(Debug)]
pub enum Origin {
    Csv {
        path: PathBuf,
        options: CsvOptions,
        protected: Option<ProtectedRule>,
    },
    /// One typed dataset of the source system's SS12000 server.
    Ss12000(Resource),
    /// One search of the source system's directory.
    Ldap(LdapQuery),
}

impl DatasetDecl {
    /// `system.dataset`, as mappings name it.
    pub fn qualified(&self) -> String {
        format!("{}.{}", self.system, self.name.node)
    }

    /// The rule that drops protected persons' rows as they are read, if any.
    pub fn protected_rule(&self) -> Option<&ProtectedRule> {
        match &self.origin {
            Origin::Csv { protected, .. } => protected.as_ref(),
            Origin::Ldap(query) => query.protected.as_ref(),
            Origin::Ss12000(_) => None,
        }
    }

    /// What the CSV reader needs to read this dataset (`None` when it is read from an API).
    pub fn csv_source(&self) -> Option<CsvSource<'_>> {
        match &self.origin {
            Origin::Csv {
                path,
                options,
                protected,
            } => Some(CsvSource {
                path,
                display: &self.display,
                decl_span: self.path_span,
                options,
                protected: protected.as_ref(),
            }),
            Origin::Ss12000(_) | Origin::Ldap(_) => None,
        }
    }

    /// The SS12000 dataset this is, if it is one.
    pub fn resource(&self) -> Option<Resource> {
        match self.origin {
            Origin::Ss12000(r) => Some(r),
            Origin::Csv { .. } | Origin::Ldap(_) => None,
        }
    }

    /// The directory search this is, if it is one.
    pub fn ldap_query(&self) -> Option<&LdapQuery> {
        match &self.origin {
            Origin::Ldap(q) => Some(q),
            Origin::Csv { .. } | Origin::Ss12000(_) => None,
        }
    }
}

#[derive(Debug)]
pub struct Lookup {
    pub name: Node<String>,
    pub table: HashMap<String, String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TargetKind {
    OneRoster11,
    OneRoster12,
    Sds21,
    PifuIms,
    Scim20,
}

impl TargetKind {
    pub const NAMES: &'static [&'static str] = &[
        "oneroster-1.1",
        "oneroster-1.2",
        "sds-2.1",
        "pifu-ims",
        "scim-2.0",
    ];
    const ALL: &'static [TargetKind] = &[
        TargetKind::OneRoster11,
        TargetKind::OneRoster12,
        TargetKind::Sds21,
        TargetKind::PifuIms,
        TargetKind::Scim20,
    ];

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.name() == text)
    }

    pub fn name(self) -> &'static str {
        match self {
            TargetKind::OneRoster11 => "oneroster-1.1",
            TargetKind::OneRoster12 => "oneroster-1.2",
            TargetKind::Sds21 => "sds-2.1",
            TargetKind::PifuIms => "pifu-ims",
            TargetKind::Scim20 => "scim-2.0",
        }
    }

    /// The target lives on a server and is changed object by object (no files).
    pub fn is_server(self) -> bool {
        self == TargetKind::Scim20
    }
}

#[derive(Debug)]
pub struct TargetDecl {
    pub name: Node<String>,
    pub kind: Node<TargetKind>,
    pub path: PathBuf,
    pub display: String,
    pub policies: Policies,
    pub limits: Limits,
    pub rollover_limits: Limits,
    /// Format settings and delivery, carried into the plan.
    pub options: crate::target::TargetOptions,
}

impl Pipeline {
    pub fn datasets(&self) -> impl Iterator<Item = &DatasetDecl> {
        self.systems.iter().flat_map(|s| s.datasets.iter())
    }

    pub fn dataset(&self, qualified: &str) -> Option<&DatasetDecl> {
        self.datasets().find(|d| d.qualified() == qualified)
    }
}
