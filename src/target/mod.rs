//! Stage "write": target formats render the records a target should hold.

mod folder;
pub mod oneroster11;
mod requirements;

pub use requirements::{check_requirements, required_fields};

use crate::diagnostic::{Code, Diag};
use crate::diff::Stored;
use crate::load::TargetKind;
use std::path::Path;

/// Writes everything a target should hold after an apply.
pub fn write(kind: TargetKind, name: &str, path: &Path, stored: &Stored) -> Result<(), Diag> {
    let files = match kind {
        TargetKind::OneRoster11 => oneroster11::render(stored),
    }
    .map_err(|m| {
        Diag::error(Code::TargetWrite, format!("target `{name}`: {m}"))
            .help("nothing was written to any target")
    })?;
    folder::write_folder(path, &files).map_err(|e| {
        Diag::error(Code::TargetWrite, format!("target `{name}`: cannot write {}: {e}", path.display()))
            .help("check that the folder is writable; state is unchanged, so the next run writes it again")
    })
}
