//! Turns [`Diag`]s into miette reports that quote the user's own file.

use super::diag::{Diag, Severity};
use super::source_map::SourceMap;
use super::span::FileId;
use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan,
};
use std::fmt;

/// A diagnostic bound to the text of its file, ready for miette.
#[derive(Debug)]
struct Rendered {
    /// `None` for a note that only shows a related place.
    code: Option<&'static str>,
    severity: miette::Severity,
    message: String,
    source: Option<NamedSource<String>>,
    labels: Vec<LabeledSpan>,
    help: Option<String>,
    related: Vec<Rendered>,
}

impl fmt::Display for Rendered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Rendered {}

impl Diagnostic for Rendered {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.code
            .map(|c| Box::new(format!("etl::{c}")) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.related.is_empty() {
            None
        } else {
            Some(Box::new(self.related.iter().map(|r| r as &dyn Diagnostic)))
        }
    }
}

fn bind(diag: &Diag, sources: &SourceMap) -> Rendered {
    let primary_file = diag.labels.first().map(|l| l.span.file);
    let mut labels = Vec::new();
    let mut related = Vec::new();
    for (i, label) in diag.labels.iter().enumerate() {
        let span = SourceSpan::from((label.span.start, label.span.len()));
        let text = (!label.text.is_empty()).then(|| label.text.clone());
        if Some(label.span.file) == primary_file {
            labels.push(if i == 0 {
                LabeledSpan::new_primary_with_span(text, span)
            } else {
                LabeledSpan::new_with_span(text, span)
            });
        } else {
            related.push(note_in_other_file(label.span.file, span, text, sources));
        }
    }
    let mut message = diag.message.clone();
    if let Some(location) = &diag.location {
        message = format!("{location}: {message}");
    }
    Rendered {
        code: Some(diag.code.as_str()),
        severity: match diag.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        },
        message,
        source: primary_file.map(|f| named(f, sources)),
        labels,
        help: diag.help.clone(),
        related,
    }
}

fn note_in_other_file(
    file: FileId,
    span: SourceSpan,
    text: Option<String>,
    sources: &SourceMap,
) -> Rendered {
    Rendered {
        code: None,
        severity: miette::Severity::Advice,
        message: format!(
            "note: {}",
            text.clone().unwrap_or_else(|| "related place".to_string())
        ),
        source: Some(named(file, sources)),
        labels: vec![LabeledSpan::new_primary_with_span(text, span)],
        help: None,
        related: Vec::new(),
    }
}

fn named(file: FileId, sources: &SourceMap) -> NamedSource<String> {
    NamedSource::new(sources.name(file), sources.text(file).to_string()).with_language("text")
}

/// Renders one diagnostic as text. `color` picks the themed or the plain output.
pub fn render(diag: &Diag, sources: &SourceMap, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false);
    let mut out = String::new();
    let rendered = bind(diag, sources);
    if handler.render_report(&mut out, &rendered).is_err() {
        out = format!("error[{}]: {}\n", diag.code.as_str(), diag.message);
    }
    out
}

/// Renders all diagnostics and a closing count line.
pub fn render_all(diags: &[Diag], sources: &SourceMap, color: bool) -> String {
    let mut out = String::new();
    for diag in diags {
        out.push_str(&render(diag, sources, color));
        out.push('\n');
    }
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    let applied: Vec<&str> = diags
        .iter()
        .flat_map(|d| d.applied.iter().flat_map(|a| a.iter().map(String::as_str)))
        .collect();
    let partly = diags.iter().any(|d| d.code == super::Code::PartlyApplied);
    if partly {
        out.push_str(&format!(
            "{} error{} found; every change a server accepted was recorded, the rest is planned again.\n",
            errors,
            if errors == 1 { "" } else { "s" },
        ));
    } else if errors > 0 && !applied.is_empty() {
        out.push_str(&format!(
            "{} error{} found; target(s) {} were written and recorded before it, the others were not.\n",
            errors,
            if errors == 1 { "" } else { "s" },
            applied.join(", ")
        ));
    } else if errors > 0 {
        out.push_str(&format!(
            "{} error{}{} found; nothing was written.\n",
            errors,
            if errors == 1 { "" } else { "s" },
            if warnings > 0 {
                format!(" and {warnings} warning(s)")
            } else {
                String::new()
            }
        ));
    }
    out
}
