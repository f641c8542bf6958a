//! Reads a CSV dataset: decodes it, checks the header, and stores every row.
//! Every problem becomes a diagnostic with the file and line; nothing is dropped silently.

use super::csv_options::{CsvOptions, detect_delimiter};
use super::dataset::Dataset;
use super::encoding::{DecodeError, Encoding, decode};
use super::in_place::{Row, RowParser};
use super::protected::ProtectedRule;
use crate::diagnostic::{Code, Diag, SourceMap, Span};
use crate::report::{Unit, Watch};
use std::borrow::Cow;
use std::path::Path;

/// What the caller knows about the dataset, for messages.
pub struct CsvSource<'a> {
    pub path: &'a Path,
    /// The file as users should see it.
    pub display: &'a str,
    /// The dataset's `path:` in the pipeline YAML.
    pub decl_span: Span,
    pub options: &'a CsvOptions,
    /// Rows of protected persons to drop as they are read.
    pub protected: Option<&'a ProtectedRule>,
}

/// The longest value a register field holds: anything longer is a broken export (an
/// unbalanced quote that swallowed the rest of the file, or a binary blob).
pub const MAX_FIELD_BYTES: usize = 64 * 1024;

/// Rows between two reports of how far the read is.
const ROWS_PER_REPORT: usize = 8192;

/// Reads the whole file into a [`Dataset`], telling `watch` how many of the file's bytes
/// are read.
pub fn read_dataset(
    src: &CsvSource,
    sources: &mut SourceMap,
    watch: &Watch,
) -> Result<(Dataset, Encoding), Diag> {
    let size = std::fs::metadata(src.path)
        .map_err(|e| unreadable(src, &e))?
        .len();
    if size > u64::from(u32::MAX) {
        // Refused before it is read: a wrong path to a disk image or a database dump would
        // otherwise be read whole into memory first.
        return Err(too_large(src));
    }
    let bytes = std::fs::read(src.path).map_err(|e| unreadable(src, &e))?;
    dataset_from_bytes(bytes, src, sources, watch)
}

/// A dataset is at most 4 GiB of text (its fields are addressed by 32-bit offsets).
fn too_large(src: &CsvSource) -> Diag {
    Diag::error(
        Code::MalformedRow,
        format!("{} is larger than 4 GiB of text", src.display),
    )
    .label(src.decl_span, "this dataset")
    .help("split the export into several datasets")
}

