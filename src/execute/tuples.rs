//! Rows bound to a block's slots, stored flat: `width` row numbers per tuple.

pub struct Tuples {
    pub width: usize,
    rows: Vec<Option<u32>>,
}

impl Tuples {
    pub fn new(width: usize) -> Self {
        Tuples {
            width,
            rows: Vec::new(),
        }
    }

    /// Every row of the `from` dataset, other slots unbound.
    pub fn from_rows(width: usize, count: usize) -> Self {
        let mut rows = vec![None; width * count];
        for r in 0..count {
            rows[r * width] = Some(r as u32);
        }
        Tuples { width, rows }
    }

    pub fn push(&mut self, tuple: &[Option<u32>]) {
        self.rows.extend_from_slice(tuple);
    }

    /// Appends the tuples of `other` (of the same width).
    pub fn append(&mut self, other: Tuples) {
        if self.rows.is_empty() {
            self.rows = other.rows;
        } else {
            self.rows.extend_from_slice(&other.rows);
        }
    }

    pub fn len(&self) -> usize {
        self.rows.len() / self.width.max(1)
    }

    /// The tuples in `parts` runs of about equal length, in order, each a flat slice of
    /// whole tuples.
    pub fn parts(&self, parts: usize) -> Vec<&[Option<u32>]> {
        let width = self.width.max(1);
        let per = self.len().div_ceil(parts.max(1)).max(1);
        self.rows.chunks(per * width).collect()
    }
}
