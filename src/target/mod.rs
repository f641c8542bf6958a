//! Stage "write": target formats render what a target should hold, and a delivery puts the
//! files where the receiver reads them.
//!
//! | file | holds |
//! |---|---|
//! | `oneroster/` | OneRoster 1.1 and 1.2 CSV |
//! | `sds.rs` | Microsoft School Data Sync v2.1 CSV |
//! | `pifu/` | IMS Enterprise 1.1, PIFU-IMS profile (XML, full or delta) |
//! | `folder.rs` | the local folder, replaced atomically |
//! | `scim/` | SCIM 2.0: Users and Groups changed on a server, object by object |
//! | `deliver/` | upload of the files to the receiver (SFTP) |
//! | `options.rs` | format settings and delivery kept in the plan |

mod deliver;
mod folder;
mod input;
pub mod oneroster;
mod options;
mod out_file;
pub mod pifu;
mod requirements;
mod school_year;
pub mod scim;
pub mod sds;
mod table;

pub use input::RenderInput;
pub use options::{Adopt, Document, PifuOptions, ScimOptions, SftpOptions, TargetOptions};
pub use out_file::OutFile;
pub use requirements::{check_requirements, required_fields};

use crate::diagnostic::{Code, Diag};
use crate::load::TargetKind;
use std::path::Path;

/// Renders the files of one target for this run.
pub fn render(
    kind: TargetKind,
    options: &TargetOptions,
    input: &RenderInput,
) -> Result<Vec<OutFile>, String> {
    let stored = input.stored;
    match kind {
        TargetKind::OneRoster11 => oneroster::v11::render(stored),
        TargetKind::OneRoster12 => oneroster::v12::render(stored),
        TargetKind::Sds21 => sds::render(stored),
        TargetKind::PifuIms => {
            let defaults = PifuOptions::default();
            pifu::render(input, options.pifu.as_ref().unwrap_or(&defaults))
        }
        // A server target has no files: it is changed object by object (see `scim`).
        TargetKind::Scim20 => Ok(Vec::new()),
    }
}

/// Renders a target, or the error that stops the run before anything is written.
pub fn prepare(
    kind: TargetKind,
    name: &str,
    options: &TargetOptions,
    input: &RenderInput,
) -> Result<Vec<OutFile>, Diag> {
    render(kind, options, input).map_err(|m| {
        Diag::error(Code::TargetWrite, format!("target `{name}`: {m}")).help(
            "nothing was written to any target; fix the mapping or the source data and run again",
        )
    })
}

/// Checks that a target's server is reachable and takes its credentials (`etl validate
/// --connect`); `None` when the target writes only to its local folder.
pub fn check_connection(name: &str, options: &TargetOptions) -> Option<Result<String, Diag>> {
    if let Some(scim) = &options.scim {
        return Some(scim::probe(name, scim));
    }
    let sftp = options.sftp.as_ref()?;
    Some(deliver::probe(name, sftp).map(|()| {
        format!(
            "target `{name}`: SFTP {}@{}:{} reachable, host key known, login accepted, folder `{}` found",
            sftp.user, sftp.host, sftp.port, sftp.dir
        )
    }))
}

/// Delivers a target's files when the target says where, then writes them to its local
/// folder. A failed delivery leaves the folder as it was (and state too), so the next run
/// delivers the same files again.
pub fn write(
    name: &str,
    path: &Path,
    options: &TargetOptions,
    files: &[OutFile],
) -> Result<(), Diag> {
    if let Some(sftp) = &options.sftp {
        deliver::upload(name, sftp, files)?;
    }
    folder::write_folder(path, files).map_err(|e| {
        Diag::error(Code::TargetWrite, format!("target `{name}`: cannot write {}: {e}", path.display()))
            .help("check that the folder is writable; state is unchanged, so the next run writes it again")
    })
}
