//! A dataset read into memory: all fields of all rows in one string buffer,
//! addressed by offsets (no allocation per field, no map per row).

#[derive(Debug, Default)]
pub struct Dataset {
    /// The file as shown to users.
    pub file: String,
    pub columns: Vec<String>,
    buf: String,
    /// End offset of every field, row-major.
    ends: Vec<u32>,
    /// Source line of each row (1-based, the header is line 1), or for a dataset read
    /// from an API the number of the object the row came from.
    lines: Vec<u32>,
    /// Rows come from numbered API objects, not lines of a file.
    objects: bool,
}

impl Dataset {
    pub fn new(file: String, columns: Vec<String>) -> Self {
        Dataset {
            file,
            columns,
            ..Dataset::default()
        }
    }

    /// A dataset of rows already parsed: `buf` holds their fields one after another, `ends`
    /// the end of each field in it, `lines` each row's line.
    pub fn from_parts(
        file: String,
        columns: Vec<String>,
        buf: String,
        ends: Vec<u32>,
        lines: Vec<u32>,
    ) -> Self {
        Dataset {
            buf,
            ends,
            lines,
            ..Dataset::new(file, columns)
        }
    }

    /// A dataset whose rows come from the objects an API returned (`file` is the URL).
    pub fn from_api(url: String, columns: Vec<String>) -> Self {
        Dataset {
            objects: true,
            ..Dataset::new(url, columns)
        }
    }

    /// Where a row came from, for messages: `file:line`, or `URL: object N`.
    pub fn place(&self, row: u32) -> String {
        if self.objects {
            format!("{}: object {}", self.file, self.line(row))
        } else {
            format!("{}:{}", self.file, self.line(row))
        }
    }

    pub fn width(&self) -> usize {
        self.columns.len()
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Makes room for a file of `text` bytes and about `rows` rows at once, so the buffers
    /// are not copied each time they double; the text of the fields is never longer than the
    /// file's.
    pub fn reserve(&mut self, text: usize, rows: usize) {
        self.buf.reserve(text.min(u32::MAX as usize));
        self.ends.reserve(rows.saturating_mul(self.width()));
        self.lines.reserve(rows);
    }

    /// Appends a row. Returns false when the buffer would pass 4 GiB.
    pub fn push_row<'a>(&mut self, fields: impl Iterator<Item = &'a str>, line: u32) -> bool {
        for field in fields {
            if self.buf.len() + field.len() > u32::MAX as usize {
                return false;
            }
            self.buf.push_str(field);
            self.ends.push(self.buf.len() as u32);
        }
        self.lines.push(line);
        true
    }

    /// The text of a field; empty once the text is released.
    pub fn get(&self, row: u32, col: u32) -> &str {
        let i = row as usize * self.width() + col as usize;
        debug_assert!(
            i < self.ends.len(),
            "a field read after its text was released"
        );
        let start = i.checked_sub(1).and_then(|p| self.ends.get(p));
        let start = start.map_or(0, |s| *s as usize);
        let end = self.ends.get(i).map_or(0, |e| *e as usize);
        self.buf.get(start..end).unwrap_or("")
    }

    /// Frees the rows' text once nothing reads it; where each row came from is kept
    /// ([`Dataset::place`], [`Dataset::line`], [`Dataset::len`]). At 1M pupils the
    /// memberships' text alone is half a gigabyte.
    pub fn release_text(&mut self) {
        self.buf = String::new();
        self.ends = Vec::new();
    }

    pub fn line(&self, row: u32) -> u32 {
        self.lines[row as usize]
    }

    pub fn column_index(&self, name: &str) -> Option<u32> {
        self.columns
            .iter()
            .position(|c| c == name)
            .map(|i| i as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Once its text is released a dataset still says where each row came from.
    #[test]
    fn a_released_dataset_keeps_where_its_rows_came_from() {
        let mut d = Dataset::new("elever.csv".into(), vec!["id".into(), "namn".into()]);
        assert!(d.push_row(["1", "Åsa"].into_iter(), 2));
        assert!(d.push_row(["2", "Bo"].into_iter(), 4));
        assert_eq!((d.get(1, 0), d.get(1, 1)), ("2", "Bo"));
        d.release_text();
        assert_eq!((d.len(), d.line(1)), (2, 4));
        assert_eq!(d.place(1), "elever.csv:4");
        assert!(d.buf.is_empty() && d.ends.is_empty() && d.ends.capacity() == 0);
    }
}
