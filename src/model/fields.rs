//! A record's field values packed into one allocation: the form records take in memory,
//! in a plan's changes and in the state's `fields` column alike, so a record is read from
//! state, compared, copied and written back without a string per value.
//!
//! The bytes: a version byte (1), the number of fields, then per field its length plus one
//! (0 is null) and its UTF-8 bytes; numbers are LEB128 varints. Bytes from outside (a state
//! file) are checked once, in [`Fields::from_blob`]; every other way in encodes them here,
//! so a `Fields` always holds well-formed bytes. No fields at all are kept as no bytes (no
//! allocation: the placeholder a record leaves behind when it is moved out), so that two
//! empty `Fields` are equal however they were made.

use super::varint::{self, Cursor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

const VERSION: u8 = 1;
/// The stored form of no fields.
const NONE: &[u8] = &[VERSION, 0];

#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Fields(Box<[u8]>);

impl Fields {
    /// Packs values given in schema order.
    pub fn new<'a, I>(values: I) -> Fields
    where
        I: IntoIterator<Item = Option<&'a str>>,
        I::IntoIter: ExactSizeIterator + Clone,
    {
        let values = values.into_iter();
        if values.len() == 0 {
            return Fields::default();
        }
        // The exact size: a boxed slice keeps the block it was given, and an allocator may
        // keep a block a few bytes too big rather than move it (mimalloc does), so room to
        // spare would stay with the record all run.
        let mut out = Vec::with_capacity(packed_size(values.clone()));
        pack(values, &mut out);
        Fields(out.into_boxed_slice())
    }

    /// Packs values given in schema order at the end of `out`, in the form
    /// [`Fields::as_blob`] gives (what a table of many records keeps them in).
    pub fn pack_into<'a, I>(values: I, out: &mut Vec<u8>)
    where
        I: IntoIterator<Item = Option<&'a str>>,
        I::IntoIter: ExactSizeIterator + Clone,
    {
        let values = values.into_iter();
        out.reserve(packed_size(values.clone()));
        pack(values, out);
    }

    /// `n` null values.
    pub fn nulls(n: usize) -> Fields {
        Fields::new(std::iter::repeat_n(None, n))
    }

    /// Fields from their stored bytes; an error says what is wrong with them (a damaged
    /// state).
    pub fn from_blob(bytes: &[u8]) -> Result<Fields, String> {
        Ok(FieldsRef::checked(bytes)?.to_fields())
    }

    /// The bytes as state stores them.
    pub fn as_blob(&self) -> &[u8] {
        if self.0.is_empty() { NONE } else { &self.0 }
    }

    /// The fields, borrowed.
    pub fn view(&self) -> FieldsRef<'_> {
        FieldsRef(self.as_blob())
    }

    pub fn len(&self) -> usize {
        self.view().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value at `index`; `None` when it is null or past the last field.
    pub fn get(&self, index: usize) -> Option<&str> {
        self.view().get(index)
    }

    /// The values in schema order, `None` for null.
    pub fn iter(&self) -> Iter<'_> {
        self.view().iter()
    }

    /// The values as strings of their own (for code that edits them).
    pub fn to_vec(&self) -> Vec<Option<String>> {
        self.iter().map(|v| v.map(str::to_owned)).collect()
    }

    /// These fields with the value at `index` replaced (no change past the last field).
    pub fn with(&self, index: usize, value: Option<&str>) -> Fields {
        self.view().with(index, value)
    }
}

/// The bytes `values` pack into.
fn packed_size<'a>(values: impl ExactSizeIterator<Item = Option<&'a str>>) -> usize {
    1 + varint::len(values.len())
        + values
            .map(|v| v.map_or(1, |t| varint::len(t.len() + 1) + t.len()))
            .sum::<usize>()
}

fn pack<'a>(values: impl ExactSizeIterator<Item = Option<&'a str>>, out: &mut Vec<u8>) {
    let start = out.len();
    out.push(VERSION);
    varint::write(out, values.len());
    for value in values {
        match value {
            None => out.push(0),
            Some(text) => {
                varint::write(out, text.len() + 1);
                out.extend_from_slice(text.as_bytes());
            }
        }
    }
    debug_assert!(out.len() > start);
}

