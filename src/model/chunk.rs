//! The form a target's records take in the state: chunks of records in key order, each
//! chunk's bytes compressed with LZ4. One SQLite row per chunk of about [`TARGET_SIZE`]
//! bytes rather than one per record: a rollover that adds six million memberships writes
//! about thirty thousand rows, and the whole state is a seventh of its size as one row per
//! record (184 MB for the 7 million records of the 1M bench).
//!
//! A chunk's stored bytes: a version byte (1), the length of the uncompressed bytes (a
//! LEB128 varint), then the LZ4 block. Uncompressed, each record is its key's length and
//! UTF-8 bytes, its fields' length and their packed form ([`Fields::as_blob`]), and its
//! status: one byte (0 active, 1 trashed, 2 archived, 3 pending), a pending delete followed
//! by its due date as four bytes (days from the common era, little-endian).

use crate::model::Status;
use crate::model::varint::{self, Cursor};
use chrono::{Datelike, NaiveDate};

const VERSION: u8 = 1;

/// A chunk is closed once its uncompressed bytes reach this size (about 200 memberships).
pub(crate) const TARGET_SIZE: usize = 32 * 1024;

/// LZ4 cannot expand more than 255 times: a stated length beyond that is damage, and is
/// refused before anything that size is allocated.
const MAX_RATIO: usize = 256;

/// One record as a chunk holds it, borrowed from a chunk's bytes or from a plan.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Entry<'a> {
    pub key: &'a str,
    /// The packed fields ([`Fields::as_blob`]).
    pub fields: &'a [u8],
    pub status: Status,
}

impl Entry<'_> {
    /// The record in memory; an error when its fields are damaged.
    #[cfg(test)]
    pub fn to_record(self) -> Result<(String, crate::model::Record), String> {
        let fields = crate::model::Fields::from_blob(self.fields)?;
        Ok((
            self.key.to_string(),
            crate::model::Record {
                fields,
                status: self.status,
            },
        ))
    }

    pub fn encode(&self, out: &mut Vec<u8>) {
        self.encode_placed(out);
    }

    /// Encodes the record at the end of `out`, and says where it lies there. Offsets past
    /// 4 GiB (a chunk is 32 KiB) wrap; a caller keeps `out` to a chunk's size.
    pub fn encode_placed(&self, out: &mut Vec<u8>) -> Place {
        varint::write(out, self.key.len());
        let key_at = out.len();
        out.extend_from_slice(self.key.as_bytes());
        let key = (key_at as u32, out.len() as u32);
        varint::write(out, self.fields.len());
        let fields_at = out.len();
        out.extend_from_slice(self.fields);
        let fields = (fields_at as u32, out.len() as u32);
        match self.status {
            Status::Active => out.push(0),
            Status::Trashed => out.push(1),
            Status::Archived => out.push(2),
            Status::Pending { due } => {
                out.push(3);
                out.extend_from_slice(&due.num_days_from_ce().to_le_bytes());
            }
        }
        Place {
            key,
            fields,
            status: self.status,
        }
    }
}

/// Where one record lies in an uncompressed chunk: what a table that keeps the chunk
/// open holds per record instead of the record itself.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Place {
    key: (u32, u32),
    fields: (u32, u32),
    pub status: Status,
}

impl Place {
    /// Reads the record at the cursor; an error says what is wrong with its bytes.
    pub fn decode(at: &mut Cursor) -> Result<Place, String> {
        let len = at.varint()?;
        let key_at = at.at;
        at.text(len)?;
        let key = span(key_at, at.at)?;
        let len = at.varint()?;
        let fields_at = at.at;
        at.take(len)?;
        let fields = span(fields_at, at.at)?;
        let status = match at.byte()? {
            0 => Status::Active,
            1 => Status::Trashed,
            2 => Status::Archived,
            3 => {
                let days = at.take(4)?;
                let days = i32::from_le_bytes([days[0], days[1], days[2], days[3]]);
                let due =
                    NaiveDate::from_num_days_from_ce_opt(days).ok_or("a due date out of range")?;
                Status::Pending { due }
            }
            other => return Err(format!("unknown status {other}")),
        };
        Ok(Place {
            key,
            fields,
            status,
        })
    }

    /// The key's bytes in the chunk `raw` it was read from: they order as the key does.
    pub fn key_bytes(self, raw: &[u8]) -> &[u8] {
        &raw[self.key.0 as usize..self.key.1 as usize]
    }

