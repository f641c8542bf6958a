use super::args::map_text;
use super::signature::*;

pub const LOWER: Function = Function {
    name: "lower",
    summary: "The text in lower case (Unicode aware: Å becomes å).",
    params: &[param("text", Ty::Str)],
    variadic: false,
    returns: Ty::Str,
    fallible: Fallible::Never,
    call: |args, _| Ok(map_text(&args[0], str::to_lowercase)),
    examples: &[Example {
        expr: r#"lower("ÅSA Öberg")"#,
        result: r#""åsa öberg""#,
    }],
};
