//! How one CSV dataset is to be read.

use super::encoding::EncodingChoice;

#[derive(Clone, Debug)]
pub struct CsvOptions {
    pub encoding: EncodingChoice,
    /// `None`: detected from the header line.
    pub delimiter: Option<u8>,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            encoding: EncodingChoice::Auto,
            delimiter: None,
        }
    }
}

/// Picks `;`, `,` or tab, whichever the header line holds most of.
pub fn detect_delimiter(header_line: &str) -> u8 {
    let count = |c: char| header_line.chars().filter(|x| *x == c).count();
    [(';', b';'), ('\t', b'\t'), (',', b',')]
        .into_iter()
        .max_by_key(|(c, _)| count(*c))
        .filter(|(c, _)| count(*c) > 0)
        .map_or(b',', |(_, b)| b)
}
