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
    call: |args, ctx| Window::of(args, ctx).map(|w| Value::Bool(w.is_active(ctx))),
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

/// An activity window as `active()` reads its arguments.
struct Window {
    start: Option<chrono::NaiveDate>,
    end: Option<chrono::NaiveDate>,
    ahead: u64,
    exclusive: bool,
}

impl Window {
    fn of(args: &[Value<'_>], ctx: &CallCtx) -> Result<Window, String> {
        let ahead = match args.get(2) {
            Some(Value::Days(d)) if *d >= 0 => *d as u64,
            Some(Value::Days(_)) => return Err("`ahead` cannot be negative".to_string()),
            _ => u64::from(ctx.read_ahead),
        };
        Ok(Window {
            start: date(args.first().unwrap_or(&Value::Null))?,
            end: date(args.get(1).unwrap_or(&Value::Null))?,
            ahead,
            exclusive: matches!(args.get(3), Some(Value::Bool(true))),
        })
    }

    /// The last day a start may fall on and still count as begun.
    fn horizon(&self, ctx: &CallCtx) -> chrono::NaiveDate {
        ctx.today
            .checked_add_days(Days::new(self.ahead))
            .unwrap_or(ctx.today)
    }

    fn started(&self, ctx: &CallCtx) -> bool {
        self.start.is_none_or(|s| s <= self.horizon(ctx))
    }

    fn not_ended(&self, ctx: &CallCtx) -> bool {
        self.end
            .is_none_or(|e| e > ctx.today || (!self.exclusive && e == ctx.today))
    }

    fn is_active(&self, ctx: &CallCtx) -> bool {
        self.started(ctx) && self.not_ended(ctx)
    }
}

/// Why `active()` gave its answer, in words, for `etl explain`. `labels` name the start and
/// end arguments as the mapping wrote them (column names, say).
pub fn why(args: &[Value<'_>], labels: [&str; 2], ctx: &CallCtx) -> String {
    let w = match Window::of(args, ctx) {
        Ok(w) => w,
        Err(e) => return e,
    };
    let [start_name, end_name] = labels;
    let today = ctx.today;
    let ahead = w.ahead;
    if let Some(end) = w.end.filter(|_| !w.not_ended(ctx)) {
        let rule = if w.exclusive {
            " (an exclusive end: the record ends the day before)"
        } else {
            ""
        };
        return format!("{end_name} {end} has passed (today is {today}){rule}");
    }
    match w.start {
        Some(start) if !w.started(ctx) => {
            let from = start.checked_sub_days(Days::new(ahead)).unwrap_or(start);
            if ahead == 0 {
                format!("{start_name} {start} has not come yet (today is {today}; no read-ahead)")
            } else {
                format!(
                    "{start_name} {start} has not come; with {ahead} days read-ahead it appears on {from}"
                )
            }
        }
        Some(start) if start > today => format!(
            "{start_name} {start} is within the {ahead} days read ahead{}",
            ends(w.end, end_name)
        ),
        Some(start) => format!("{start_name} {start} has passed{}", ends(w.end, end_name)),
        None => format!("no {start_name}{}", ends(w.end, end_name)),
    }
}

fn ends(end: Option<chrono::NaiveDate>, name: &str) -> String {
    match end {
        Some(e) => format!(" and {name} {e} has not"),
        None => format!(", no {name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::CallCtx;

    fn why_of(start: &str, end: &str, ahead: Option<i64>) -> String {
        let ctx = CallCtx::new(chrono::NaiveDate::from_ymd_opt(2026, 11, 21).unwrap_or_default());
        let text = |t: &str| match t {
            "" => Value::Null,
            t => Value::str(t.to_string()),
        };
        let args = [
            text(start),
            text(end),
            ahead.map_or(Value::Null, Value::Days),
            Value::Null,
        ];
        why(&args, ["Startdatum", "Slutdatum"], &ctx)
    }

    #[test]
    fn says_when_a_future_start_appears() {
        assert_eq!(
            why_of("2027-01-11", "", None),
            "Startdatum 2027-01-11 has not come; with 30 days read-ahead it appears on 2026-12-12"
        );
        assert_eq!(
            why_of("2026-12-01", "", Some(0)),
            "Startdatum 2026-12-01 has not come yet (today is 2026-11-21; no read-ahead)"
        );
    }

    #[test]
    fn says_when_an_end_has_passed() {
        assert_eq!(
            why_of("2020-08-17", "2026-10-30", None),
            "Slutdatum 2026-10-30 has passed (today is 2026-11-21)"
        );
    }

    #[test]
    fn says_why_a_record_is_active() {
        assert_eq!(
            why_of("2021-08-16", "", None),
            "Startdatum 2021-08-16 has passed, no Slutdatum"
        );
        assert_eq!(
            why_of("2026-12-07", "2027-06-10", None),
            "Startdatum 2026-12-07 is within the 30 days read ahead and Slutdatum 2027-06-10 has not"
        );
    }

    #[test]
    fn says_what_is_not_a_date() {
        assert!(
            why_of("soon", "", None).contains("soon"),
            "{}",
            why_of("soon", "", None)
        );
    }
}
