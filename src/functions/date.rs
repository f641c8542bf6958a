use super::args::{lit, text};
use super::signature::*;
use crate::model::Value;
use chrono::{NaiveDate, NaiveDateTime};

pub const DATE: Function = Function {
    name: "date",
    summary: "Parses a date as registers write it: `2026-08-17`, `20260817`, `2026-08-17 00:00:00`, \
              `2026-08-17T00:00:00`, `2026/08/17` or `17.08.2026`; or with an explicit chrono format. \
              Fails on anything else, so it must be handled (`?? null` or `date!`).",
    params: &[
        param("text", Ty::Str),
        Param {
            name: "format",
            ty: ParamTy::Is(Ty::Str),
            optional: true,
            literal: true,
        },
    ],
    variadic: false,
    returns: Ty::Date,
    fallible: Fallible::Always,
    call: |args, _| {
        let Some(s) = text(&args[0]) else {
            return Ok(Value::Null);
        };
        let format = if args[1].is_null() {
            None
        } else {
            Some(lit(&args[1]))
        };
        parse_register_date(&s, format).map(Value::Date)
    },
    examples: &[
        Example {
            expr: r#"date("20260817")"#,
            result: "2026-08-17",
        },
        Example {
            expr: r#"date("17.08.2026")"#,
            result: "2026-08-17",
        },
        Example {
            expr: r#"date("17/08/26", format: "%d/%m/%y")"#,
            result: "2026-08-17",
        },
        Example {
            expr: r#"date("next monday")"#,
            result: "error",
        },
        Example {
            expr: r#"date("31.02.2026") ?? null"#,
            result: "null",
        },
    ],
};

const FORMATS: &[&str] = &["%Y-%m-%d", "%Y%m%d", "%Y/%m/%d", "%d.%m.%Y"];
const DATETIME_FORMATS: &[&str] = &["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"];

pub fn parse_register_date(text: &str, format: Option<&str>) -> Result<NaiveDate, String> {
    let text = text.trim();
    if let Some(f) = format {
        return NaiveDate::parse_from_str(text, f)
            .map_err(|_| format!("`{text}` is not a date in the format `{f}`"));
    }
    FORMATS
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(text, f).ok())
        .or_else(|| {
            DATETIME_FORMATS.iter().find_map(|f| {
                NaiveDateTime::parse_from_str(text, f)
                    .ok()
                    .map(|d| d.date())
            })
        })
        .ok_or_else(|| format!("`{text}` is not a date (expected e.g. 2026-08-17)"))
}
