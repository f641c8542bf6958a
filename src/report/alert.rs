//! "A held plan alerts once": which hold was last mailed, kept in a small file beside the
//! state (`STATE.alert.json`), so a plan held night after night by the same limits is
//! mailed on the first night only. The state database itself is never touched by a held
//! run; a completed run ends the hold and removes the file.

use super::{RunReport, Status};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The hold last mailed: the limits that held it, per target, and the first night.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
pub struct Alerted {
    pub held: Vec<String>,
    pub since: String,
}

/// Whether tonight's report is mailed.
#[derive(Debug, PartialEq)]
pub enum Decision {
    Send,
    /// The same limits hold the plan as on the night this hold was first mailed.
    AlreadyAlerted {
        since: String,
    },
    /// `when:` does not name this outcome.
    NotWanted,
}

/// The file beside the state database that remembers the last alert.
pub fn file_for(state: &Path) -> PathBuf {
    let mut name = state.as_os_str().to_owned();
    name.push(".alert.json");
    PathBuf::from(name)
}

/// `skolon: delete.person`, one per limit gone over: what makes a hold the same hold.
pub fn held_limits(report: &RunReport) -> Vec<String> {
    let mut limits: Vec<String> = report
        .targets
        .iter()
        .flat_map(|t| {
            t.held.iter().map(move |h| {
                let limit = h.split(':').next().unwrap_or(h);
                format!("{}: {limit}", t.name)
            })
        })
        .collect();
    limits.sort();
    limits
}

pub fn decide(report: &RunReport, wanted: bool, file: &Path) -> Decision {
    if !wanted {
        return Decision::NotWanted;
    }
    if report.status != Status::Held {
        return Decision::Send;
    }
    match read(file) {
        Some(last) if last.held == held_limits(report) => {
            Decision::AlreadyAlerted { since: last.since }
        }
        _ => Decision::Send,
    }
}

/// Remembers tonight's outcome after its mail went out (or was not wanted): a hold is
/// kept until a run completes; a completed run forgets it. A failed run says nothing
/// about the hold, so the file stays.
pub fn remember(report: &RunReport, mailed: bool, file: &Path) -> std::io::Result<()> {
    match report.status {
        Status::Held if mailed => {
            let alerted = Alerted {
                held: held_limits(report),
                since: report.today.clone(),
            };
            let json = serde_json::to_string_pretty(&alerted).unwrap_or_default();
            crate::private_file::write(file, json.as_bytes())
        }
        Status::Completed | Status::NoChanges => match std::fs::remove_file(file) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        },
        Status::Held | Status::Failed => Ok(()),
    }
}

fn read(file: &Path) -> Option<Alerted> {
    let text = std::fs::read_to_string(file).ok()?;
    serde_json::from_str(&text).ok()
}
