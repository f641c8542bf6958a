//! How a stored record's fields are kept in the state's `fields` column: a compact binary
//! form (format 4), read without a parser's per-value work; format 3 states kept them as
//! JSON text, which is still read until the next apply rewrites the record.
//!
//! The binary form: a version byte (1), the number of fields, then per field its length
//! plus one (0 is null) and its UTF-8 bytes; numbers are LEB128 varints.

const VERSION: u8 = 1;

pub type Fields = Vec<Option<String>>;

pub fn encode(fields: &[Option<String>]) -> Vec<u8> {
    let len: usize = fields.iter().flatten().map(|f| f.len() + 2).sum();
    let mut out = Vec::with_capacity(len + fields.len() + 4);
    out.push(VERSION);
    varint(&mut out, fields.len());
    for field in fields {
        match field {
            None => out.push(0),
            Some(text) => {
                varint(&mut out, text.len() + 1);
                out.extend_from_slice(text.as_bytes());
            }
        }
    }
    out
}

/// Reads the binary form; an error says what is wrong with the bytes (a damaged state).
pub fn decode(bytes: &[u8]) -> Result<Fields, String> {
    let mut at = Cursor { bytes, at: 0 };
    match at.byte()? {
        VERSION => {}
        v => return Err(format!("unknown fields encoding {v}")),
    }
    let count = at.varint()?;
    // Each field takes at least one byte: a count larger than what is left is damage, not
    // a reason to allocate.
    if count > bytes.len() {
        return Err("field count larger than the record".into());
    }
    let mut fields = Vec::with_capacity(count);
    for _ in 0..count {
        fields.push(match at.varint()? {
            0 => None,
            n => Some(at.text(n - 1)?),
        });
    }
    if at.at != bytes.len() {
        return Err("bytes after the last field".into());
    }
    Ok(fields)
}

fn varint(out: &mut Vec<u8>, mut n: usize) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Cursor<'_> {
    fn byte(&mut self) -> Result<u8, String> {
        let b = *self.bytes.get(self.at).ok_or("the record ends early")?;
        self.at += 1;
        Ok(b)
    }

    fn varint(&mut self) -> Result<usize, String> {
        let mut n: usize = 0;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            n |= usize::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Ok(n);
            }
        }
        Err("a length is too long".into())
    }

    fn text(&mut self, len: usize) -> Result<String, String> {
        let end = self
            .at
            .checked_add(len)
            .filter(|end| *end <= self.bytes.len())
            .ok_or("a field runs past the record's end")?;
        let text = std::str::from_utf8(&self.bytes[self.at..end])
            .map_err(|_| "a field is not UTF-8")?
            .to_owned();
        self.at = end;
        Ok(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_come_back_as_they_went_in() {
        let long = "å".repeat(300);
        for fields in [
            vec![],
            vec![None],
            vec![Some(String::new())],
            vec![Some("Anna".into()), None, Some(long), Some("x".into())],
        ] {
            assert_eq!(decode(&encode(&fields)).unwrap(), fields);
        }
    }

    #[test]
    fn damaged_bytes_are_an_error_not_a_panic() {
        let good = encode(&[Some("Anna".into()), None]);
        for cut in 0..good.len() {
            assert!(decode(&good[..cut]).is_err(), "cut at {cut}");
        }
        let mut extra = good.clone();
        extra.push(0);
        assert!(decode(&extra).is_err());
        assert!(decode(&[2, 0]).is_err(), "another version");
        assert!(decode(&[1, 1, 2, 0xff]).is_err(), "not UTF-8");
        assert!(
            decode(&[1, 0xff, 0xff, 0xff, 0xff, 0x0f]).is_err(),
            "a huge count"
        );
        assert!(
            decode(&[
                1, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f
            ])
            .is_err()
        );
    }
}