/// [`read_dataset`] of a file's bytes. The rows are parsed in place (see
/// [`super::in_place`]): the dataset's text is the file's own buffer.
pub fn dataset_from_bytes(
    bytes: Vec<u8>,
    src: &CsvSource,
    sources: &mut SourceMap,
    watch: &Watch,
) -> Result<(Dataset, Encoding), Diag> {
    let file_len = bytes.len() as u64;
    let (text, encoding) = decode_or_diag(&bytes, src)?;
    let delimiter = delimiter_for(&text, src.options);
    let mut reader = reader_for(&text, delimiter);
    let columns = read_header(&mut reader, &text, src, sources)?;
    let guard = protected_column(src, &columns)?;
    let header_end = reader.position().byte() as usize;
    let newlines = memchr::memchr_iter(b'\n', &text.as_bytes()[..header_end]).count();
    let rows = memchr::memchr_iter(b'\n', text.as_bytes()).count() + 1 - newlines;
    let (buf, skip) = match text {
        // The text is the file's bytes after a byte order mark.
        Cow::Borrowed(t) => {
            let skip = bytes.len() - t.len();
            (bytes, skip)
        }
        Cow::Owned(t) => (t.into_bytes(), 0),
    };
    if buf.len() > u32::MAX as usize {
        return Err(too_large(src)); // Windows-1252 letters take two bytes in UTF-8
    }
    let mut parser = RowParser::new(buf, skip + header_end, newlines as u64, delimiter);
    let mut ends = Vec::with_capacity(rows.saturating_mul(columns.len()));
    let mut lines = Vec::with_capacity(rows);
    let mut seen: usize = 0;
    while let Some(row) = parser.next_row() {
        seen += 1;
        if seen.is_multiple_of(ROWS_PER_REPORT) {
            let at = file_bytes(parser.position(), parser.text_len(), file_len);
            watch.advance(at, Some(file_len), Unit::Bytes);
        }
        if row.fields == 1 && parser.field(&row, 0).is_empty() {
            parser.drop_row(&row); // a blank line
            continue;
        }
        if let Some(diag) = row_fault(&parser, &row, &columns) {
            return Err(with_row(
                diag,
                row.line,
                &parser.raw_line(&row),
                src,
                sources,
            ));
        }
        if let Some((col, rule)) = guard
            && rule.is_protected(std::str::from_utf8(parser.field(&row, col)).unwrap_or(""))
        {
            parser.drop_row(&row);
            continue;
        }
        parser.keep(&row, &mut ends);
        lines.push(row.line as u32);
    }
    if !parser.at_end() {
        // Not reachable: the parser stops early only if a row's fields outgrew the row.
        return Err(Diag::error(
            Code::MalformedRow,
            format!(
                "malformed CSV: {} could not be read to its end",
                src.display
            ),
        )
        .label(src.decl_span, "this dataset")
        .help("this is a fault in roster-etl, not in the file: please report it with the file's header and the row count"));
    }
    let text = String::from_utf8(parser.finish()).map_err(|_| not_text(src))?;
    watch.advance(file_len, Some(file_len), Unit::Bytes);
    let dataset = Dataset::from_parts(src.display.to_string(), columns, text, ends, lines);
    Ok((dataset, encoding))
}

/// What is wrong with a row, if anything: its number of fields, or an overlong field.
fn row_fault(parser: &RowParser, row: &Row, columns: &[String]) -> Option<Diag> {
    if row.fields != columns.len() {
        let diag = Diag::error(
            Code::MalformedRow,
            format!(
                "row has {} fields, the header has {}",
                row.fields,
                columns.len()
            ),
        )
        .help("check for a missing or extra delimiter, or an unquoted delimiter inside a value");
        return Some(diag);
    }
    if parser.row_len(row) > MAX_FIELD_BYTES {
        return overlong_field(parser.field_lengths(row), columns);
    }
    None
}

/// A parse that could not place its fields as text (a delimiter that is not ASCII can split
/// a letter).
fn not_text(src: &CsvSource) -> Diag {
    Diag::error(
        Code::MalformedRow,
        format!(
            "malformed CSV: a field of {} is not valid text",
            src.display
        ),
    )
    .label(src.decl_span, "this dataset")
    .help("use a delimiter that is one ASCII character, such as `;` or `,`")
}

/// The column that marks protected persons, which the file must have.
fn protected_column<'r>(
    src: &CsvSource<'r>,
    columns: &[String],
) -> Result<Option<(usize, &'r ProtectedRule)>, Diag> {
    let Some(rule) = src.protected else {
        return Ok(None);
    };
    match columns.iter().position(|c| *c == rule.column) {
        Some(i) => Ok(Some((i, rule))),
        None => Err(Diag::error(
            Code::MissingColumn,
            format!(
                "{} has no column `{}` to mark protected persons",
                src.display, rule.column
            ),
        )
        .label(rule.span, "not in the file")
        .help(format!(
            "without it protected persons could not be dropped, so nothing is read; {}",
            crate::diagnostic::suggest::did_you_mean(
                &rule.column,
                columns.iter().map(String::as_str)
            )
        ))),
    }
}

/// Reads only the header (for checking mappings without reading all the data).
pub fn read_columns(src: &CsvSource, sources: &mut SourceMap) -> Result<Vec<String>, Diag> {
    let (text, _) = read_text_head(src)?;
    let mut reader = reader_for(&text, delimiter_for(&text, src.options));
    let columns = read_header(&mut reader, &text, src, sources)?;
    protected_column(src, &columns)?;
    Ok(columns)
}

