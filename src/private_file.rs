//! Files that hold personal data or real values (state and mirror databases, saved plans,
//! exports, status reports): created readable by their owner only. SQLite gives a database's
//! `-wal` and `-shm` files the database file's mode, so a database made here keeps them
//! private too.

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

/// Makes an empty `path`, mode 0600 on Unix, unless it exists: a database is created this way
/// before SQLite opens it, so it (and its `-wal` and `-shm` files) is never readable by others.
pub fn create_if_missing(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// Makes an existing file readable by its owner only (a database made by an older version).
pub fn restrict(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
    }
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &std::path::Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn a_missing_file_is_made_private_and_an_existing_one_is_kept() {
        let dir = std::env::temp_dir().join(format!("roster-etl-private-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("state.db");
        let _ = std::fs::remove_file(&path);
        super::create_if_missing(&path).unwrap();
        assert_eq!(mode(&path), 0o600);
        std::fs::write(&path, b"kept").unwrap();
        super::create_if_missing(&path).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"kept");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
