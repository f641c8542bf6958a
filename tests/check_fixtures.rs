//! Checker fixtures: each folder in tests/fixtures/check holds a pipeline and a mapping; the
//! snapshot is exactly what the user sees (all diagnostics of the run, rendered without color).

use roster_etl::diagnostic::{SourceMap, render_all};
use std::collections::HashMap;

fn check_report(pipeline: &std::path::Path) -> String {
    let env: HashMap<String, String> = HashMap::new();
    let mut sources = SourceMap::new();
    match roster_etl::plan::compile(pipeline, &env, &mut sources) {
        Ok(compiled) => {
            let warnings = render_all(&compiled.checked.warnings, &sources, false);
            format!(
                "OK: {} block(s)\n{warnings}",
                compiled.checked.program.blocks.len()
            )
        }
        Err(mut diags) => render_all(&diags.take(), &sources, false),
    }
}

#[test]
fn checker_fixtures() {
    insta::glob!("fixtures/check/*/pipeline.yaml", |path| {
        let rel = path.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap();
        insta::assert_snapshot!(check_report(rel));
    });
}

#[test]
fn no_report_names_a_grammar_rule() {
    insta::glob!("fixtures/check/*/pipeline.yaml", |path| {
        let rel = path.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap();
        let report = check_report(rel);
        for raw in [
            "op_",
            "_lit",
            "postfix_term",
            "kw_",
            "call_args",
            "source_ref",
            "join_clause",
            "EOI",
            "Rule::",
        ] {
            assert!(
                !report.contains(raw),
                "{}: report mentions `{raw}`:\n{report}",
                rel.display()
            );
        }
    });
}
