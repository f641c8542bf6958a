//! A yearly window of dates (`from: 08-10`, `to: 08-25`): rollover and additions-only runs.

use chrono::{Datelike, NaiveDate};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct YearlyWindow {
    /// (month, day), both inclusive; `from` after `to` wraps over the new year.
    pub from: (u32, u32),
    pub to: (u32, u32),
}

impl YearlyWindow {
    pub fn contains(&self, date: NaiveDate) -> bool {
        let d = (date.month(), date.day());
        if self.from <= self.to {
            self.from <= d && d <= self.to
        } else {
            d >= self.from || d <= self.to
        }
    }

    /// `MM-DD`, a day that exists in a leap year.
    pub fn parse_day(text: &str) -> Option<(u32, u32)> {
        let (m, d) = text.trim().split_once('-')?;
        if m.len() != 2 || d.len() != 2 {
            return None;
        }
        let (m, d): (u32, u32) = (m.parse().ok()?, d.parse().ok()?);
        NaiveDate::from_ymd_opt(2024, m, d).map(|_| (m, d))
    }
}

impl std::fmt::Display for YearlyWindow {
    /// `08-10..08-25`
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        let (a, b) = (self.from, self.to);
        write!(f, "{:02}-{:02}..{:02}-{:02}", a.0, a.1, b.0, b.1)
    }
}

/// `14d` -> 14.
pub fn parse_days(text: &str) -> Option<u32> {
    text.trim().strip_suffix('d')?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn windows_are_inclusive_and_may_wrap() {
        let summer = YearlyWindow {
            from: (6, 15),
            to: (8, 9),
        };
        assert!(summer.contains(day("2026-06-15")));
        assert!(summer.contains(day("2026-08-09")));
        assert!(!summer.contains(day("2026-08-10")));
        let winter = YearlyWindow {
            from: (12, 20),
            to: (1, 6),
        };
        assert!(winter.contains(day("2026-12-31")) && winter.contains(day("2027-01-06")));
        assert!(!winter.contains(day("2027-01-07")));
        assert_eq!(YearlyWindow::parse_day("02-29"), Some((2, 29)));
        assert_eq!(YearlyWindow::parse_day("02-30"), None);
        assert_eq!(YearlyWindow::parse_day("8-1"), None);
        assert_eq!(parse_days("14d"), Some(14));
        assert_eq!(parse_days("14"), None);
    }
}
