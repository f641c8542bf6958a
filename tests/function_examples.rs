//! Every documented function example runs here, through the real checker and evaluator,
//! and docs/dsl-functions.md must match the registry (UPDATE_DOCS=1 regenerates it).

use roster_etl::check::{Evaluated, evaluate};
use roster_etl::diagnostic::SourceMap;
use roster_etl::functions::{ALL, reference};
use std::collections::HashMap;
use std::path::Path;

fn run(text: &str) -> Evaluated {
    let (name, rows) = reference::EXAMPLE_LOOKUP;
    let table: HashMap<String, String> = rows
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let today = reference::EXAMPLE_TODAY.parse().unwrap();
    let mut sources = SourceMap::new();
    match evaluate(
        text,
        &[(name.to_string(), table)],
        Path::new("mappings"),
        today,
        &mut sources,
    ) {
        Ok(v) => v,
        Err(diags) => panic!(
            "`{text}` does not check: {}",
            roster_etl::diagnostic::render_all(&diags, &sources, false)
        ),
    }
}

#[test]
fn every_function_has_an_example() {
    for f in ALL {
        assert!(!f.examples.is_empty(), "{} has no example", f.name);
        assert!(
            f.examples.iter().all(|e| e.expr.contains(f.name)),
            "an example of {} does not call it",
            f.name
        );
    }
}

#[test]
fn every_example_gives_its_documented_result() {
    for f in ALL {
        for example in f.examples {
            let got = run(example.expr);
            if example.result == "error" {
                assert!(
                    matches!(got, Evaluated::Failed(_)),
                    "{}: expected a failure, got {got:?}",
                    example.expr
                );
            } else {
                let want = run(example.result);
                assert_eq!(got, want, "{}", example.expr);
            }
        }
    }
}

#[test]
fn function_reference_is_up_to_date() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/dsl-functions.md");
    let generated = reference::markdown();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/dsl-functions.md is out of date: run `UPDATE_DOCS=1 cargo test --test function_examples`"
    );
}
