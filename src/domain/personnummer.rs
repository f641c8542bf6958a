//! Swedish personnummer and samordningsnummer: shape, century, date, Luhn, temporary numbers.
//!
//! Accepted shapes: `YYMMDD-NNNN`, `YYMMDD+NNNN` (100 years or older), `YYMMDDNNNN`,
//! `YYYYMMDDNNNN`, `YYYYMMDD-NNNN`. A temporary number (reservnummer) has letters in
//! positions 9-10 of the 12-character form, e.g. `20130101TF01`; it has no check digit.
//! Error messages never repeat the number: they end up in logs and reports.

use chrono::{Datelike, NaiveDate};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Personnummer {
    /// Always 12 characters: `YYYYMMDD` and four more.
    pub normalized: String,
    pub birth_date: NaiveDate,
    pub coordination: bool,
    pub temporary: bool,
}

impl Personnummer {
    pub fn luhn_ok(&self) -> bool {
        !self.temporary && luhn(&self.normalized[2..])
    }
}

/// Whether a text has the shape of a temporary number (reservnummer): 12 characters after
/// removing separators, a date, then letters in positions 9-10. Such numbers are neither
/// unique nor permanent, so joins never match on them.
pub fn looks_temporary(text: &str) -> bool {
    let compact: Vec<char> = text
        .trim()
        .chars()
        .filter(|c| *c != '-' && *c != '+' && *c != ' ')
        .collect();
    compact.len() == 12
        && compact[..8].iter().all(char::is_ascii_digit)
        && compact[8..10].iter().any(char::is_ascii_alphabetic)
}

pub fn parse(text: &str, today: NaiveDate) -> Result<Personnummer, String> {
    let trimmed = text.trim();
    let plus = trimmed.contains('+');
    let compact: String = trimmed
        .chars()
        .filter(|c| *c != '-' && *c != '+' && *c != ' ')
        .collect();
    let full = match compact.chars().count() {
        12 => compact,
        10 => format!("{}{}", century(&compact, plus, today)?, compact),
        _ => return Err("not a personnummer: it is not 10 or 12 characters long".to_string()),
    };
    let (date_part, tail) = full
        .split_at_checked(8)
        .ok_or_else(|| "not a personnummer".to_string())?;
    if !date_part.chars().all(|c| c.is_ascii_digit()) {
        return Err("not a personnummer: it does not start with a date".to_string());
    }
    let tail_chars: Vec<char> = tail.chars().collect();
    let temporary = tail_chars[..2].iter().any(|c| c.is_ascii_alphabetic());
    let digits_ok = tail_chars
        .iter()
        .enumerate()
        .all(|(i, c)| c.is_ascii_digit() || (temporary && i < 2 && c.is_ascii_alphabetic()));
    if !digits_ok {
        return Err("not a personnummer: it has characters that are not digits".to_string());
    }
    let year: i32 = date_part[..4].parse().map_err(|_| "bad year".to_string())?;
    let month: u32 = date_part[4..6]
        .parse()
        .map_err(|_| "bad month".to_string())?;
    let mut day: u32 = date_part[6..8].parse().map_err(|_| "bad day".to_string())?;
    let coordination = day > 60;
    if coordination {
        day -= 60;
    }
    let birth_date = NaiveDate::from_ymd_opt(year, month, day)
        .ok_or_else(|| "the personnummer does not hold a valid birth date".to_string())?;
    Ok(Personnummer {
        normalized: full.to_ascii_uppercase(),
        birth_date,
        coordination,
        temporary,
    })
}

/// The century of a 10-character number: the latest that is not in the future,
/// one century earlier with `+`.
fn century(ten: &str, plus: bool, today: NaiveDate) -> Result<String, String> {
    let yy: i32 = ten
        .get(..2)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| "not a personnummer: it does not start with a year".to_string())?;
    let this_year = today.year();
    let mut year = this_year - (this_year - yy).rem_euclid(100);
    if plus {
        year -= 100;
    }
    Ok(format!("{:02}", year / 100))
}

/// The Luhn check over the 10 digits `YYMMDDNNNC`.
fn luhn(ten: &str) -> bool {
    let digits: Vec<u32> = ten.chars().filter_map(|c| c.to_digit(10)).collect();
    if digits.len() != 10 {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let v = if i % 2 == 0 { d * 2 } else { *d };
            if v > 9 { v - 9 } else { v }
        })
        .sum();
    sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 21).unwrap()
    }

    #[test]
    fn normalizes_every_shape() {
        for text in ["811218-9876", "8112189876", "198112189876", "19811218-9876"] {
            let p = parse(text, today()).unwrap();
            assert_eq!(p.normalized, "198112189876", "{text}");
            assert!(p.luhn_ok());
        }
        assert_eq!(
            parse("121212+1212", today()).unwrap().normalized,
            "191212121212"
        );
        assert_eq!(
            parse("100101-1234", today()).unwrap().normalized,
            "201001011234"
        );
    }

    #[test]
    fn coordination_and_temporary() {
        let p = parse("198112789876", today()).unwrap();
        assert!(p.coordination);
        assert_eq!(p.birth_date, NaiveDate::from_ymd_opt(1981, 12, 18).unwrap());
        let t = parse("20130101TF01", today()).unwrap();
        assert!(t.temporary);
        assert!(!t.luhn_ok());
    }

    #[test]
    fn rejects_bad_shapes() {
        assert!(parse("12345", today()).is_err());
        assert!(parse("19811340-1234", today()).is_err());
        assert!(parse("1981121X9876", today()).is_err());
        assert!(!parse("811218-9875", today()).unwrap().luhn_ok());
    }
}
