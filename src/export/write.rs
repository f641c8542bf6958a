//! Writes the export's tables: one CSV file per table in a folder, or one JSON document.

use super::Table;
use crate::diagnostic::{Code, Diag};
use serde_json::{Map, Value, json};
use std::path::Path;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Csv,
    Json,
}

/// `DIR/<table>.csv` for each table (readable by the owner only: names and e-mail
/// addresses are personal data); returns each file with its row count.
pub fn write_csv(tables: &[Table], dir: &Path) -> Result<Vec<(String, usize)>, Diag> {
    std::fs::create_dir_all(dir).map_err(|e| failed(dir, &e))?;
    let mut written = Vec::new();
    for table in tables {
        let path = dir.join(format!("{}.csv", table.name));
        let file = crate::private_file::create(&path).map_err(|e| failed(&path, &e))?;
        let mut out = csv::Writer::from_writer(std::io::BufWriter::new(file));
        let rows = std::iter::once(table.header.iter().map(String::as_str).collect::<Vec<_>>())
            .chain(
                table
                    .rows
                    .iter()
                    .map(|r| r.iter().map(|c| c.as_deref().unwrap_or("")).collect()),
            );
        for row in rows {
            out.write_record(&row).map_err(|e| failed(&path, &e))?;
        }
        out.flush().map_err(|e| failed(&path, &e))?;
        written.push((path.display().to_string(), table.rows.len()));
    }
    Ok(written)
}

/// The tables as one JSON document: `{"format": "roster-etl-export", "version": 1,
/// "person": [{"key": ..., "givenName": ...}], ..., "left_out": [...]}`.
pub fn write_json(tables: &[Table], pipeline: &str, today: &str) -> String {
    let mut doc = Map::new();
    doc.insert("format".into(), json!("roster-etl-export"));
    doc.insert("version".into(), json!(1));
    doc.insert("pipeline".into(), json!(pipeline));
    doc.insert("today".into(), json!(today));
    for table in tables {
        let rows: Vec<Value> = table
            .rows
            .iter()
            .map(|row| {
                let object: Map<String, Value> = table
                    .header
                    .iter()
                    .zip(row)
                    .map(|(h, v)| (h.clone(), v.as_ref().map_or(Value::Null, |s| json!(s))))
                    .collect();
                Value::Object(object)
            })
            .collect();
        doc.insert(table.name.clone(), Value::Array(rows));
    }
    serde_json::to_string_pretty(&Value::Object(doc)).unwrap_or_default()
}

/// Writes a JSON export to a file readable by its owner only.
pub fn save_json(json: &str, path: &Path) -> Result<(), Diag> {
    crate::private_file::write(path, json.as_bytes()).map_err(|e| failed(path, &e))
}

fn failed(path: &Path, e: &dyn std::fmt::Display) -> Diag {
    Diag::error(
        Code::ExportWrite,
        format!("cannot write {}: {e}", path.display()),
    )
    .help("choose a folder you can write to with --out")
}
