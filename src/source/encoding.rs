//! Text encodings registers export in: UTF-8 (with or without BOM) and Windows-1252.

use std::borrow::Cow;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EncodingChoice {
    /// UTF-8 when the bytes are valid UTF-8, else Windows-1252.
    Auto,
    Utf8,
    Windows1252,
}

impl EncodingChoice {
    pub fn parse(text: &str) -> Option<Self> {
        match text.to_ascii_lowercase().replace('_', "-").as_str() {
            "auto" => Some(Self::Auto),
            "utf-8" | "utf8" => Some(Self::Utf8),
            "windows-1252" | "cp1252" | "latin1" | "iso-8859-1" => Some(Self::Windows1252),
            _ => None,
        }
    }

    pub const NAMES: &'static [&'static str] = &["auto", "utf-8", "windows-1252"];
}

/// The encoding that was actually used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf8Bom,
    Windows1252,
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf8Bom => "UTF-8 with BOM",
            Encoding::Windows1252 => "Windows-1252",
        })
    }
}

/// Why bytes could not be decoded.
#[derive(Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// Not valid UTF-8; the 1-based line and column of the first bad byte.
    InvalidUtf8 { line: usize, column: usize },
    /// A UTF-16 byte order mark.
    Utf16,
    /// A NUL byte, which no text export holds (a binary file, or UTF-16 without its mark).
    Nul { line: usize, column: usize },
    /// A byte order mark after the start: two exports joined into one file.
    InnerBom { line: usize, column: usize },
    /// Valid UTF-8 letters and bytes that are not UTF-8 in one file (`auto`): parts saved
    /// in different encodings. The place is the first byte that is not UTF-8.
    Mixed { line: usize, column: usize },
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Decodes a whole file. UTF-8 (and Windows-1252 that is all ASCII) is borrowed from the
/// bytes as it is: a national export is a gigabyte, and a copy of it is a gigabyte of new
/// memory to touch.
pub fn decode(
    bytes: &[u8],
    choice: EncodingChoice,
) -> Result<(Cow<'_, str>, Encoding), DecodeError> {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(DecodeError::Utf16);
    }
    let (body, bom) = match bytes.strip_prefix(UTF8_BOM) {
        Some(rest) => (rest, true),
        None => (bytes, false),
    };
    if let Some(at) = memchr::memchr(0, body) {
        let (line, column) = place(body, at);
        return Err(DecodeError::Nul { line, column });
    }
    if let Some(at) = memchr::memmem::find(body, UTF8_BOM) {
        let (line, column) = place(body, at);
        return Err(DecodeError::InnerBom { line, column });
    }
    if bom {
        return utf8(body).map(|t| (t, Encoding::Utf8Bom));
    }
    match choice {
        EncodingChoice::Utf8 => utf8(body).map(|t| (t, Encoding::Utf8)),
        EncodingChoice::Windows1252 => Ok((windows_1252(body), Encoding::Windows1252)),
        EncodingChoice::Auto => match utf8(body) {
            Ok(text) => Ok((text, Encoding::Utf8)),
            Err(DecodeError::InvalidUtf8 { line, column }) if has_utf8_letters(body) => {
                Err(DecodeError::Mixed { line, column })
            }
            Err(_) => Ok((windows_1252(body), Encoding::Windows1252)),
        },
    }
}

/// The 1-based line and column of byte `at`.
fn place(bytes: &[u8], at: usize) -> (usize, usize) {
    let good = &bytes[..at];
    let line = memchr::memchr_iter(b'\n', good).count() + 1;
    let line_start = memchr::memrchr(b'\n', good).map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&good[line_start..]).chars().count() + 1;
    (line, column)
}

/// Whether the bytes hold a UTF-8 letter such as `å` (C3 A5): in Windows-1252 the same two
/// bytes are `Ã¥`, which no register writes.
fn has_utf8_letters(bytes: &[u8]) -> bool {
    bytes
        .windows(2)
        .any(|w| w[0] == 0xC3 && (0x80..=0xBF).contains(&w[1]))
}

fn utf8(bytes: &[u8]) -> Result<Cow<'_, str>, DecodeError> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(Cow::Borrowed(text)),
        Err(e) => {
            let (line, column) = place(bytes, e.valid_up_to());
            Err(DecodeError::InvalidUtf8 { line, column })
        }
    }
}

fn windows_1252(bytes: &[u8]) -> Cow<'_, str> {
    encoding_rs::WINDOWS_1252
        .decode_without_bom_handling(bytes)
        .0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_each_encoding() {
        assert_eq!(
            decode("Åsa".as_bytes(), EncodingChoice::Auto).unwrap(),
            ("Åsa".into(), Encoding::Utf8)
        );
        assert_eq!(
            decode(b"\xEF\xBB\xBFx", EncodingChoice::Windows1252)
                .unwrap()
                .1,
            Encoding::Utf8Bom
        );
        assert_eq!(
            decode(b"\xC5sa", EncodingChoice::Auto).unwrap(),
            ("Åsa".into(), Encoding::Windows1252)
        );
        assert_eq!(
            decode(b"\xFF\xFEa\0", EncodingChoice::Auto),
            Err(DecodeError::Utf16)
        );
    }

    #[test]
    fn nul_bytes_inner_marks_and_mixed_encodings_are_refused_with_their_place() {
        let nul = decode(b"a;b\nc;\0", EncodingChoice::Auto);
        assert_eq!(nul, Err(DecodeError::Nul { line: 2, column: 3 }));
        let joined = decode(b"\xEF\xBB\xBFa\n1\n\xEF\xBB\xBFa\n", EncodingChoice::Utf8);
        assert_eq!(joined, Err(DecodeError::InnerBom { line: 3, column: 1 }));
        let bytes: Vec<u8> = "a\nÅsa\n"
            .as_bytes()
            .iter()
            .chain(b"\xC5sa")
            .copied()
            .collect();
        let mixed = decode(&bytes, EncodingChoice::Auto);
        assert_eq!(mixed, Err(DecodeError::Mixed { line: 3, column: 1 }));
        let declared = decode(b"a\n\xC3\xA5\n\xC5", EncodingChoice::Windows1252);
        assert!(declared.is_ok(), "a declared encoding is taken as said");
    }

    #[test]
    fn invalid_utf8_has_a_position() {
        let err = decode(b"a;b\nc;\xC5sa", EncodingChoice::Utf8).unwrap_err();
        assert_eq!(err, DecodeError::InvalidUtf8 { line: 2, column: 3 });
    }
}
