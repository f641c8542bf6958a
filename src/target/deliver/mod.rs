//! Delivery: after a target's files are written to its local folder, they are put where the
//! receiver reads them. Today that is an SFTP server (`sftp:` on the target).

mod host_key;
mod sftp;

pub use sftp::{probe, upload};
