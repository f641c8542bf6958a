//! One safety limit: a count and/or a percentage of what the target held before.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Which changes a limit counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LimitName {
    /// Creates and restores of one entity kind.
    Create(crate::model::EntityKind),
    /// Updates and re-keys.
    Update(crate::model::EntityKind),
    /// Trashes, archives, delayed and immediate deletes.
    Delete(crate::model::EntityKind),
    /// Members leaving any one group.
    RemoveMembers,
}

impl LimitName {
    /// Every limit a pipeline can set, by name.
    pub fn all() -> Vec<LimitName> {
        use crate::model::EntityKind;
        let mut names = Vec::new();
        for op in [LimitName::Create, LimitName::Update, LimitName::Delete] {
            names.extend(EntityKind::ALL.iter().map(|k| op(*k)));
        }
        names.push(LimitName::RemoveMembers);
        names
    }

    pub fn parse(text: &str) -> Option<LimitName> {
        LimitName::all().into_iter().find(|n| n.to_string() == text)
    }

    pub fn names() -> Vec<String> {
        LimitName::all().iter().map(ToString::to_string).collect()
    }
}

impl fmt::Display for LimitName {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            LimitName::Create(k) => write!(f, "create.{}", k.name()),
            LimitName::Update(k) => write!(f, "update.{}", k.name()),
            LimitName::Delete(k) => write!(f, "delete.{}", k.name()),
            LimitName::RemoveMembers => f.write_str("remove_members"),
        }
    }
}

/// At most `count` changes, at most `percent` of the previous state; when both are set, a plan
/// is over the limit only when it is over both (small targets are guarded by the count, large
/// ones by the share).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Limit {
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub count: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub percent: Option<f64>,
}

impl Limit {
    pub const fn new(count: u64, percent: f64) -> Limit {
        Limit {
            count: Some(count),
            percent: Some(percent),
        }
    }

    /// Whether `changes` out of a previous `base` go over this limit.
    pub fn exceeded(&self, changes: usize, base: usize) -> bool {
        let over_count = self.count.map(|c| changes as u64 > c);
        let over_share = self.percent.map(|p| share(changes, base) > p);
        match (over_count, over_share) {
            (Some(a), Some(b)) => a && b,
            (Some(a), None) => a,
            (None, Some(b)) => b,
            (None, None) => false,
        }
    }

    /// `50`, `5%`, or a count and a share; anything else is `None`.
    pub fn parse(text: &str) -> Option<Limit> {
        let text = text.trim();
        if let Some(p) = text.strip_suffix('%') {
            let percent: f64 = p.trim().parse().ok()?;
            return (percent.is_finite() && percent >= 0.0).then_some(Limit {
                count: None,
                percent: Some(percent),
            });
        }
        let count = text.parse().ok()?;
        Some(Limit {
            count: Some(count),
            percent: None,
        })
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match (self.count, self.percent) {
            (Some(c), Some(p)) => write!(
                f,
                "more than {} and more than {}%",
                thousands(c as usize),
                trim(p)
            ),
            (Some(c), None) => write!(f, "more than {}", thousands(c as usize)),
            (None, Some(p)) => write!(f, "more than {}%", trim(p)),
            (None, None) => f.write_str("no limit"),
        }
    }
}

/// `changes` as a percentage of `base`; any change to an empty base is 100%.
pub fn share(changes: usize, base: usize) -> f64 {
    if base == 0 {
        if changes == 0 { 0.0 } else { 100.0 }
    } else {
        changes as f64 * 100.0 / base as f64
    }
}

/// `1204` -> `1 204`, as Swedish and Norwegian readers write it.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

fn trim(p: f64) -> String {
    let text = format!("{p:.1}");
    text.strip_suffix(".0").map(str::to_string).unwrap_or(text)
}

pub fn percent_text(p: f64) -> String {
    trim(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_parts_must_be_exceeded() {
        let limit = Limit::new(50, 5.0);
        assert!(
            !limit.exceeded(60, 10_000),
            "over the count, under the share"
        );
        assert!(!limit.exceeded(10, 100), "over the share, under the count");
        assert!(limit.exceeded(51, 1_000));
        assert!(Limit::parse("5%").unwrap().exceeded(6, 100));
        assert!(!Limit::parse("5%").unwrap().exceeded(5, 100));
        assert!(Limit::parse("3").unwrap().exceeded(4, 1));
    }

    #[test]
    fn parses_counts_and_shares() {
        assert_eq!(Limit::parse("1500").unwrap().count, Some(1500));
        assert_eq!(Limit::parse("12.5 %").unwrap().percent, Some(12.5));
        assert_eq!(Limit::parse("-1"), None);
        assert_eq!(Limit::parse("lots"), None);
        assert_eq!(Limit::parse("-3%"), None);
    }

    #[test]
    fn names_round_trip() {
        for name in LimitName::all() {
            assert_eq!(LimitName::parse(&name.to_string()), Some(name));
        }
        assert_eq!(thousands(1204), "1 204");
        assert_eq!(thousands(1_000_000), "1 000 000");
        assert_eq!(thousands(999), "999");
    }
}
