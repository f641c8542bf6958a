//! Every file a run has read, so diagnostics can quote it with line and column.

use super::span::{FileId, Span};
use std::sync::Arc;

#[derive(Clone, Debug)]
pub struct SourceFile {
    /// The path as the user should see it (relative to the working directory when possible).
    pub name: String,
    pub text: Arc<String>,
}

#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        let id = FileId(self.files.len() as u32);
        self.files.push(SourceFile {
            name: name.into(),
            text: Arc::new(text.into()),
        });
        id
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn text(&self, id: FileId) -> &str {
        &self.get(id).text
    }

    pub fn name(&self, id: FileId) -> &str {
        &self.get(id).name
    }

    /// Blanks out a span (a secret written into a file) so that no diagnostic quotes it.
    /// Every byte becomes `*`, so offsets, lines and columns of other spans stay right.
    pub fn redact(&mut self, span: Span) {
        let Some(file) = self.files.get_mut(span.file.0 as usize) else {
            return;
        };
        let text = Arc::make_mut(&mut file.text);
        let end = floor_char_boundary(text, span.end.min(text.len()));
        let start = floor_char_boundary(text, span.start.min(end));
        let stars = "*".repeat(end - start);
        text.replace_range(start..end, &stars);
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, id: FileId, offset: usize) -> (usize, usize) {
        let text = self.text(id);
        let offset = offset.min(text.len());
        let before = &text[..floor_char_boundary(text, offset)];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = before[line_start..].chars().count() + 1;
        (line, col)
    }

    /// `file:line:column` of a span's start.
    pub fn position(&self, span: Span) -> String {
        let (line, col) = self.line_col(span.file, span.start);
        format!("{}:{}:{}", self.name(span.file), line, col)
    }

    /// The text a span covers.
    pub fn slice(&self, span: Span) -> &str {
        let text = self.text(span.file);
        let start = floor_char_boundary(text, span.start);
        let end = floor_char_boundary(text, span.end);
        &text[start..end]
    }

    /// Byte offset of a 1-based line and column (characters), clamped to the file.
    pub fn offset_of(&self, id: FileId, line: usize, col: usize) -> usize {
        let text = self.text(id);
        let mut offset = 0;
        for (i, l) in text.split_inclusive('\n').enumerate() {
            if i + 1 == line {
                let in_line: usize = l
                    .chars()
                    .take(col.saturating_sub(1))
                    .map(char::len_utf8)
                    .sum();
                return offset + in_line;
            }
            offset += l.len();
        }
        text.len()
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}
