//! The steps of a sync cycle, and which one an error stopped.

use crate::diagnostic::Code;

/// In order. `load` and `check` read the pipeline and mappings; `read` the sources; `map`
/// runs the mappings; `state` loads what each target holds; `diff` plans; `safety` checks
/// the limits; `write` applies (apply only).
pub const STEPS: &[&str] = &[
    "load", "check", "read", "map", "state", "diff", "safety", "write",
];

/// The step an error code belongs to (codes are numbered by stage: docs/errors.md).
pub fn stopped_at(code: Option<Code>) -> &'static str {
    let Some(code) = code else { return "load" };
    let n: u32 = code.as_str()[1..].parse().unwrap_or(0);
    match (n / 100, code) {
        (_, Code::PlanHeld) => "safety",
        (_, Code::Locked | Code::StateFailed | Code::StalePlan) => "state",
        (_, Code::EmptyDataset) => "safety",
        (0, _) => "load",
        (1 | 2, _) => "check",
        (3, _) => "read",
        (4, _) => "map",
        _ => "write",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_code_stops_its_own_step() {
        assert_eq!(stopped_at(Some(Code::YamlSyntax)), "load");
        assert_eq!(stopped_at(Some(Code::UnknownColumn)), "check");
        assert_eq!(stopped_at(Some(Code::TierExceeded)), "check");
        assert_eq!(stopped_at(Some(Code::Encoding)), "read");
        assert_eq!(stopped_at(Some(Code::EmptyDataset)), "safety");
        assert_eq!(stopped_at(Some(Code::DuplicateKey)), "map");
        assert_eq!(stopped_at(Some(Code::Locked)), "state");
        assert_eq!(stopped_at(Some(Code::PlanHeld)), "safety");
        assert_eq!(stopped_at(Some(Code::TargetWrite)), "write");
        for name in [stopped_at(Some(Code::ServerUnreachable)), stopped_at(None)] {
            assert!(STEPS.contains(&name));
        }
    }
}
