use super::args::text;
use super::signature::*;
use crate::domain::personnummer;
use crate::model::Value;

pub const PNR_BIRTH_DATE: Function = Function {
    name: "pnr_birth_date",
    summary: "The birth date a personnummer holds (for a samordningsnummer, day − 60). Fails when \
              the text is not a personnummer.",
    params: &[param("text", Ty::Str)],
    variadic: false,
    returns: Ty::Date,
    fallible: Fallible::Always,
    call: |args, ctx| {
        let Some(s) = text(&args[0]) else {
            return Ok(Value::Null);
        };
        personnummer::parse(&s, ctx.today).map(|p| Value::Date(p.birth_date))
    },
    examples: &[
        Example {
            expr: r#"pnr_birth_date("811278-9873")"#,
            result: "1981-12-18",
        },
        Example {
            expr: r#"pnr_birth_date("x") ?? null"#,
            result: "null",
        },
    ],
};
