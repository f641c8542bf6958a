use super::args::map_text;
use super::signature::*;

pub const TRIM: Function = Function {
    name: "trim",
    summary: "The text without leading and trailing white space; only white space becomes null.",
    params: &[param("text", Ty::Str)],
    variadic: false,
    returns: Ty::Str,
    fallible: Fallible::Never,
    call: |args, _| {
        let v = map_text(&args[0], |s| s.trim().to_string());
        Ok(if v.as_str() == Some("") {
            crate::model::Value::Null
        } else {
            v
        })
    },
    examples: &[
        Example {
            expr: r#"trim("  Berg ")"#,
            result: r#""Berg""#,
        },
        Example {
            expr: r#"trim("   ")"#,
            result: "null",
        },
    ],
};