/// The declared delimiter, or the one the header row uses.
fn delimiter_for(text: &str, options: &CsvOptions) -> u8 {
    let first_line = text.lines().next().unwrap_or("");
    options
        .delimiter
        .unwrap_or_else(|| detect_delimiter(first_line))
}

fn reader_for(text: &str, delimiter: u8) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
}

fn read_header(
    reader: &mut csv::Reader<&[u8]>,
    text: &str,
    src: &CsvSource,
    sources: &mut SourceMap,
) -> Result<Vec<String>, Diag> {
    let mut header = csv::StringRecord::new();
    match reader.read_record(&mut header) {
        Ok(true) => {}
        Ok(false) => {
            return Err(Diag::error(
                Code::EmptySource,
                format!("{} is empty: it has no header row", src.display),
            )
            .label(src.decl_span, "this dataset")
            .help(
                "a register export always starts with a header row; check that the export finished",
            ));
        }
        Err(e) => return Err(csv_error(&e, text, src, sources)),
    }
    let columns: Vec<String> = header.iter().map(|c| c.trim().to_string()).collect();
    if columns.iter().all(String::is_empty) {
        let diag = Diag::error(
            Code::EmptySource,
            format!("the first line of {} is blank, not a header row", src.display),
        )
        .help("a register export starts with its header row naming the columns; remove the blank lines before it");
        return Err(with_line(diag, text, 1, src, sources));
    }
    for (i, name) in columns.iter().enumerate() {
        if name.is_empty()
            && let Some(first) = columns[..i].iter().position(String::is_empty)
        {
            let diag = Diag::error(
                Code::DuplicateHeader,
                format!("the header has columns without a name (fields {} and {})", first + 1, i + 1),
            )
            .help("is the header row missing? The first line must name the columns, as the register exports it");
            return Err(with_line(diag, text, 1, src, sources));
        }
        if let Some(first) = columns[..i].iter().position(|c| c == name) {
            let diag = Diag::error(
                Code::DuplicateHeader,
                format!("column `{name}` appears twice in the header (fields {} and {})", first + 1, i + 1),
            )
            .help("rename one of the columns in the export; roster-etl cannot tell which one is meant");
            return Err(with_line(diag, text, 1, src, sources));
        }
    }
    Ok(columns)
}

/// The error for a row with a field longer than [`MAX_FIELD_BYTES`], if it has one.
fn overlong_field(mut lengths: impl Iterator<Item = usize>, columns: &[String]) -> Option<Diag> {
    let (i, len) = lengths
        .by_ref()
        .enumerate()
        .find(|(_, len)| *len > MAX_FIELD_BYTES)?;
    let name = columns.get(i).map_or("?", String::as_str);
    Some(
        Diag::error(
            Code::MalformedRow,
            format!(
                "field {} (`{name}`) is {} KiB long; no register value is longer than {} KiB",
                i + 1,
                len / 1024,
                MAX_FIELD_BYTES / 1024
            ),
        )
        .help("look for a quote opened on this line and never closed, or a file that is not a register export"),
    )
}

/// How far into the file a place in its decoded text is: exact at the ends, in proportion
/// between them (a Windows-1252 `å` is one byte in the file and two in the text).
fn file_bytes(at: usize, text_len: usize, file_len: u64) -> u64 {
    let at = (at as u128 * file_len as u128) / (text_len.max(1) as u128);
    u64::try_from(at).unwrap_or(file_len).min(file_len)
}

