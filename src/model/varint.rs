//! LEB128 varints and a cursor over bytes from outside (a state file): the building blocks
//! of the packed forms that [`super::Fields`] and the state's record chunks use. A cursor
//! never panics: bytes that end early or are not UTF-8 are an error that says so.

/// How many bytes [`write`] writes for `n`.
pub(crate) fn len(n: usize) -> usize {
    (usize::BITS - n.leading_zeros()).div_ceil(7).max(1) as usize
}

pub(crate) fn write(out: &mut Vec<u8>, mut n: usize) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

#[derive(Clone)]
pub(crate) struct Cursor<'a> {
    pub bytes: &'a [u8],
    pub at: usize,
}

impl<'a> Cursor<'a> {
    pub fn new(bytes: &'a [u8]) -> Cursor<'a> {
        Cursor { bytes, at: 0 }
    }

    pub fn is_done(&self) -> bool {
        self.at >= self.bytes.len()
    }

    pub fn byte(&mut self) -> Result<u8, String> {
        let b = *self.bytes.get(self.at).ok_or("the record ends early")?;
        self.at += 1;
        Ok(b)
    }

    pub fn varint(&mut self) -> Result<usize, String> {
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

    /// The next `len` bytes.
    pub fn take(&mut self, len: usize) -> Result<&'a [u8], String> {
        let end = self
            .at
            .checked_add(len)
            .filter(|end| *end <= self.bytes.len())
            .ok_or("a field runs past the record's end")?;
        let taken = &self.bytes[self.at..end];
        self.at = end;
        Ok(taken)
    }

    /// The next `len` bytes, as UTF-8 text.
    pub fn text(&mut self, len: usize) -> Result<&'a str, String> {
        let at = self.at;
        let bytes = self.take(len)?;
        std::str::from_utf8(bytes).map_err(|_| {
            self.at = at;
            "a field is not UTF-8".to_string()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The size computed ahead is what varints take.
    #[test]
    fn varint_lengths_are_what_is_written() {
        for n in [0, 1, 127, 128, 300, 16_383, 16_384, 2_097_152, usize::MAX] {
            let mut out = Vec::new();
            write(&mut out, n);
            assert_eq!(len(n), out.len(), "{n}");
            assert_eq!(Cursor::new(&out).varint(), Ok(n), "{n}");
        }
    }

    #[test]
    fn bytes_that_end_early_are_an_error() {
        let mut at = Cursor::new(&[3, b'a']);
        assert_eq!(at.varint(), Ok(3));
        assert!(at.take(3).is_err());
        assert_eq!(at.text(1), Ok("a"));
        assert!(at.is_done());
        assert!(at.byte().is_err());
        assert!(Cursor::new(&[0xff, 0xfe]).text(2).is_err(), "not UTF-8");
    }
}
