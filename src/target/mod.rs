//! Stage "write": target formats render what a target should hold, and a delivery puts the
//! files where the receiver reads them.
//!
//! | file | holds |
//! |---|---|
//! | `oneroster/` | OneRoster 1.1 and 1.2 CSV |
//! | `sds.rs` | Microsoft School Data Sync v2.1 CSV |
//! | `pifu/` | IMS Enterprise 1.1, PIFU-IMS profile (XML, full or delta) |
//! | `folder.rs` | the local folder: files staged beside it, then put in place atomically |
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

pub use folder::{Staged, Stagings};
pub use input::RenderInput;
pub use options::{Adopt, Document, PifuOptions, ScimOptions, SftpOptions, TargetOptions};
pub use out_file::OutFile;
pub use requirements::{check_requirements, required_fields};

use crate::diagnostic::{Code, Diag};
use crate::load::TargetKind;
use std::path::Path;

/// Renders the files of one target for this run into its staging folder.
pub fn render(
    kind: TargetKind,
    options: &TargetOptions,
    input: &RenderInput,
    out: &mut Staged,
) -> Result<(), String> {
    let held = &input.held;
    match kind {
        TargetKind::OneRoster11 => oneroster::v11::render(held, out),
        TargetKind::OneRoster12 => oneroster::v12::render(held, out),
        TargetKind::Sds21 => sds::render(held, out),
        TargetKind::PifuIms => {
            let defaults = PifuOptions::default();
            pifu::render(input, options.pifu.as_ref().unwrap_or(&defaults), out)
        }
        // A server target has no files: it is changed object by object (see `scim`).
        TargetKind::Scim20 => Ok(()),
    }
}

/// Renders a target into a staging folder beside its folder `path`, or the error that stops
/// the run before anything is written (the staging folder is then removed).
pub fn prepare(
    kind: TargetKind,
    (name, path): (&str, &Path),
    stagings: &mut Stagings,
    options: &TargetOptions,
    input: &RenderInput,
) -> Result<Staged, Diag> {
    let mut out = stagings
        .begin(path)
        .map_err(|e| cannot_write(name, path, &e))?;
    render(kind, options, input, &mut out).map_err(|m| {
        Diag::error(Code::TargetWrite, format!("target `{name}`: {m}")).help(
            "nothing was written to any target; fix what the message names (the mapping, the source data, or room on the disk) and run again",
        )
    })?;
    Ok(out)
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

/// Delivers a target's staged files when the target says where, then puts them in its
/// local folder. A failed delivery leaves the folder as it was (and state too), so the next
/// run delivers the same files again.
pub fn write(name: &str, options: &TargetOptions, staged: Staged) -> Result<(), Diag> {
    if let Some(sftp) = &options.sftp {
        deliver::upload(name, sftp, staged.files())?;
    }
    let path = staged.dir().to_path_buf();
    staged.publish().map_err(|e| cannot_write(name, &path, &e))
}

fn cannot_write(name: &str, path: &Path, e: &std::io::Error) -> Diag {
    Diag::error(
        Code::TargetWrite,
        format!("target `{name}`: cannot write {}: {e}", path.display()),
    )
    .help("check that the folder is writable; state is unchanged, so the next run writes it again")
}
