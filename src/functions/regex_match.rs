use super::args::{lit, text};
use super::signature::*;
use crate::model::Value;

pub const REGEX_MATCH: Function = Function {
    name: "regex_match",
    summary: "Whether the text matches the pattern (Rust regex syntax; the pattern must be a literal).",
    params: &[param("text", Ty::Str), literal("pattern")],
    variadic: false,
    returns: Ty::Bool,
    fallible: Fallible::Never,
    call: |args, ctx| {
        let re = ctx.regex(lit(&args[1]))?;
        Ok(Value::Bool(text(&args[0]).is_some_and(|s| re.is_match(&s))))
    },
    examples: &[Example {
        expr: r#"regex_match("7B", "^[0-9]+[A-Z]$")"#,
        result: "true",
    }],
};
