//! The function reference in docs/dsl-functions.md, generated from the registry so the
//! docs show exactly the examples the tests run.

use super::{ALL, Fallible, Function};
use std::fmt::Write;

/// The lookup table function examples use.
pub const EXAMPLE_LOOKUP: (&str, &[(&str, &str)]) =
    ("roller", &[("Lärare", "teacher"), ("Rektor", "principal")]);

/// The date examples run on.
pub const EXAMPLE_TODAY: &str = "2026-11-21";

pub fn markdown() -> String {
    let mut out = String::new();
    out.push_str("# Mapping functions\n\n");
    out.push_str("<!-- Generated from src/functions/*.rs by `UPDATE_DOCS=1 cargo test --test function_examples`; do not edit. -->\n\n");
    let _ = writeln!(
        out,
        "Every example below runs as a test (`tests/function_examples.rs`) on {EXAMPLE_TODAY}, with a lookup table \
         `{}` declared as `values: {{Lärare: teacher, Rektor: principal}}` and scripts found below `mappings/`.\n",
        EXAMPLE_LOOKUP.0
    );
    out.push_str("A function marked **can fail** must be handled where it is used: `?? fallback` decides what a failure means, `name!(...)` stops the run on such a record. A missing value (null) passes through every function as null.\n\n");
    out.push_str("| function | returns | can fail |\n|---|---|---|\n");
    for f in ALL {
        let _ = writeln!(
            out,
            "| [`{}`](#{}) | {} | {} |",
            f.name,
            f.name,
            f.returns.name(),
            fallible(f)
        );
    }
    for f in ALL {
        section(&mut out, f);
    }
    out
}

fn fallible(f: &Function) -> &'static str {
    match f.fallible {
        Fallible::Never => "no",
        Fallible::Always => "yes",
        Fallible::WhenParsingStrings => "when given strings",
    }
}

fn section(out: &mut String, f: &Function) {
    let _ = writeln!(
        out,
        "\n## {}\n\n`{}`\n\n{}\n",
        f.name,
        crate::check::signature(f).trim_start_matches("usage: "),
        f.summary
    );
    out.push_str("| expression | result |\n|---|---|\n");
    for ex in f.examples {
        let _ = writeln!(
            out,
            "| `{}` | `{}` |",
            ex.expr.replace('|', "\\|"),
            ex.result.replace('|', "\\|")
        );
    }
}
