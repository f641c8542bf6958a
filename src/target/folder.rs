//! Writes a folder of files atomically enough for a nightly job: everything goes to a
//! temporary folder beside the target, which then replaces the old one by rename. A run
//! killed on the way leaves the old folder (or, between the two renames, none) and its
//! temporary folder; the next run removes what was left and writes the folder whole.

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
    remove_leftovers(parent, &name)?;
    let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    let old = parent.join(format!(".{name}.old-{}", std::process::id()));
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

/// Removes the temporary and old folders a killed run left beside the target (they hold
/// personal data, and nothing else would ever remove them). The state lock keeps another run
/// of the pipeline from writing here at the same time.
fn remove_leftovers(parent: &Path, name: &str) -> std::io::Result<()> {
    let (tmp, old) = (format!(".{name}.tmp-"), format!(".{name}.old-"));
    for entry in fs::read_dir(parent)? {
        let entry = entry?;
        let file_name = entry.file_name();
        let file_name = file_name.to_string_lossy();
        if file_name.starts_with(&tmp) || file_name.starts_with(&old) {
            fs::remove_dir_all(entry.path())?;
        }
    }
    Ok(())
}

fn write_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = fs::File::create(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}
