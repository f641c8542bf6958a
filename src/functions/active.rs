use super::args::date;
use super::signature::*;
use crate::model::Value;
use chrono::Days;

pub const ACTIVE: Function = Function {
    name: "active",
    summary: "Whether a record is active today: `start` has passed (or is within `ahead` days) and \
              `end` has not (both inclusive; an empty date is open). Without `ahead`, the pipeline's \
              `read_ahead` applies (30 days unless it sets one), so accounts exist before a term starts; \
              `ahead: 0d` reads no days ahead. Exports that write the first day *after* a record \
              ends (an exclusive end) are read with `end_exclusive: true`: the record is inactive \
              on its end date. Strings are parsed as `date` does, so a call with string \
              arguments can fail and must be handled, e.g. `active(...) ?? false`.",
    params: &[
        date_param("start"),
        date_param("end"),
        optional("ahead", Ty::Days),
        optional("end_exclusive", Ty::Bool),
    ],
    variadic: false,
    returns: Ty::Bool,
    fallible: Fallible::WhenParsingStrings,
    call: |args, ctx| {
        let start = date(&args[0])?;
        let end = date(&args[1])?;
        let ahead = match args[2] {
            Value::Days(d) if d >= 0 => d as u64,
            Value::Days(_) => return Err("`ahead` cannot be negative".to_string()),
            _ => u64::from(ctx.read_ahead),
        };
        let horizon = ctx
            .today
            .checked_add_days(Days::new(ahead))
            .unwrap_or(ctx.today);
        let started = start.is_none_or(|s| s <= horizon);
        let exclusive = matches!(args[3], Value::Bool(true));
        let not_ended = end.is_none_or(|e| e > ctx.today || (!exclusive && e == ctx.today));
        Ok(Value::Bool(started && not_ended))
    },
    examples: &[
        Example {
            expr: r#"active("2026-08-17", "2027-06-15")"#,
            result: "true",
        },
        Example {
            expr: r#"active("2026-12-01", null)"#,
            result: "true",
        },
        Example {
            expr: r#"active("2026-12-01", null, ahead: 0d)"#,
            result: "false",
        },
        Example {
            expr: r#"active("2027-01-11", null)"#,
            result: "false",
        },
        Example {
            expr: r#"active("2027-01-11", null, ahead: 60d)"#,
            result: "true",
        },
        Example {
            expr: r#"active(null, "2026-11-20")"#,
            result: "false",
        },
        Example {
            expr: r#"active(null, "2026-11-21")"#,
            result: "true",
        },
        Example {
            expr: r#"active(null, "2026-11-21", end_exclusive: true)"#,
            result: "false",
        },
        Example {
            expr: r#"active("soon", null) ?? false"#,
            result: "false",
        },
    ],
};