/// The first line of the file, decoded.
fn read_text_head(src: &CsvSource) -> Result<(String, Encoding), Diag> {
    use std::io::Read;
    let file = std::fs::File::open(src.path).map_err(|e| unreadable(src, &e))?;
    let mut head = Vec::with_capacity(64 * 1024);
    file.take(1024 * 1024)
        .read_to_end(&mut head)
        .map_err(|e| unreadable(src, &e))?;
    if let Some(nl) = head.iter().position(|b| *b == b'\n') {
        head.truncate(nl + 1);
    }
    decode_or_diag(&head, src).map(|(text, encoding)| (text.into_owned(), encoding))
}

fn decode_or_diag<'b>(bytes: &'b [u8], src: &CsvSource) -> Result<(Cow<'b, str>, Encoding), Diag> {
    decode(bytes, src.options.encoding).map_err(|e| match e {
        DecodeError::InvalidUtf8 { line, column } => Diag::error(
            Code::Encoding,
            format!("{}:{line}:{column}: not valid UTF-8", src.display),
        )
        .label(src.decl_span, "this dataset is declared as UTF-8")
        .help("registers such as IST Extens often export Windows-1252: set `encoding: windows-1252` (or `auto`)"),
        DecodeError::Utf16 => Diag::error(Code::Encoding, format!("{} is UTF-16, which is not supported", src.display))
            .label(src.decl_span, "this dataset")
            .help("export the file as UTF-8 or Windows-1252"),
        DecodeError::Nul { line, column } => Diag::error(
            Code::Encoding,
            format!("{}:{line}:{column}: a NUL byte, which no text export holds", src.display),
        )
        .label(src.decl_span, "this dataset")
        .help("the file is binary, damaged, or UTF-16 saved without its byte order mark: export it again as UTF-8 or Windows-1252"),
        DecodeError::InnerBom { line, column } => Diag::error(
            Code::Encoding,
            format!("{}:{line}:{column}: a byte order mark in the middle of the file", src.display),
        )
        .label(src.decl_span, "this dataset")
        .help("two exports were joined into one file: use one export, or declare each as its own dataset"),
        DecodeError::Mixed { line, column } => Diag::error(
            Code::Encoding,
            format!("{}:{line}:{column}: the file mixes encodings: UTF-8 letters, and here a byte that is not UTF-8", src.display),
        )
        .label(src.decl_span, "this dataset (encoding: auto)")
        .help("parts of the file were saved in different encodings; export it again in one, or declare `encoding: windows-1252` if the UTF-8-looking letters are meant"),
    })
}

fn unreadable(src: &CsvSource, e: &std::io::Error) -> Diag {
    Diag::error(
        Code::FileUnreadable,
        format!("cannot read {}: {e}", src.display),
    )
    .label(src.decl_span, "this path")
    .help("paths are relative to the pipeline file's folder")
}

fn csv_error(e: &csv::Error, text: &str, src: &CsvSource, sources: &mut SourceMap) -> Diag {
    let line = e.position().map_or(1, |p| p.line() as usize);
    let diag = Diag::error(
        Code::MalformedRow,
        format!("malformed CSV: {}", e.kind_message()),
    )
    .help("look for an unbalanced quote on this line or the one before it");
    with_line(diag, text, line, src, sources)
}

/// [`with_row`] of the given line of the file's text.
fn with_line(
    diag: Diag,
    text: &str,
    line: usize,
    src: &CsvSource,
    sources: &mut SourceMap,
) -> Diag {
    let row = text
        .split_inclusive('\n')
        .nth(line.saturating_sub(1))
        .unwrap_or("");
    with_row(diag, line as u64, row, src, sources)
}

/// Adds `row`, the text of the CSV file's line `line`, to the source map (only that line,
/// personnummer blanked: see [`super::quotable`]) and labels it.
fn with_row(diag: Diag, line: u64, row: &str, src: &CsvSource, sources: &mut SourceMap) -> Diag {
    let line = usize::try_from(line).unwrap_or(usize::MAX);
    let file = sources.add(src.display, super::quotable::quotable(line, row));
    let text = sources.text(file);
    let start = sources.offset_of(file, line, 1);
    let end = text[start..]
        .find(['\n', '\r'])
        .map_or(text.len(), |i| start + i);
    diag.label(
        Span::new(file, start, end.max(start + 1).min(text.len().max(start))),
        format!("line {line}"),
    )
    .label(src.decl_span, "declared here")
}

