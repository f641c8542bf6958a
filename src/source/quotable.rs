//! What an error may quote from a data file: the one row it is about, with personnummer
//! blanked. A data file holds children's personal data; a diagnostic shows the broken row so
//! the delimiter or quote problem can be seen, never its neighbours and never a personnummer.

use regex::Regex;

/// The most of a row that is quoted: a row with a 10 MB field is shown by its start.
const MAX_QUOTE: usize = 400;

/// `row` (the text of line `line`, 1-based) as the one line of an otherwise empty text, with
/// personnummer blanked, so a diagnostic's line numbers and columns stay right. A long row
/// is cut after its first few hundred bytes.
pub fn quotable(line: usize, row: &str) -> String {
    let mut out = "\n".repeat(line.saturating_sub(1));
    out.push_str(&blank_personnummer(&cut(row)));
    out
}

/// `row` up to [`MAX_QUOTE`] bytes (on a character boundary), with its line end.
fn cut(row: &str) -> std::borrow::Cow<'_, str> {
    if row.len() <= MAX_QUOTE {
        return row.into();
    }
    let mut end = MAX_QUOTE;
    while !row.is_char_boundary(end) {
        end -= 1;
    }
    let ending = if row.ends_with("\r\n") {
        "\r\n"
    } else if row.ends_with('\n') {
        "\n"
    } else {
        ""
    };
    format!("{}{ending}", &row[..end]).into()
}

/// Every personnummer or samordningsnummer in `row`, in any usual shape (`20120405-5675`,
/// `201204055675`, `120405-5675`, `1204055675`, temporary `20130101-TF01`), as `*`s of the
/// same length; also when glued to other letters or digits, as in a damaged row.
pub fn blank_personnummer(row: &str) -> String {
    let Ok(shape) = Regex::new(r"(?:19|20)?\d{6}[-+]?(?:\d{4}|[A-Z]{2}\d{2})") else {
        return row.to_string();
    };
    shape
        .replace_all(row, |c: &regex::Captures| "*".repeat(c[0].len()))
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shape_of_personnummer_is_blanked() {
        for (row, want) in [
            ("E1;20120405-5675;Elsa", "E1;*************;Elsa"),
            ("E1;201204055675;Elsa", "E1;************;Elsa"),
            ("E1;120405-5675;Elsa", "E1;***********;Elsa"),
            ("E1;1204055675;Elsa", "E1;**********;Elsa"),
            ("E1;20130101-TF01;Sara", "E1;*************;Sara"),
            ("E1;2021-08-16;12345678", "E1;2021-08-16;12345678"),
            ("E1;2AAAA0150312-1236;Å", "E1;2AAAA0***********;Å"),
        ] {
            assert_eq!(blank_personnummer(row), want);
        }
    }

    #[test]
    fn only_the_row_is_kept_on_its_line() {
        let quoted = quotable(3, "E2;20150312-1236;y\r\n");
        assert_eq!(quoted, "\n\nE2;*************;y\r\n");
    }

    #[test]
    fn a_long_row_is_cut() {
        let row = format!("E1;{};Åsa\n", "Å".repeat(10_000));
        let quoted = quotable(2, &row);
        assert!(quoted.len() < MAX_QUOTE + 10, "{}", quoted.len());
        assert!(quoted.starts_with("\nE1;Å") && quoted.ends_with("Å\n"));
    }
}
