//! Exit codes, decided in one place (documented in docs/pipeline-reference.md).

use crate::diagnostic::{Code, Diag};
use std::process::ExitCode;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Success; for `plan --detailed-exitcode`: no changes.
    Ok = 0,
    /// An error: nothing was written.
    Error = 1,
    /// `plan --detailed-exitcode`: there are changes.
    Changes = 2,
    /// The plan goes over a safety limit: held, nothing written.
    Held = 3,
    /// Another run holds the state lock.
    Locked = 4,
    /// A server target took some changes and refused others; what it took is recorded.
    Partly = 5,
}

impl Exit {
    pub fn for_errors(diags: &[Diag]) -> Exit {
        if diags.iter().any(|d| d.code == Code::Locked) {
            Exit::Locked
        } else if diags.iter().any(|d| d.code == Code::PlanHeld) {
            Exit::Held
        } else if diags.iter().any(|d| d.code == Code::PartlyApplied)
            && diags
                .iter()
                .all(|d| d.code == Code::PartlyApplied || !d.is_error())
        {
            Exit::Partly
        } else {
            Exit::Error
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e as u8)
    }
}