    /// Where the whole record lies in its chunk: from its key's length to after its status.
    pub fn extent(self) -> std::ops::Range<usize> {
        let key_len = (self.key.1 - self.key.0) as usize;
        let start = self.key.0 as usize - varint::len(key_len);
        let status = match self.status {
            Status::Pending { .. } => 5,
            _ => 1,
        };
        start..self.fields.1 as usize + status
    }

    /// The place of the same record once moved `by` bytes towards the chunk's start.
    pub fn moved_back(self, by: u32) -> Place {
        Place {
            key: (self.key.0 - by, self.key.1 - by),
            fields: (self.fields.0 - by, self.fields.1 - by),
            status: self.status,
        }
    }

    /// The record in the chunk `raw` it was read from.
    pub fn entry(self, raw: &[u8]) -> Entry<'_> {
        let key = self.key_bytes(raw);
        Entry {
            // Checked as UTF-8 when the place was read from these bytes.
            key: std::str::from_utf8(key).unwrap_or_default(),
            fields: &raw[self.fields.0 as usize..self.fields.1 as usize],
            status: self.status,
        }
    }
}

/// A range of an uncompressed chunk in four-byte offsets: a chunk of 4 GiB or more (only
/// damage makes one) is refused.
fn span(start: usize, end: usize) -> Result<(u32, u32), String> {
    match (u32::try_from(start), u32::try_from(end)) {
        (Ok(start), Ok(end)) => Ok((start, end)),
        _ => Err("the chunk is too large".into()),
    }
}

/// Uncompresses a stored chunk into `raw` (whose room is reused from chunk to chunk).
pub(crate) fn uncompress(stored: &[u8], raw: &mut Vec<u8>) -> Result<(), String> {
    let mut at = Cursor::new(stored);
    match at.byte()? {
        VERSION => {}
        v => return Err(format!("unknown chunk encoding {v}")),
    }
    let len = at.varint()?;
    let block = &stored[at.at..];
    if len > block.len().saturating_mul(MAX_RATIO) {
        return Err("the chunk's length does not fit its bytes".into());
    }
    raw.clear();
    raw.resize(len, 0);
    match lz4_flex::block::decompress_into(block, raw) {
        Ok(n) if n == len => Ok(()),
        Ok(_) => Err("the chunk is shorter than its length".into()),
        Err(e) => Err(format!("the chunk cannot be uncompressed: {e}")),
    }
}

/// The records of an uncompressed chunk, in key order.
pub(crate) fn entries(raw: &[u8]) -> Result<Vec<Entry<'_>>, String> {
    Ok(places(raw)?.into_iter().map(|p| p.entry(raw)).collect())
}

/// Where each record of an uncompressed chunk lies, in key order; an error when its bytes
/// are damaged or its keys out of order.
pub(crate) fn places(raw: &[u8]) -> Result<Vec<Place>, String> {
    let mut at = Cursor::new(raw);
    let mut out = Vec::with_capacity(raw.len() / 64);
    let mut last: Option<&[u8]> = None;
    while !at.is_done() {
        let place = Place::decode(&mut at)?;
        let key = place.key_bytes(raw);
        if last.is_some_and(|last| last >= key) {
            return Err("its keys are out of order".into());
        }
        last = Some(key);
        out.push(place);
    }
    Ok(out)
}

/// Calls `f` with where each record of an uncompressed chunk lies, for a chunk that
/// [`places`] has accepted before, without checking its order again.
pub(crate) fn each_checked(raw: &[u8], mut f: impl FnMut(Place)) {
    let mut at = Cursor::new(raw);
    while !at.is_done() {
        // Never silently cut short: records missing from a walk would read as gone.
        f(Place::decode(&mut at).expect("bytes accepted once decode alike again"));
    }
}

/// An uncompressed chunk's bytes as state stores them.
pub(crate) fn compress(raw: &[u8]) -> Vec<u8> {
    let mut stored = Vec::with_capacity(8 + raw.len() / 2);
    stored.push(VERSION);
    varint::write(&mut stored, raw.len());
    stored.extend_from_slice(&lz4_flex::block::compress(raw));
    stored
}

/// Gathers records in key order into chunks: each time the bytes reach the size limit
/// ([`TARGET_SIZE`] but in tests), a chunk is ready.
pub(crate) struct Builder {
    raw: Vec<u8>,
    first: Option<String>,
    limit: usize,
}

impl Default for Builder {
    fn default() -> Builder {
        Builder::with_limit(TARGET_SIZE)
    }
}

