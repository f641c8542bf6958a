use super::args::{lit, map_text, text};
use super::signature::*;

pub const REGEX_REPLACE: Function = Function {
    name: "regex_replace",
    summary: "Replaces every match of the pattern; `$1` in the replacement is the first group.",
    params: &[
        param("text", Ty::Str),
        literal("pattern"),
        param("replacement", Ty::Str),
    ],
    variadic: false,
    returns: Ty::Str,
    fallible: Fallible::Never,
    call: |args, ctx| {
        let re = ctx.regex(lit(&args[1]))?;
        let with = text(&args[2]).unwrap_or_default();
        Ok(map_text(&args[0], |s| {
            re.replace_all(s, &*with).into_owned()
        }))
    },
    examples: &[Example {
        expr: r#"regex_replace("Klass 7 B", "\\s+", "")"#,
        result: r#""Klass7B""#,
    }],
};
