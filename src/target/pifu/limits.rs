//! The PIFU-IMS schema's value rules, checked before a document is written so that a
//! receiver never gets a file its validator rejects.

/// A value that must fit the schema's `t_stringN`; an error names the record.
pub fn fit<'v>(value: &'v str, max: usize, what: &str, key: &str) -> Result<&'v str, String> {
    if value.chars().count() > max {
        return Err(format!(
            "{what} of `{key}` has {} characters; PIFU-IMS allows at most {max}",
            value.chars().count()
        ));
    }
    Ok(value)
}

/// The first `max` characters (for `description/short`, where the full name follows in `long`).
pub fn cut(value: &str, max: usize) -> String {
    value.chars().take(max).collect()
}

/// The schema's e-mail pattern, `.+@.+(\..+)+` (XSD patterns match the whole value).
pub struct EmailRule(regex::Regex);

impl EmailRule {
    pub fn new() -> EmailRule {
        EmailRule(regex::Regex::new(r"^.+@.+(\..+)+$").expect("a constant pattern"))
    }

    pub fn accepts(&self, value: &str) -> bool {
        self.0.is_match(value)
    }
}

/// `2026/27` -> `2026/2027`, the schema's `adminperiod` pattern.
pub fn admin_period(school_year: &str) -> Option<String> {
    let start = crate::domain::school_year::first_year(school_year)?;
    Some(format!("{start}/{}", start + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_follow_the_schema_pattern() {
        let rule = EmailRule::new();
        assert!(rule.accepts("asa.oberg@elev.example.se"));
        assert!(rule.accepts("a@.b.c"));
        assert!(!rule.accepts("asa.oberg"));
        assert!(!rule.accepts("@example.se"));
        assert!(!rule.accepts("asa@localhost"));
        assert!(!rule.accepts("asa@example."));
    }

    #[test]
    fn values_fit_or_name_the_record() {
        assert_eq!(fit("Åsa", 3, "given name", "E1"), Ok("Åsa"));
        let err = fit("Åsaa", 3, "given name", "E1").unwrap_err();
        assert!(err.contains("`E1`") && err.contains("at most 3"), "{err}");
        assert_eq!(cut("Matematik 5A", 3), "Mat");
        assert_eq!(admin_period("2026/27").as_deref(), Some("2026/2027"));
    }
}