impl Builder {
    pub fn with_limit(limit: usize) -> Builder {
        Builder {
            raw: Vec::new(),
            first: None,
            limit,
        }
    }

    /// Adds a record; true when the chunk is full and should be taken.
    pub fn push(&mut self, entry: &Entry) -> bool {
        if self.first.is_none() {
            self.first = Some(entry.key.to_string());
        }
        entry.encode(&mut self.raw);
        self.raw.len() >= self.limit
    }

    /// The chunk so far, compressed, with its first key; `None` when it holds nothing.
    pub fn take(&mut self) -> Option<(String, Vec<u8>)> {
        let first = self.first.take()?;
        let stored = compress(&self.raw);
        self.raw.clear();
        Some((first, stored))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Fields, Record};

    fn sample() -> Vec<(String, Record)> {
        let due = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        [
            ("a", Status::Active),
            ("b", Status::Trashed),
            ("c", Status::Archived),
            ("d", Status::Pending { due }),
            (
                "e",
                Status::Pending {
                    due: NaiveDate::MIN,
                },
            ),
        ]
        .into_iter()
        .map(|(key, status)| {
            let fields = Fields::from(vec![Some(format!("{key}-name")), None]);
            (key.to_string(), Record { fields, status })
        })
        .collect()
    }

    fn chunk_of(records: &[(String, Record)]) -> Vec<u8> {
        let mut builder = Builder::default();
        for (key, record) in records {
            builder.push(&Entry {
                key,
                fields: record.fields.as_blob(),
                status: record.status,
            });
        }
        builder.take().expect("records were given").1
    }

    #[test]
    fn records_come_back_as_they_went_in() {
        let records = sample();
        let stored = chunk_of(&records);
        let mut raw = Vec::new();
        uncompress(&stored, &mut raw).unwrap();
        let back: Vec<_> = entries(&raw)
            .unwrap()
            .into_iter()
            .map(|e| e.to_record().unwrap())
            .collect();
        assert_eq!(back, records);
    }

    #[test]
    fn a_chunk_is_full_at_its_target_size_and_then_starts_again() {
        let mut builder = Builder::default();
        assert!(builder.take().is_none(), "nothing yet");
        let fields = Fields::from(vec![Some("x".repeat(1000))]);
        let mut full_at = None;
        for i in 0..100 {
            let key = format!("{i:03}");
            let entry = Entry {
                key: &key,
                fields: fields.as_blob(),
                status: Status::Active,
            };
            if builder.push(&entry) {
                full_at = Some(i);
                break;
            }
        }
        assert_eq!(
            full_at,
            Some(TARGET_SIZE / 1010),
            "about 1010 bytes a record"
        );
        let (first, stored) = builder.take().unwrap();
        assert_eq!(first, "000");
        assert!(
            stored.len() < 1000,
            "repeated text compresses: {}",
            stored.len()
        );
        assert!(builder.take().is_none(), "taken, the builder is empty");
    }

    /// Damaged bytes are an error that says what is wrong, never a panic or a huge
    /// allocation: every cut, every flipped byte of a stored chunk.
    #[test]
    fn damaged_chunks_are_an_error_not_a_panic() {
        let stored = chunk_of(&sample());
        let mut raw = Vec::new();
        let check = |bytes: &[u8], raw: &mut Vec<u8>| {
            if uncompress(bytes, raw).is_ok()
                && let Ok(found) = entries(raw)
            {
                for entry in found {
                    let _ = entry.to_record();
                }
            }
        };
        for cut in 0..stored.len() {
            check(&stored[..cut], &mut raw);
            assert!(
                uncompress(&stored[..cut], &mut raw).is_err(),
                "cut at {cut}"
            );
        }
        for at in 0..stored.len() {
            for flip in [0x01, 0x80, 0xff] {
                let mut bad = stored.clone();
                bad[at] ^= flip;
                check(&bad, &mut raw);
            }
        }
        let huge = [VERSION, 0xff, 0xff, 0xff, 0xff, 0x0f, 0];
        assert!(uncompress(&huge, &mut raw).is_err());
        assert!(raw.capacity() < 1 << 20, "nothing that size was allocated");
        assert!(uncompress(&[2, 0], &mut raw).is_err(), "another version");
    }

    #[test]
    fn keys_out_of_order_are_damage() {
        let mut records = sample();
        records.swap(0, 1);
        let stored = chunk_of(&records);
        let mut raw = Vec::new();
        uncompress(&stored, &mut raw).unwrap();
        assert!(entries(&raw).unwrap_err().contains("out of order"));
    }
}