/// A record's packed fields borrowed from where they are kept: a [`Fields`], or a table of
/// records read from state ([`super::RecordTable`]). Always well-formed bytes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct FieldsRef<'a>(&'a [u8]);

impl<'a> FieldsRef<'a> {
    /// Checks bytes from outside (a state file); an error says what is wrong with them.
    pub fn checked(bytes: &'a [u8]) -> Result<FieldsRef<'a>, String> {
        let mut at = Cursor::new(bytes);
        match at.byte()? {
            VERSION => {}
            v => return Err(format!("unknown fields encoding {v}")),
        }
        let count = at.varint()?;
        // Each field takes at least one byte: a count larger than what is left is damage.
        if count > bytes.len() {
            return Err("field count larger than the record".into());
        }
        for _ in 0..count {
            if let n @ 1.. = at.varint()? {
                at.text(n - 1)?;
            }
        }
        if at.at != bytes.len() {
            return Err("bytes after the last field".into());
        }
        Ok(FieldsRef(bytes))
    }

    /// Bytes taken from a `FieldsRef` before (by a [`super::RecordTable`]).
    pub(super) fn trusted(bytes: &'a [u8]) -> FieldsRef<'a> {
        FieldsRef(bytes)
    }

    /// The bytes as state stores them.
    pub fn as_blob(self) -> &'a [u8] {
        self.0
    }

    /// The fields as a value of their own.
    /// These fields with the value at `index` replaced (no change past the last field).
    pub fn with(self, index: usize, value: Option<&str>) -> Fields {
        let values: Vec<Option<&str>> = self
            .iter()
            .enumerate()
            .map(|(i, v)| if i == index { value } else { v })
            .collect();
        Fields::new(values)
    }

    pub fn to_fields(self) -> Fields {
        match self.len() {
            0 => Fields::default(),
            _ => Fields(self.0.into()),
        }
    }

    pub fn len(self) -> usize {
        self.values().1
    }

    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    /// The value at `index`; `None` when it is null or past the last field. The values
    /// before it are skipped by their lengths, without reading their text.
    pub fn get(self, index: usize) -> Option<&'a str> {
        let (at, count) = self.values();
        if index >= count {
            return None;
        }
        let mut cursor = Cursor { bytes: self.0, at };
        for _ in 0..index {
            let len = cursor.varint().ok()?;
            cursor.at = cursor.at.checked_add(len.saturating_sub(1))?;
        }
        match cursor.varint().ok()? {
            0 => None,
            len => cursor.text(len - 1).ok(),
        }
    }

    /// The values in schema order, `None` for null.
    pub fn iter(self) -> Iter<'a> {
        let (at, left) = self.values();
        Iter {
            cursor: Cursor { bytes: self.0, at },
            left,
        }
    }

    /// Where the first value starts and how many there are.
    fn values(self) -> (usize, usize) {
        let mut at = Cursor {
            bytes: self.0,
            at: 1,
        };
        let count = at.varint().unwrap_or(0);
        (at.at, count)
    }
}

impl<'a> From<&'a Fields> for FieldsRef<'a> {
    fn from(fields: &'a Fields) -> FieldsRef<'a> {
        fields.view()
    }
}

impl fmt::Debug for FieldsRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl From<Vec<Option<String>>> for Fields {
    fn from(values: Vec<Option<String>>) -> Self {
        Fields::from(values.as_slice())
    }
}

impl From<&[Option<String>]> for Fields {
    fn from(values: &[Option<String>]) -> Self {
        Fields::new(values.iter().map(Option::as_deref))
    }
}

impl PartialEq<Vec<Option<String>>> for Fields {
    fn eq(&self, other: &Vec<Option<String>>) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter().map(Option::as_deref))
    }
}

impl fmt::Debug for Fields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// In a saved plan, fields are a list of strings and nulls, as before they were packed.
impl Serialize for Fields {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for Fields {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Vec::<Option<String>>::deserialize(d).map(Fields::from)
    }
}

