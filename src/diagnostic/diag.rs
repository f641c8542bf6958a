//! One diagnostic: a code, a message, labelled spans in the user's files and a hint.

use super::code::Code;
use super::span::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Clone, Debug)]
pub struct Label {
    pub span: Span,
    pub text: String,
}

#[derive(Clone, Debug)]
pub struct Diag {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    /// The first label is the primary one.
    pub labels: Vec<Label>,
    pub help: Option<String>,
    /// A place that is not in a file we hold (for example a CSV line in a huge file).
    pub location: Option<String>,
    /// Targets this run had already written and recorded when the error stopped it
    /// (boxed: most errors have none, and a `Diag` travels in every `Result`).
    pub applied: Option<Box<Vec<String>>>,
}

impl Diag {
    pub fn error(code: Code, message: impl Into<String>) -> Self {
        Diag {
            code,
            severity: Severity::Error,
            message: message.into(),
            labels: Vec::new(),
            help: None,
            location: None,
            applied: None,
        }
    }

    pub fn warning(code: Code, message: impl Into<String>) -> Self {
        Diag {
            severity: Severity::Warning,
            ..Diag::error(code, message)
        }
    }

    pub fn label(mut self, span: Span, text: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            text: text.into(),
        });
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn at(mut self, location: impl Into<String>) -> Self {
        self.location = Some(location.into());
        self
    }

    /// Says which targets were written and recorded before this error stopped the run.
    pub fn after_applying(mut self, targets: Vec<String>) -> Self {
        self.applied = (!targets.is_empty()).then(|| Box::new(targets));
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// All diagnostics of a run, collected so they come out together.
#[derive(Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diag>,
}

impl Diagnostics {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, diag: Diag) {
        self.items.push(diag);
    }

    pub fn extend(&mut self, diags: impl IntoIterator<Item = Diag>) {
        self.items.extend(diags);
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diag::is_error)
    }

    pub fn error_count(&self) -> usize {
        self.items.iter().filter(|d| d.is_error()).count()
    }

    pub fn items(&self) -> &[Diag] {
        &self.items
    }

    pub fn take(&mut self) -> Vec<Diag> {
        std::mem::take(&mut self.items)
    }
}

impl From<Diag> for Diagnostics {
    fn from(diag: Diag) -> Self {
        Diagnostics { items: vec![diag] }
    }
}
