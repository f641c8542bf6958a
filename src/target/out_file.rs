//! One file a target format rendered: its name in the target folder and where it is staged
//! until the folder is put in place (see `folder`).

use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutFile {
    pub name: String,
    /// The file in the target's staging folder.
    pub path: PathBuf,
}
