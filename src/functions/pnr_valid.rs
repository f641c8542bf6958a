use super::args::text;
use super::signature::*;
use crate::domain::personnummer;
use crate::model::Value;

pub const PNR_VALID: Function = Function {
    name: "pnr_valid",
    summary: "Whether the text is a valid personnummer or samordningsnummer (day + 60): a real \
              date and a correct Luhn check digit. Temporary numbers are not valid.",
    params: &[param("text", Ty::Str)],
    variadic: false,
    returns: Ty::Bool,
    fallible: Fallible::Never,
    call: |args, ctx| {
        let ok = text(&args[0])
            .is_some_and(|s| personnummer::parse(&s, ctx.today).is_ok_and(|p| p.luhn_ok()));
        Ok(Value::Bool(ok))
    },
    examples: &[
        Example {
            expr: r#"pnr_valid("811218-9876")"#,
            result: "true",
        },
        Example {
            expr: r#"pnr_valid("811278-9873")"#,
            result: "true",
        },
        Example {
            expr: r#"pnr_valid("811218-9875")"#,
            result: "false",
        },
    ],
};
