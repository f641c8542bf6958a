//! School years (läsår): `2026/27` runs from 1 July 2026 to 30 June 2027. A group's identity is
//! its key together with its school year, so a key a register reuses every year (`7A`) names a
//! new group each year; such a group's id carries its year as `7A@2026-27`.

use crate::model::{EntityKind, RecordRef};
use chrono::{Datelike, NaiveDate};

/// `2026/27`, `2026/2027`, `2026-27` or `2026-2027` -> 2026; anything else -> None.
pub fn first_year(text: &str) -> Option<i32> {
    let (a, b) = text.split_once(['/', '-'])?;
    let start: i32 = a.trim().parse().ok()?;
    let end: i32 = b.trim().parse().ok()?;
    let ok = end == start + 1 || end == (start + 1).rem_euclid(100);
    (a.trim().len() == 4 && ok).then_some(start)
}

/// The calendar year the school year of `day` starts in.
pub fn first_year_of(day: NaiveDate) -> i32 {
    if day.month() >= 7 {
        day.year()
    } else {
        day.year() - 1
    }
}

/// The school year a group record names, when it names one in a known notation.
pub fn of_group<'a>(group: impl Into<RecordRef<'a>>) -> Option<i32> {
    group
        .into()
        .get(EntityKind::Group, "schoolYear")
        .and_then(first_year)
}

/// `7A` in 2026/27 -> `7A@2026-27`: the id of a group whose key another year's group holds.
pub fn qualify(key: &str, first: i32) -> String {
    format!("{key}@{}", suffix(first))
}

/// 2026 -> `2026-27` (a hyphen, not a slash: ids end up in URLs).
pub fn suffix(first: i32) -> String {
    format!("{first}-{:02}", (first + 1).rem_euclid(100))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notations() {
        assert_eq!(first_year("2026/27"), Some(2026));
        assert_eq!(first_year("2026-2027"), Some(2026));
        assert_eq!(first_year("2099/00"), Some(2099));
        assert_eq!(first_year("2026/28"), None);
        assert_eq!(first_year("26/27"), None);
        assert_eq!(first_year("VT26"), None);
    }

    #[test]
    fn qualified_ids() {
        assert_eq!(qualify("7A", 2026), "7A@2026-27");
        assert_eq!(qualify("G", 2099), "G@2099-00");
    }

    #[test]
    fn days() {
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(first_year_of(day("2026-06-30")), 2025);
        assert_eq!(first_year_of(day("2026-07-01")), 2026);
    }
}