/// The values of a [`Fields`], in order.
#[derive(Clone)]
pub struct Iter<'a> {
    cursor: Cursor<'a>,
    left: usize,
}

impl<'a> Iterator for Iter<'a> {
    type Item = Option<&'a str>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        // The bytes were checked when the fields were made: a failure here cannot happen,
        // and would end the values rather than panic.
        match self.cursor.varint() {
            Ok(0) => Some(None),
            Ok(n) => self.cursor.text(n - 1).ok().map(Some),
            Err(_) => None,
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.left))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A value of more than 127 bytes has a two-byte length (the `debug_assert` in
    /// `Fields::new` checks the size computed ahead in every test that makes a record).
    #[test]
    fn a_long_value_is_read_back() {
        let long = "x".repeat(200);
        let fields = Fields::new([Some(long.as_str()), None, Some("")]);
        assert_eq!(fields.get(0), Some(long.as_str()));
    }

    fn samples() -> Vec<Vec<Option<String>>> {
        vec![
            vec![],
            vec![None],
            vec![Some(String::new())],
            vec![
                Some("Anna".into()),
                None,
                Some("å".repeat(300)),
                Some("x".into()),
            ],
        ]
    }

    #[test]
    fn values_come_back_as_they_went_in() {
        for values in samples() {
            let fields = Fields::from(values.clone());
            assert_eq!(fields.to_vec(), values);
            assert_eq!(fields.len(), values.len());
            for (i, v) in values.iter().enumerate() {
                assert_eq!(fields.get(i), v.as_deref());
            }
            assert_eq!(fields.get(values.len()), None);
            assert_eq!(Fields::from_blob(fields.as_blob()).unwrap(), fields);
            let json = serde_json::to_string(&fields).unwrap();
            assert_eq!(json, serde_json::to_string(&values).unwrap());
            assert_eq!(serde_json::from_str::<Fields>(&json).unwrap(), fields);
        }
    }

    #[test]
    fn one_value_replaced() {
        let fields = Fields::from(vec![Some("a".into()), None, Some("c".into())]);
        let changed = fields.with(1, Some("b"));
        assert_eq!(
            changed,
            vec![Some("a".into()), Some("b".into()), Some("c".into())]
        );
        assert_eq!(fields.with(0, None).get(0), None);
        assert_eq!(fields.with(9, Some("z")), fields);
    }

    #[test]
    fn the_stored_form_is_the_state_format_4_blob() {
        let fields = Fields::from(vec![Some("Bo".into()), None]);
        assert_eq!(fields.as_blob(), [1, 2, 3, b'B', b'o', 0]);
        assert_eq!(Fields::default().as_blob(), [1, 0]);
    }

    #[test]
    fn no_fields_are_equal_however_they_were_made() {
        let made = [
            Fields::default(),
            Fields::nulls(0),
            Fields::from(Vec::new()),
            Fields::from_blob(&[1, 0]).unwrap(),
        ];
        for fields in &made {
            assert_eq!(fields, &made[0]);
            assert!(fields.is_empty());
            assert_eq!(fields.iter().count(), 0);
        }
    }

    #[test]
    fn damaged_bytes_are_an_error_not_a_panic() {
        let good = Fields::from(vec![Some("Anna".into()), None]);
        let good = good.as_blob();
        for cut in 0..good.len() {
            assert!(Fields::from_blob(&good[..cut]).is_err(), "cut at {cut}");
        }
        let mut extra = good.to_vec();
        extra.push(0);
        assert!(Fields::from_blob(&extra).is_err());
        assert!(Fields::from_blob(&[2, 0]).is_err(), "another version");
        assert!(Fields::from_blob(&[1, 1, 2, 0xff]).is_err(), "not UTF-8");
        assert!(
            Fields::from_blob(&[1, 0xff, 0xff, 0xff, 0xff, 0x0f]).is_err(),
            "a huge count"
        );
        assert!(
            Fields::from_blob(&[
                1, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f
            ])
            .is_err()
        );
    }
}
