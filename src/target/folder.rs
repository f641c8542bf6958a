//! Writes a folder of files atomically enough for a nightly job: everything goes to a
//! temporary folder beside the target, which then replaces the old one by rename.

use super::OutFile;
use std::fs;
use std::io::Write;
use std::path::Path;

pub fn write_folder(dir: &Path, files: &[OutFile]) -> std::io::Result<()> {
    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(parent)?;
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "target".to_string());
    let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    let old = parent.join(format!(".{name}.old-{}", std::process::id()));
    if tmp.exists() {
        fs::remove_dir_all(&tmp)?;
    }
    fs::create_dir_all(&tmp)?;
    for file in files {
        write_file(&tmp.join(&file.name), &file.bytes)?;
    }
    if dir.exists() {
        fs::rename(dir, &old)?;
    }
    if let Err(e) = fs::rename(&tmp, dir) {
        if old.exists() {
            let _ = fs::rename(&old, dir);
        }
        return Err(e);
    }
    if old.exists() {
        fs::remove_dir_all(&old)?;
    }
    Ok(())
}

fn write_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = fs::File::create(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}
