//! The roster and its left-out records as tables of text, masked unless asked otherwise.

use super::Mapped;
use crate::check::Program;
use crate::model::{EntityKind, Which};
use crate::plan::MASK;

/// One table of the export: `person`, `group`, ..., or `left_out`.
pub struct Table {
    pub name: String,
    pub header: Vec<String>,
    /// Each cell as text; `None` is null (an empty CSV cell, JSON `null`).
    pub rows: Vec<Vec<Option<String>>>,
}

/// One table per entity kind the roster holds (key, then each field), then `left_out`
/// (entity, reason, dataset, place, key).
pub fn tables(mapped: &Mapped, program: &Program, show_sensitive: bool) -> Vec<Table> {
    let roster = &mapped.roster;
    let mut out = Vec::new();
    for kind in EntityKind::ALL {
        let Some(records) = roster.entities.get(kind) else {
            continue;
        };
        let mask_key = roster.sensitive_keys.contains(kind) && !show_sensitive;
        let mut header = vec!["key".to_string()];
        header.extend(kind.fields().iter().map(|f| f.name.to_string()));
        let rows = records
            .iter()
            .map(|(key, r)| {
                let key = if mask_key {
                    MASK.to_string()
                } else {
                    key.to_string()
                };
                let fields = r.fields.iter().enumerate().map(|(i, v)| match v {
                    Some(_) if roster.is_sensitive(*kind, i) && !show_sensitive => {
                        Some(MASK.to_string())
                    }
                    v => v.map(str::to_owned),
                });
                std::iter::once(Some(key)).chain(fields).collect()
            })
            .collect();
        out.push(Table {
            name: kind.name().to_string(),
            header,
            rows,
        });
    }
    out.push(left_out(mapped, program, show_sensitive));
    out
}

fn left_out(mapped: &Mapped, program: &Program, show_sensitive: bool) -> Table {
    let roster = &mapped.roster;
    let mut rows = Vec::new();
    for left in &roster.left_out {
        let mask_key = roster.sensitive_keys.contains(&left.entity) && !show_sensitive;
        for which in &left.records {
            let (dataset, place, key) = match which {
                Which::Row { dataset, row } => (
                    program.datasets.get(*dataset).map(|d| d.qualified.clone()),
                    mapped.datasets.get(*dataset).map(|d| d.place(*row)),
                    None,
                ),
                Which::Key(k) if mask_key => (None, None, Some(MASK.to_string())),
                Which::Key(k) => (None, None, Some(k.clone())),
            };
            rows.push(vec![
                Some(left.entity.name().to_string()),
                Some(left.reason.clone()),
                dataset,
                place,
                key,
            ]);
        }
    }
    Table {
        name: "left_out".to_string(),
        header: ["entity", "reason", "dataset", "place", "key"]
            .map(String::from)
            .to_vec(),
        rows,
    }
}
