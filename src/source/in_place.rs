//! A CSV file's rows parsed in place: each row's fields, unescaped, are written to the front
//! of the very buffer the file was read into, which then becomes the dataset's text. A
//! national export is a gigabyte; a second buffer for its fields would be another gigabyte
//! of memory touched for the first time, which on a virtual machine costs about 2.5 ms per
//! MiB (docs/performance.md).
//!
//! This is safe because a row's fields are never longer than the row: the write position
//! never passes the read position. The raw bytes being parsed are first copied into a small
//! window, so the rows ahead are read before anything is written over them.

use std::ops::Range;

/// Bytes copied into the window at a time.
const WINDOW: usize = 1 << 20;

/// The rows of one file, parsed one by one.
pub struct RowParser {
    core: csv_core::Reader,
    /// The file's text. `buf[..write]` holds the fields of the rows kept so far.
    buf: Vec<u8>,
    write: usize,
    /// `buf[..read]` has been copied into the window.
    read: usize,
    /// The raw bytes from the start of the current row up to `read`.
    window: Vec<u8>,
    /// How many bytes are copied into the window at a time.
    step: usize,
    /// Where parsing has reached in the window.
    pos: usize,
    /// Field ends of the current row, from its first field's start.
    ends: Vec<usize>,
    /// Line breaks before the current row.
    newlines: u64,
}

/// One parsed row; its fields start at `out` in the text.
pub struct Row {
    /// The 1-based line the row starts on.
    pub line: u64,
    /// How many fields it has.
    pub fields: usize,
    out: usize,
    /// The row's raw bytes in the window, from its first field (line breaks before it are
    /// left out).
    raw: Range<usize>,
}

impl RowParser {
    /// Parses `buf` from byte `start`, after `newlines` line breaks.
    pub fn new(buf: Vec<u8>, start: usize, newlines: u64, delimiter: u8) -> Self {
        let core = csv_core::ReaderBuilder::new().delimiter(delimiter).build();
        RowParser {
            core,
            write: 0,
            read: start.min(buf.len()),
            buf,
            window: Vec::with_capacity(WINDOW),
            step: WINDOW,
            pos: 0,
            ends: vec![0; 64],
            newlines,
        }
    }

    /// The length of the file's text.
    pub fn text_len(&self) -> usize {
        self.buf.len()
    }

    /// How far into the text the parse is.
    pub fn position(&self) -> usize {
        self.read - (self.window.len() - self.pos)
    }

    /// The next row, or `None` at the end of the file.
    pub fn next_row(&mut self) -> Option<Row> {
        use csv_core::ReadRecordResult::{End, InputEmpty, OutputEndsFull, OutputFull, Record};
        let out = self.write;
        let mut start = self.pos;
        let mut fields = 0;
        loop {
            if self.pos == self.window.len() && self.read < self.buf.len() {
                start = self.refill(start);
            }
            // The output may reach `read`: everything before it has been copied into the
            // window, and a row's fields are never longer than its raw bytes.
            let (result, nin, nout, nend) = self.core.read_record(
                &self.window[self.pos..],
                &mut self.buf[self.write..self.read],
                &mut self.ends[fields..],
            );
            self.pos += nin;
            self.write += nout;
            fields += nend;
            match result {
                InputEmpty => {}
                OutputEndsFull => self.ends.resize(self.ends.len() * 2, 0),
                // Not reachable (see above); ending the file here rather than looping is
                // the safe way out, and the caller checks that the whole file was read.
                OutputFull | End => return None,
                Record => return Some(self.row(out, fields, start)),
            }
        }
    }

    /// Keeps only the current row's raw bytes in the window, then copies the next part of
    /// the file after them. Returns where the row now starts in the window.
    fn refill(&mut self, start: usize) -> usize {
        self.window.drain(..start);
        self.pos -= start;
        let end = (self.read + self.step).min(self.buf.len());
        self.window.extend_from_slice(&self.buf[self.read..end]);
        self.read = end;
        0
    }

    fn row(&mut self, out: usize, fields: usize, start: usize) -> Row {
        let raw = &self.window[start..self.pos];
        let lead = raw
            .iter()
            .position(|b| *b != b'\n' && *b != b'\r')
            .unwrap_or(raw.len());
        let line = self.newlines + memchr::memchr_iter(b'\n', &raw[..lead]).count() as u64 + 1;
        self.newlines += memchr::memchr_iter(b'\n', raw).count() as u64;
        Row {
            line,
            out,
            fields,
            raw: start + lead..self.pos,
        }
    }

    /// Whether the whole file has been parsed (`next_row` also ends early on a parser
    /// fault that cannot happen).
    pub fn at_end(&self) -> bool {
        self.read == self.buf.len() && self.pos == self.window.len()
    }

    /// The text of field `i` of `row` (the current row), as bytes.
    pub fn field(&self, row: &Row, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.buf[row.out + start..row.out + self.ends[i]]
    }

    /// The lengths of the current row's fields.
    pub fn field_lengths<'a>(&'a self, row: &'a Row) -> impl Iterator<Item = usize> + 'a {
        (0..row.fields).map(move |i| self.field(row, i).len())
    }

    /// The fields' text of the current row (without delimiters).
    pub fn row_len(&self, row: &Row) -> usize {
        self.write - row.out
    }

