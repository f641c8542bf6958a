use super::args::map_text;
use super::signature::*;

pub const UPPER: Function = Function {
    name: "upper",
    summary: "The text in upper case.",
    params: &[param("text", Ty::Str)],
    variadic: false,
    returns: Ty::Str,
    fallible: Fallible::Never,
    call: |args, _| Ok(map_text(&args[0], str::to_uppercase)),
    examples: &[Example {
        expr: r#"upper("7a")"#,
        result: r#""7A""#,
    }],
};
