//! A test's rows as the datasets the mappings read: every dataset the program uses, with
//! its real columns (from the file's header, the API's or the directory's), holding only
//! the rows the test gives. A row's place is its line in the test file, so a left-out
//! reason or an error points there.

use super::file::Rows;
use crate::check::{Program, Schemas};
use crate::diagnostic::{Code, Diag, Diagnostics, FileId, SourceMap, suggest};
use crate::load::{Pipeline, span_of};
use crate::source::Dataset;

pub struct Datasets<'a> {
    program: &'a Program,
    pipeline: &'a Pipeline,
    file: FileId,
    /// The test file as users should see it.
    display: String,
    /// Per dataset of the program, its columns (read once for all tests of a file).
    columns: Vec<Vec<String>>,
}

impl<'a> Datasets<'a> {
    /// Reads the columns of every dataset the program uses (a CSV file's header once).
    pub fn new(
        program: &'a Program,
        pipeline: &'a Pipeline,
        file: FileId,
        sources: &mut SourceMap,
    ) -> Result<Datasets<'a>, Vec<Diag>> {
        let mut diags = Diagnostics::new();
        let mut schemas = Schemas::default();
        let columns = program
            .datasets
            .iter()
            .map(|used| {
                pipeline
                    .dataset(&used.qualified)
                    .and_then(|decl| schemas.columns(decl, sources, &mut diags))
                    .map(<[String]>::to_vec)
                    .unwrap_or_default()
            })
            .collect();
        if diags.has_errors() {
            return Err(diags.take());
        }
        Ok(Datasets {
            program,
            pipeline,
            file,
            display: sources.name(file).to_string(),
            columns,
        })
    }

    /// The test file.
    pub fn file(&self) -> FileId {
        self.file
    }

    /// Tonight's (or yesterday's) datasets of one test; every unknown name is reported.
    pub fn build(&self, rows: &Rows, sources: &SourceMap) -> Result<Vec<Dataset>, Vec<Diag>> {
        let mut problems = Vec::new();
        let mut out: Vec<Dataset> = self
            .columns
            .iter()
            .map(|c| Dataset::new(self.display.clone(), c.clone()))
            .collect();
        for (name, given) in &rows.0 {
            let Some(i) = self
                .program
                .datasets
                .iter()
                .position(|d| d.qualified == name.value)
            else {
                let names = self.program.datasets.iter().map(|d| d.qualified.as_str());
                problems.push(
                    Diag::error(
                        Code::TestFile,
                        format!("the mappings read no dataset `{}`", name.value),
                    )
                    .label(span_of(name, self.file), "not read by any mapping")
                    .help(format!(
                        "name datasets as `system.dataset`, as the mappings do; {}",
                        suggest::did_you_mean(&name.value, names)
                    )),
                );
                continue;
            };
            for row in given {
                if let Err(d) = self.push(&mut out[i], &name.value, row, sources) {
                    problems.push(d);
                }
            }
        }
        if problems.is_empty() {
            Ok(out)
        } else {
            Err(problems)
        }
    }

    fn push(
        &self,
        data: &mut Dataset,
        name: &str,
        row: &serde_saphyr::Spanned<crate::load::SpannedMap<Option<String>>>,
        sources: &SourceMap,
    ) -> Result<(), Diag> {
        let mut fields = vec![String::new(); data.width()];
        for (column, value) in &row.value.0 {
            let Some(c) = data.columns.iter().position(|c| *c == column.value) else {
                return Err(Diag::error(
                    Code::TestFile,
                    format!("{name} has no column `{}`", column.value),
                )
                .label(span_of(column, self.file), "not a column of the dataset")
                .help(suggest::did_you_mean(
                    &column.value,
                    data.columns.iter().map(String::as_str),
                )));
            };
            fields[c] = value.clone().unwrap_or_default();
        }
        let span = span_of(row, self.file);
        let line = sources.line_col(span.file, span.start).0 as u32;
        let protected = self.pipeline.dataset(name).and_then(|d| d.protected_rule());
        if let Some(rule) = protected
            && let Some(c) = data.columns.iter().position(|c| *c == rule.column)
            && rule.is_protected(&fields[c])
        {
            return Ok(());
        }
        data.push_row(fields.iter().map(String::as_str), line);
        Ok(())
    }
}
