//! What `etl explain` looks for: a personnummer, an e-mail address or an id, and how each
//! one matches a source field or a record value.

use crate::domain::personnummer;
use chrono::NaiveDate;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Needle {
    /// A personnummer or samordningsnummer, as its 12 characters (`YYYYMMDDNNNN`).
    Pnr(String),
    /// An e-mail address (matched without regard to case).
    Email(String),
    /// A register id, account name or group id (matched exactly).
    Id(String),
}

impl Needle {
    pub fn parse(who: &str, today: NaiveDate) -> Needle {
        let who = who.trim();
        if who.contains('@') {
            return Needle::Email(who.to_string());
        }
        let looks_numeric = who.chars().filter(char::is_ascii_digit).count() >= 8;
        match personnummer::parse(who, today) {
            Ok(p) if looks_numeric => Needle::Pnr(p.normalized),
            _ => Needle::Id(who.to_string()),
        }
    }

    /// Whether the needle is personal data (shown masked unless asked for).
    pub fn is_sensitive(&self) -> bool {
        matches!(self, Needle::Pnr(_))
    }

    /// Whether a value (a source field, a record's key or field) is the one looked for.
    pub fn matches(&self, value: &str) -> bool {
        let value = value.trim();
        match self {
            Needle::Pnr(full) => same_pnr(full, value),
            Needle::Email(mail) => value.eq_ignore_ascii_case(mail),
            Needle::Id(id) => value == id,
        }
    }
}

/// A field holds the personnummer in any of its written forms: 12 or 10 characters, with
/// or without `-`, `+` or spaces.
fn same_pnr(full: &str, value: &str) -> bool {
    if value.len() < 10 || value.len() > 14 {
        return false;
    }
    let compact = value
        .chars()
        .filter(|c| !matches!(c, '-' | '+' | ' '))
        .map(|c| c.to_ascii_uppercase());
    let mut compact_len = 0;
    let mut tail = full.chars().skip(2);
    let mut head = full.chars();
    let (mut as12, mut as10) = (true, true);
    for c in compact {
        compact_len += 1;
        as12 &= head.next() == Some(c);
        as10 &= tail.next() == Some(c);
    }
    (compact_len == 12 && as12) || (compact_len == 10 && as10)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 21).unwrap_or_default()
    }

    #[test]
    fn a_personnummer_matches_every_written_form() {
        let n = Needle::parse("20150312-1236", today());
        assert_eq!(n, Needle::Pnr("201503121236".to_string()));
        for form in [
            "201503121236",
            "20150312-1236",
            "150312-1236",
            "1503121236",
            " 150312 1236 ",
        ] {
            assert!(n.matches(form), "{form}");
        }
        for other in ["201503121237", "150312-1237", "E1001", "", "2015031212360"] {
            assert!(!n.matches(other), "{other}");
        }
    }

    #[test]
    fn a_temporary_number_is_a_personnummer_too() {
        let n = Needle::parse("20130101-TF01", today());
        assert_eq!(n, Needle::Pnr("20130101TF01".to_string()));
        assert!(n.matches("20130101tf01"));
    }

    #[test]
    fn e_mail_ignores_case_and_ids_match_exactly() {
        let mail = Needle::parse("Asa.Oberg@elev.example.se", today());
        assert!(mail.matches("asa.oberg@elev.example.se"));
        let id = Needle::parse("E1001", today());
        assert_eq!(id, Needle::Id("E1001".to_string()));
        assert!(id.matches("E1001") && !id.matches("e1001") && !id.matches("E10011"));
        // A short number is an id, not a personnummer.
        assert_eq!(
            Needle::parse("12345678", today()),
            Needle::Id("12345678".to_string())
        );
    }
}