    /// The row's first line as it stands in the file, without its line break (for a
    /// diagnostic).
    pub fn raw_line(&self, row: &Row) -> String {
        let raw = &self.window[row.raw.clone()];
        let end = memchr::memchr(b'\n', raw).unwrap_or(raw.len());
        let line = raw[..end].strip_suffix(b"\r").unwrap_or(&raw[..end]);
        String::from_utf8_lossy(line).into_owned()
    }

    /// Keeps `row`: the ends of its fields in the text, appended to `ends`.
    pub fn keep(&self, row: &Row, ends: &mut Vec<u32>) {
        ends.extend(self.ends[..row.fields].iter().map(|e| (row.out + e) as u32));
    }

    /// Drops `row` (the current row): its fields are written over by the next.
    pub fn drop_row(&mut self, row: &Row) {
        self.write = row.out;
    }

    /// The kept rows' text.
    pub fn finish(mut self) -> Vec<u8> {
        self.buf.truncate(self.write);
        self.buf
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A row as written: its fields, how many blank lines come before it.
    #[derive(Debug, Clone)]
    struct Written {
        fields: Vec<String>,
        blanks: usize,
    }

    fn written() -> impl Strategy<Value = Written> {
        let field = proptest::string::string_regex("[ab;\"\nå]{0,6}").unwrap();
        (proptest::collection::vec(field, 1..4), 0..3usize)
            .prop_map(|(fields, blanks)| Written { fields, blanks })
    }

    /// The file for `rows` after a header line, and the line each row starts on.
    fn file(rows: &[Written], crlf: bool) -> (String, Vec<u64>) {
        let end = if crlf { "\r\n" } else { "\n" };
        let mut text = format!("h{end}");
        let mut line = 2;
        let mut lines = Vec::new();
        for row in rows {
            text.push_str(&end.repeat(row.blanks));
            line += row.blanks as u64;
            lines.push(line);
            let quoted: Vec<String> = row.fields.iter().map(|f| quote(f)).collect();
            text.push_str(&quoted.join(";"));
            text.push_str(end);
            line += 1 + row
                .fields
                .iter()
                .map(|f| f.matches('\n').count() as u64)
                .sum::<u64>();
        }
        (text, lines)
    }

    /// A field as a register writes it: quoted (quotes doubled) when it must be, and
    /// always when empty, so that no row is a blank line.
    fn quote(field: &str) -> String {
        if field.is_empty() || field.contains([';', '"', '\n']) {
            format!("\"{}\"", field.replace('"', "\"\""))
        } else {
            field.to_string()
        }
    }

    /// Every row's fields, line, and first line as in the file, parsed with a small window.
    fn parse(text: &str, step: usize) -> (Vec<(Vec<String>, u64, String)>, bool) {
        let start = text.find('\n').map_or(0, |i| i + 1);
        let mut parser = RowParser::new(text.as_bytes().to_vec(), start, 1, b';');
        parser.step = step;
        parser.ends = vec![0; 1]; // so that rows of several fields make it grow
        let mut rows = Vec::new();
        while let Some(row) = parser.next_row() {
            let fields = (0..row.fields)
                .map(|i| String::from_utf8_lossy(parser.field(&row, i)).into_owned())
                .collect();
            rows.push((fields, row.line, parser.raw_line(&row)));
        }
        (rows, parser.at_end())
    }

    proptest! {
        /// Parsed in place, whatever the window, the rows are what was written, on the
        /// lines they were written on; a row's first line is quoted as it stands.
        #[test]
        fn rows_read_back_as_written(
            rows in proptest::collection::vec(written(), 0..12),
            crlf in any::<bool>(),
            step in 1..40usize,
        ) {
            let (text, lines) = file(&rows, crlf);
            let (parsed, at_end) = parse(&text, step);
            prop_assert!(at_end);
            prop_assert_eq!(parsed.len(), rows.len());
            let file_lines: Vec<&str> = text.split_inclusive('\n').collect();
            for ((fields, line, raw), (row, want)) in parsed.iter().zip(rows.iter().zip(&lines)) {
                prop_assert_eq!(fields, &row.fields);
                prop_assert_eq!(line, want);
                let as_written = file_lines[*want as usize - 1].trim_end_matches(['\r', '\n']);
                prop_assert_eq!(raw.as_str(), as_written);
            }
        }

        /// Kept rows' fields lie one after another at the front of the text, and a dropped
        /// row leaves nothing behind.
        #[test]
        fn kept_rows_are_packed_and_dropped_rows_leave_nothing(
            rows in proptest::collection::vec(written(), 0..12),
            keep in proptest::collection::vec(any::<bool>(), 12),
            step in 1..40usize,
        ) {
            let (text, _) = file(&rows, false);
            let start = text.find('\n').map_or(0, |i| i + 1);
            let mut parser = RowParser::new(text.into_bytes(), start, 1, b';');
            parser.step = step;
            let mut ends = Vec::new();
            let mut want = String::new();
            let mut i = 0;
            while let Some(row) = parser.next_row() {
                if keep[i] {
                    parser.keep(&row, &mut ends);
                    want.extend(rows[i].fields.iter().map(String::as_str));
                } else {
                    parser.drop_row(&row);
                }
                i += 1;
            }
            let packed = parser.finish();
            prop_assert_eq!(String::from_utf8_lossy(&packed), want.as_str());
            prop_assert_eq!(ends.last().map_or(0, |e| *e as usize), packed.len());
        }
    }
}
