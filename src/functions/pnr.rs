use super::args::text;
use super::signature::*;
use crate::domain::personnummer;
use crate::model::Value;

pub const PNR: Function = Function {
    name: "pnr",
    summary: "A personnummer or samordningsnummer normalised to 12 characters (YYYYMMDDNNNN), from \
              any usual shape (`811218-9876`, `8112189876`, `19811218-9876`, `+` for 100 years or older). \
              Fails when it is not one; the check digit is not required (see `pnr_valid`). Its result \
              is personal data: plan output masks it.",
    params: &[param("text", Ty::Str)],
    variadic: false,
    returns: Ty::Str,
    fallible: Fallible::Always,
    call: |args, ctx| {
        let Some(s) = text(&args[0]) else {
            return Ok(Value::Null);
        };
        personnummer::parse(&s, ctx.today).map(|p| Value::str(p.normalized))
    },
    examples: &[
        Example {
            expr: r#"pnr("811218-9876")"#,
            result: r#""198112189876""#,
        },
        Example {
            expr: r#"pnr("20130101-TF01")"#,
            result: r#""20130101TF01""#,
        },
        Example {
            expr: r#"pnr("12345") ?? null"#,
            result: "null",
        },
    ],
};