trait KindMessage {
    fn kind_message(&self) -> String;
}

impl KindMessage for csv::Error {
    fn kind_message(&self) -> String {
        match self.kind() {
            csv::ErrorKind::Utf8 { .. } => "a field is not valid text".to_string(),
            csv::ErrorKind::UnequalLengths {
                expected_len, len, ..
            } => {
                format!("row has {len} fields, expected {expected_len}")
            }
            _ => self.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::FileId;
    use crate::source::encoding::EncodingChoice;
    use std::io::Write;

    /// A file over 4 GiB is refused from its size, without reading it (a sparse file here:
    /// it takes no room on the disk).
    #[test]
    fn a_file_over_4_gib_is_refused_before_it_is_read() {
        let file = tempfile::NamedTempFile::new().unwrap();
        file.as_file().set_len(u64::from(u32::MAX) + 1).unwrap();
        let err = read_file(file.path(), EncodingChoice::Utf8, &Watch::default()).unwrap_err();
        assert!(
            format!("{err:?}").contains("elever.csv is larger than 4 GiB of text"),
            "{err:?}"
        );
    }

    fn read(bytes: &[u8], encoding: EncodingChoice) -> Result<Dataset, Diag> {
        read_watched(bytes, encoding, &Watch::default())
    }

    fn read_watched(
        bytes: &[u8],
        encoding: EncodingChoice,
        watch: &Watch,
    ) -> Result<Dataset, Diag> {
        read_file(temp_file(bytes).path(), encoding, watch)
    }

    /// Reads `path` as the dataset `elever.csv` of a pipeline.
    fn read_file(path: &Path, encoding: EncodingChoice, watch: &Watch) -> Result<Dataset, Diag> {
        read_guarded(path, encoding, watch, None).0
    }

    /// [`read_file`], dropping the rows `protected` marks; with the source map.
    fn read_guarded(
        path: &Path,
        encoding: EncodingChoice,
        watch: &Watch,
        protected: Option<&ProtectedRule>,
    ) -> (Result<Dataset, Diag>, SourceMap) {
        let options = CsvOptions {
            encoding,
            delimiter: None,
        };
        let src = CsvSource {
            path,
            display: "elever.csv",
            decl_span: Span::new(FileId(0), 0, 1),
            options: &options,
            protected,
        };
        let mut sources = SourceMap::new();
        sources.add("pipeline.yaml", "x");
        let read = read_dataset(&src, &mut sources, watch).map(|(d, _)| d);
        (read, sources)
    }

    fn temp_file(bytes: &[u8]) -> tempfile::NamedTempFile {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(bytes).unwrap();
        file
    }

    /// The rows around a protected one, and after a byte order mark, blank lines and a
    /// quoted line break, keep their fields and lines (the fields are moved to the front
    /// of the file's own buffer).
    #[test]
    fn rows_keep_their_fields_and_lines_around_dropped_rows() {
        let file = temp_file(
            "\u{FEFF}Id;Namn;Skydd\r\n1;\"Åsa\r\nBerg\";N\r\n\r\n2;Eva;J\r\n3;\"\"\"Bo\"\"\";n\r\n"
                .as_bytes(),
        );
        let rule = ProtectedRule {
            column: "Skydd".into(),
            span: Span::new(FileId(0), 0, 1),
            values: vec!["J".into()],
        };
        let (d, _) = read_guarded(
            file.path(),
            EncodingChoice::Utf8,
            &Watch::default(),
            Some(&rule),
        );
        let d = d.unwrap();
        assert_eq!(d.columns, ["Id", "Namn", "Skydd"]);
        let rows: Vec<(Vec<&str>, u32)> = (0..d.len() as u32)
            .map(|r| ((0..3).map(|c| d.get(r, c)).collect(), d.line(r)))
            .collect();
        assert_eq!(
            rows,
            [
                (vec!["1", "Åsa\r\nBerg", "N"], 2),
                (vec!["3", "\"Bo\"", "n"], 6)
            ]
        );
    }

    /// A ragged row after a quoted line break and blank lines is found on its own line, and
    /// only that row is quoted.
    #[test]
    fn a_ragged_row_is_quoted_alone_on_its_line() {
        let file = temp_file(b"Id;Namn\n1;\"two\nlines\"\n\n\n2;x;y\n3;z\n");
        let (read, sources) =
            read_guarded(file.path(), EncodingChoice::Utf8, &Watch::default(), None);
        let err = read.unwrap_err();
        assert_eq!(err.labels[0].text, "line 6");
        let quoted = sources.text(err.labels[0].span.file);
        assert_eq!(quoted, "\n\n\n\n\n2;x;y");
    }

    #[test]
    fn a_read_tells_how_many_bytes_it_has_read_ending_at_the_whole_file() {
        let mut text = String::from("id;namn\n");
        for i in 0..20_000 {
            text.push_str(&format!("{i};Namn {i}\n"));
        }
        let (recorded, watch) = crate::report::Recorded::watch();
        let d = read_watched(text.as_bytes(), EncodingChoice::Utf8, &watch).unwrap();
        assert_eq!(d.len(), 20_000);
        let size = Some(text.len() as u64);
        let advances = recorded.advances();
        // Every 8 192 rows, then the end.
        assert_eq!(advances.len(), 20_000 / ROWS_PER_REPORT + 1);
        assert!(advances.iter().all(|a| a.1 == size && a.2 == Unit::Bytes));
        assert!(advances.windows(2).all(|w| w[0].0 < w[1].0), "{advances:?}");
        assert_eq!(
            recorded.last(),
            Some((text.len() as u64, size, Unit::Bytes))
        );
    }

    #[test]
    fn progress_counts_the_file_s_bytes_not_the_decoded_text_s() {
        let (recorded, watch) = crate::report::Recorded::watch();
        let file = b"Id;Namn\r\n1;\xC5sa \xD6berg\r\n";
        read_watched(file, EncodingChoice::Auto, &watch).unwrap();
        let size = Some(file.len() as u64);
        assert_eq!(
            recorded.last(),
            Some((file.len() as u64, size, Unit::Bytes))
        );
        assert_eq!(file_bytes(10, 20, 18), 9);
        assert_eq!(file_bytes(0, 0, 0), 0);
    }

    #[test]
    fn reads_semicolon_windows_1252_with_quotes() {
        let d = read(
            b"Id;Namn\r\n1;\xC5sa\r\n2;\"Berg; Eva\"\r\n",
            EncodingChoice::Auto,
        )
        .unwrap();
        assert_eq!(d.columns, ["Id", "Namn"]);
        assert_eq!(d.len(), 2);
        assert_eq!(d.get(0, 1), "Åsa");
        assert_eq!(d.get(1, 1), "Berg; Eva");
        assert_eq!(d.line(1), 3);
    }

    #[test]
    fn ragged_row_is_an_error_with_its_line() {
        let err = read(b"a,b\n1,2\n3\n", EncodingChoice::Utf8).unwrap_err();
        assert_eq!(err.code, Code::MalformedRow);
        assert_eq!(err.labels[0].text, "line 3");
    }

    #[test]
    fn duplicate_header_and_empty_file() {
        assert_eq!(
            read(b"a,a\n1,2\n", EncodingChoice::Utf8).unwrap_err().code,
            Code::DuplicateHeader
        );
        assert_eq!(
            read(b"", EncodingChoice::Utf8).unwrap_err().code,
            Code::EmptySource
        );
    }
}
