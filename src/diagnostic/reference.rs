//! docs/errors.md, generated from the code registry so every code is documented.

use super::code::Code;
use std::fmt::Write;

pub fn markdown() -> String {
    let mut out = String::from("# Error codes\n\n");
    out.push_str("<!-- Generated from src/diagnostic/code.rs by `UPDATE_DOCS=1 cargo test --test docs`; do not edit. -->\n\n");
    out.push_str(
        "Every diagnostic roster-etl prints carries a stable code (`etl::E0103`). A code keeps its meaning \
         forever and is never reused. Each report points at the place in your own file, says what is wrong, \
         and ends with a `help:` line. See docs/troubleshooting.md for how to read them.\n\n",
    );
    out.push_str("| code | meaning |\n|---|---|\n");
    for code in Code::ALL {
        let _ = writeln!(out, "| `{}` | {} |", code.as_str(), code.title());
    }
    out
}
