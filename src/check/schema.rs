//! The columns of each dataset the mappings read: from the file's header, checked
//! against the columns the pipeline declares, or the fixed columns of an SS12000 dataset, or
//! `dn` and the attributes of a directory search.

use crate::diagnostic::{Code, Diag, Diagnostics, SourceMap, suggest};
use crate::load::{DatasetDecl, Pipeline};
use crate::source::read_columns;
use std::collections::HashMap;

/// Column lists by `system.dataset`; `None` when the header could not be read (already reported).
#[derive(Default)]
pub struct Schemas {
    columns: HashMap<String, Option<Vec<String>>>,
}

impl Schemas {
    pub fn columns(
        &mut self,
        decl: &DatasetDecl,
        sources: &mut SourceMap,
        diags: &mut Diagnostics,
    ) -> Option<&[String]> {
        let key = decl.qualified();
        if !self.columns.contains_key(&key) {
            let found = read_schema(decl, sources, diags);
            self.columns.insert(key.clone(), found);
        }
        self.columns.get(&key).and_then(|c| c.as_deref())
    }
}

fn read_schema(
    decl: &DatasetDecl,
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
) -> Option<Vec<String>> {
    if let Some(resource) = decl.resource() {
        return Some(resource.columns().iter().map(|c| c.to_string()).collect());
    }
    if let Some(query) = decl.ldap_query() {
        return Some(query.columns());
    }
    let src = decl.csv_source()?;
    let header = match read_columns(&src, sources) {
        Ok(h) => h,
        Err(d) => {
            diags.push(d);
            return None;
        }
    };
    for declared in decl.columns.iter().flatten() {
        if !header.contains(&declared.node) {
            diags.push(
                Diag::error(
                    Code::MissingColumn,
                    format!("{} has no column `{}`", decl.display, declared.node),
                )
                .label(
                    declared.span,
                    "declared here but missing from the file's header",
                )
                .help(suggest::did_you_mean(
                    &declared.node,
                    header.iter().map(String::as_str),
                )),
            );
        }
    }
    Some(header)
}

/// A dataset by the name a mapping uses, or an error with a suggestion.
pub fn find_dataset<'p>(
    pipeline: &'p Pipeline,
    qualified: &str,
) -> Result<&'p DatasetDecl, String> {
    pipeline.dataset(qualified).ok_or_else(|| {
        let names: Vec<String> = pipeline.datasets().map(DatasetDecl::qualified).collect();
        suggest::did_you_mean(qualified, names.iter().map(String::as_str))
    })
}

/// Columns whose values are personal numbers by name; plan output masks what derives from them.
pub fn is_sensitive_column(name: &str) -> bool {
    let lower = name.to_lowercase();
    [
        "personnummer",
        "personnr",
        "pnr",
        "civicno",
        "civic_no",
        "ssn",
        "employeenumber",
        "fodelsenummer",
        "fødselsnummer",
    ]
    .iter()
    .any(|n| lower == *n || lower.ends_with(&format!("_{n}")))
}
