//! Parsing the pipeline YAML with serde-saphyr, keeping spans.

use crate::diagnostic::{Code, Diag, FileId, Span};
use serde_saphyr::{Location, Spanned};

/// Parses a YAML file of roster-etl's (a pipeline, a mapping test file) into its raw,
/// spanned form; a mistake is reported at its place.
pub fn parse<T: serde::de::DeserializeOwned>(text: &str, file: FileId) -> Result<T, Diag> {
    serde_saphyr::from_str::<T>(text).map_err(|e| {
        let message = plain(&strip_position(&e.without_snippet().to_string()));
        let code = if message.contains("unknown field")
            || message.contains("missing field")
            || message.contains("invalid type")
            || message.contains("expected")
        {
            Code::YamlSchema
        } else {
            Code::YamlSyntax
        };
        let mut diag = Diag::error(code, message.clone())
            .help(unknown_field_hint(&message).unwrap_or_else(|| hint(&message).to_string()));
        if let Some(loc) = e.location() {
            diag = diag.label(location_span(&loc, file), "here");
        }
        diag
    })
}

/// "unknown field `datasetz`, expected one of type, datasets" -> "did you mean `datasets`?"
fn unknown_field_hint(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    let (field, rest) = rest.split_once('`')?;
    let expected = rest
        .split_once("expected ")?
        .1
        .trim_start_matches("one of ");
    let names: Vec<&str> = expected
        .split(',')
        .map(|n| n.trim().trim_matches('`'))
        .collect();
    let c = crate::diagnostic::suggest::closest(field, names.iter().copied())?;
    Some(format!(
        "did you mean `{c}`? docs/pipeline-reference.md lists every key"
    ))
}

fn hint(message: &str) -> &'static str {
    if message.contains("unknown field") {
        "check the spelling; docs/pipeline-reference.md lists every key"
    } else if message.contains("missing field") {
        "add the missing key; docs/pipeline-reference.md shows a complete pipeline"
    } else if message.contains("duplicate") {
        "a key may appear once in a mapping; remove or rename one"
    } else {
        "check the indentation and quoting around this place"
    }
}

/// The parser's words for a few mistakes, in the user's terms (no Rust type names, no
/// parser options).
fn plain(message: &str) -> String {
    if let Some(rest) = message.strip_prefix("duplicate mapping key: ") {
        let key = rest
            .split(", set DuplicateKeyPolicy")
            .next()
            .unwrap_or(rest);
        return format!("duplicate key `{}`", key.trim());
    }
    let kind = message.trim().strip_prefix("invalid ").unwrap_or("");
    match kind {
        "u8" | "u16" | "u32" | "u64" | "usize" => "expected a whole number, 0 or more".into(),
        "i8" | "i16" | "i32" | "i64" | "isize" => "expected a whole number".into(),
        "f32" | "f64" => "expected a number".into(),
        "bool" => "expected true or false".into(),
        _ => message.to_string(),
    }
}

/// serde-saphyr appends " at line L, column C"; our report shows the place itself.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) if message[i..].contains(", column ") => message[..i].to_string(),
        _ => message.to_string(),
    }
}

pub fn location_span(loc: &Location, file: FileId) -> Span {
    let span = loc.span();
    let start = span.byte_offset().unwrap_or(0) as usize;
    let len = span.byte_len().unwrap_or(0).max(1) as usize;
    Span::new(file, start, start + len)
}

pub fn span_of<T>(spanned: &Spanned<T>, file: FileId) -> Span {
    location_span(&spanned.referenced, file)
}
