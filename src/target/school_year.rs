//! School years (läsår) as the target formats need them: `2026/27` starts on 1 July 2026.

/// `2026/27`, `2026/2027`, `2026-27` or `2026-2027` -> 2026.
pub fn first_year(text: &str) -> Option<i32> {
    let (a, b) = text.split_once(['/', '-'])?;
    let start: i32 = a.trim().parse().ok()?;
    let end: i32 = b.trim().parse().ok()?;
    let ok = end == start + 1 || end == (start + 1) % 100;
    (a.trim().len() == 4 && ok).then_some(start)
}

/// The first and last day of a school year, or an error for the record that names it.
pub fn dates(year: &str) -> Result<(String, String), String> {
    let start = first_year(year).ok_or_else(|| {
        format!(
            "schoolYear `{year}` is not a school year like `2026/27`; the target needs its dates"
        )
    })?;
    Ok((format!("{start}-07-01"), format!("{}-06-30", start + 1)))
}

#[cfg(test)]
mod tests {
    #[test]
    fn school_years() {
        assert_eq!(super::first_year("2026/27"), Some(2026));
        assert_eq!(super::first_year("2026-2027"), Some(2026));
        assert_eq!(super::first_year("2099/00"), Some(2099));
        assert_eq!(super::first_year("2026/28"), None);
        assert_eq!(super::first_year("HT26"), None);
        assert_eq!(
            super::dates("2026/27").unwrap(),
            ("2026-07-01".to_string(), "2027-06-30".to_string())
        );
    }
}
