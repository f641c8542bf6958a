use super::args::{map_text, text};
use super::signature::*;

pub const REPLACE: Function = Function {
    name: "replace",
    summary: "Replaces every occurrence of `from` with `to` (plain text, not a pattern).",
    params: &[
        param("text", Ty::Str),
        param("from", Ty::Str),
        param("to", Ty::Str),
    ],
    variadic: false,
    returns: Ty::Str,
    fallible: Fallible::Never,
    call: |args, _| {
        let from = text(&args[1]).unwrap_or_default();
        let to = text(&args[2]).unwrap_or_default();
        Ok(map_text(&args[0], |s| {
            if from.is_empty() {
                s.to_string()
            } else {
                s.replace(&*from, &to)
            }
        }))
    },
    examples: &[Example {
        expr: r#"replace("19811218-9876", "-", "")"#,
        result: r#""198112189876""#,
    }],
};
