//! "Did you mean ...?" for unknown names.

/// The closest candidate to `name`, if one is close enough to be a likely typo.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = name.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(&lower, &c.to_lowercase()), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// A hint naming the closest candidate, or listing what exists.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str> + Clone,
) -> String {
    match closest(name, candidates.clone()) {
        Some(c) => format!("did you mean `{c}`?"),
        None => {
            let mut all: Vec<&str> = candidates.into_iter().collect();
            all.sort_unstable();
            let shown: Vec<String> = all.iter().take(12).map(|c| format!("`{c}`")).collect();
            let more = if all.len() > 12 {
                format!(" and {} more", all.len() - 12)
            } else {
                String::new()
            };
            if shown.is_empty() {
                "none are defined".to_string()
            } else {
                format!("known names: {}{more}", shown.join(", "))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_a_near_miss() {
        assert_eq!(
            closest("Fornamn", ["Förnamn", "Efternamn"]),
            Some("Förnamn")
        );
        assert_eq!(closest("zzz", ["Förnamn", "Efternamn"]), None);
    }
}
