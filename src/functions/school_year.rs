use super::args::date;
use super::signature::*;
use crate::domain::school_year::first_year_of as first_year;
use crate::model::Value;

pub const SCHOOL_YEAR: Function = Function {
    name: "school_year",
    summary: "The school year (läsår) a date falls in, written `2026/27`: a year runs from 1 July \
              to 30 June. For registers that give a group its dates but not its school year \
              (SS12000). A string is parsed as `date` does, so a call with a string can fail and \
              must be handled.",
    params: &[date_param("date")],
    variadic: false,
    returns: Ty::Str,
    fallible: Fallible::WhenParsingStrings,
    call: |args, _| {
        let Some(d) = date(&args[0])? else {
            return Ok(Value::Null);
        };
        let first = first_year(d);
        Ok(Value::Str(
            format!("{first}/{:02}", (first + 1).rem_euclid(100)).into(),
        ))
    },
    examples: &[
        Example {
            expr: r#"school_year(date("2026-08-17") ?? null)"#,
            result: "\"2026/27\"",
        },
        Example {
            expr: r#"school_year("2027-06-30") ?? null"#,
            result: "\"2026/27\"",
        },
        Example {
            expr: r#"school_year("2099-07-01") ?? null"#,
            result: "\"2099/00\"",
        },
        Example {
            expr: r#"school_year("spring") ?? null"#,
            result: "null",
        },
    ],
};
