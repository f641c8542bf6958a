//! One run at a time per pipeline: an OS file lock beside the state database. The OS
//! releases it when the process ends, even on a crash, so a lock is never left stale.

use crate::diagnostic::{Code, Diag};
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

pub struct StateLock {
    file: File,
}

pub fn lock_path(state: &Path) -> PathBuf {
    let mut name = state.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    state.with_file_name(name)
}

impl StateLock {
    /// Takes the lock or says who holds it. `command` is recorded for the next one to see.
    pub fn acquire(state: &Path, command: &str) -> Result<StateLock, Diag> {
        let path = lock_path(state);
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| io_error(&path, &e))?;
        }
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| io_error(&path, &e))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                let holder = holder.trim();
                let who = if holder.is_empty() {
                    "another run".to_string()
                } else {
                    holder.to_string()
                };
                return Err(Diag::error(Code::Locked, format!("the state is locked by {who}"))
                    .at(path.display().to_string())
                    .help("wait for that run to finish; the lock is released when its process ends, even if it crashes"));
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io_error(&path, &e)),
        }
        let holder = format!(
            "`{command}` (pid {}) since {}",
            std::process::id(),
            chrono::Local::now().format("%Y-%m-%d %H:%M:%S")
        );
        let _ = file.set_len(0);
        let _ = file.rewind();
        let _ = file.write_all(holder.as_bytes());
        let _ = file.flush();
        Ok(StateLock { file })
    }
}

impl Drop for StateLock {
    fn drop(&mut self) {
        let _ = self.file.set_len(0);
        let _ = self.file.unlock();
    }
}

fn io_error(path: &Path, e: &std::io::Error) -> Diag {
    Diag::error(
        Code::StateFailed,
        format!("cannot open the lock file {}: {e}", path.display()),
    )
    .help("the state folder must be writable by the user running roster-etl")
}
