//! `etl test PIPELINE [FILE...]`: the pipeline's mapping unit tests (docs/mapping-tests.md).

use super::exit::Exit;
use super::output::Output;
use crate::diagnostic::{Code, Diag, SourceMap};
use std::path::{Path, PathBuf};

pub fn run(pipeline: &Path, files: &[PathBuf], today: chrono::NaiveDate, out: &Output) -> Exit {
    let mut sources = SourceMap::new();
    let compiled = match super::plan::compile(pipeline, &mut sources, out) {
        Ok(c) => c,
        Err(diags) => {
            out.diagnostics(&diags, &sources);
            return Exit::for_errors(&diags);
        }
    };
    let files = if files.is_empty() {
        vec![beside(pipeline)]
    } else {
        files.to_vec()
    };
    let (mut passed, mut failed) = (0, 0);
    for path in &files {
        let (file, tests) = match crate::testing::read(path, &mut sources) {
            Ok(t) => t,
            Err(d) => {
                out.diagnostics(&[d], &sources);
                return Exit::Error;
            }
        };
        if tests.tests.is_empty() {
            let d = Diag::error(Code::TestFile, format!("{} holds no tests", path.display()))
                .help("add at least one test under `tests:` (docs/mapping-tests.md)");
            out.diagnostics(&[d], &sources);
            return Exit::Error;
        }
        let outcomes = match crate::testing::run(&compiled, file, &tests, today, &mut sources) {
            Ok(o) => o,
            Err(diags) => {
                out.diagnostics(&diags, &sources);
                return Exit::Error;
            }
        };
        for outcome in outcomes {
            if outcome.failures.is_empty() {
                passed += 1;
                out.print(&format!("ok    {}\n", outcome.name));
            } else {
                failed += 1;
                out.print(&format!("FAIL  {}\n", outcome.name));
                out.diagnostics(&outcome.failures, &sources);
            }
        }
    }
    out.print(&format!(
        "\n{} test(s): {passed} passed, {failed} failed.\n",
        passed + failed
    ));
    if failed == 0 { Exit::Ok } else { Exit::Error }
}

/// `pipeline.tests.yaml` beside `pipeline.yaml`.
fn beside(pipeline: &Path) -> PathBuf {
    let stem = pipeline
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    pipeline.with_file_name(format!("{stem}.tests.yaml"))
}
