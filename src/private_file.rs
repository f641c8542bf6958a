//! Files that hold personal data or real values (saved plans, exports, status reports):
//! created readable by their owner only.

use std::path::Path;

/// Creates (or empties) `path`, mode 0600 on Unix.
pub fn create(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// Writes `bytes` to `path` (created as [`create`] does).
pub fn write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::io::Write::write_all(&mut create(path)?, bytes)
}
