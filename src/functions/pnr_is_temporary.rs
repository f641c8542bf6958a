use super::args::text;
use super::signature::*;
use crate::domain::personnummer;
use crate::model::Value;

pub const PNR_IS_TEMPORARY: Function = Function {
    name: "pnr_is_temporary",
    summary: "Whether the text is a temporary number (letters in positions 9-10, e.g. `20130101TF01`). \
              Temporary numbers are neither unique nor permanent: never match on them.",
    params: &[param("text", Ty::Str)],
    variadic: false,
    returns: Ty::Bool,
    fallible: Fallible::Never,
    call: |args, ctx| {
        let temp = text(&args[0])
            .is_some_and(|s| personnummer::parse(&s, ctx.today).is_ok_and(|p| p.temporary));
        Ok(Value::Bool(temp))
    },
    examples: &[
        Example {
            expr: r#"pnr_is_temporary("20130101TF01")"#,
            result: "true",
        },
        Example {
            expr: r#"pnr_is_temporary("811218-9876")"#,
            result: "false",
        },
    ],
};
