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
    if let Some(date) = iso_date(text) {
        return Ok(date);
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

/// `YYYY-MM-DD` exactly, the shape nearly every register writes, read without going through
/// a format string (that took a twentieth of a large run); anything else goes the long way.
fn iso_date(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| {
        b[range].iter().try_fold(0u32, |n, d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    let year = i32::try_from(number(0..4)?).ok()?;
    NaiveDate::from_ymd_opt(year, number(5..7)?, number(8..10)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The short way gives what the format string gives, and declines what it cannot read.
    #[test]
    fn iso_dates_read_the_short_way_match_chrono() {
        for text in [
            "2026-08-17",
            "2024-02-29",
            "0001-01-01",
            "9999-12-31",
            "2026-02-30",
            "2023-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-1-017",
            "2026-08-1x",
            "+026-08-17",
            "2026/08/17",
            "2026-08-17 ",
        ] {
            let long = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok();
            if let Some(short) = iso_date(text) {
                assert_eq!(Some(short), long, "{text}");
            }
        }
        for text in ["2026-08-17", "2024-02-29", "0001-01-01", "9999-12-31"] {
            assert!(iso_date(text).is_some(), "{text} goes the short way");
        }
        assert_eq!(
            parse_register_date("2026-02-30", None).unwrap_err(),
            "`2026-02-30` is not a date (expected e.g. 2026-08-17)"
        );
    }
}
