//! School years (läsår) as the target formats need them: `2026/27` starts on 1 July 2026.

use crate::domain::school_year::first_year;

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
        assert_eq!(
            super::dates("2026/27").unwrap(),
            ("2026-07-01".to_string(), "2027-06-30".to_string())
        );
    }
}
