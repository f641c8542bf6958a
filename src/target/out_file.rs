//! One file a target format renders: its name in the target folder and its bytes.

use crate::target::table::{Table, to_csv};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

impl OutFile {
    /// Renders named tables as CSV files.
    pub fn tables(tables: Vec<(&str, Table)>) -> Result<Vec<OutFile>, String> {
        tables
            .into_iter()
            .map(|(name, rows)| {
                Ok(OutFile {
                    name: name.to_string(),
                    bytes: to_csv(rows)?,
                })
            })
            .collect()
    }
}
