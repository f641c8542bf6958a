//! A target's folder, replaced atomically enough for a nightly job. Its files are rendered
//! straight into a staging folder beside the target (a national enrollments file is about a
//! gigabyte, never held in memory), which then replaces the old folder by rename. A run
//! killed on the way leaves the old folder (or, between the two renames, none) and its
//! staging folder; the next run removes what was left and writes the folder whole. A
//! staging folder that is never published (a render failed, another target failed first)
//! is removed when it is dropped.

use super::OutFile;
use std::fs;
use std::path::{Path, PathBuf};

/// The files of one target, written to its staging folder, not yet in place.
#[derive(Debug)]
pub struct Staged {
    /// The target's folder.
    dir: PathBuf,
    /// The staging folder beside it.
    tmp: PathBuf,
    /// Where the old folder goes while the new one is renamed into place.
    old: PathBuf,
    files: Vec<OutFile>,
    /// The folders this run made that hold the staging folder (outermost first), removed
    /// with it, when empty, if it is never published: a failed run leaves nothing behind.
    made: Vec<PathBuf>,
    published: bool,
}

/// The staging folders of one run: numbers them (two targets could name the same folder)
/// and remembers the folders the run made for them.
#[derive(Debug, Default)]
pub struct Stagings {
    begun: usize,
    made: Vec<PathBuf>,
}

impl Stagings {
    /// Starts the staging folder of the target folder `dir`, after removing what killed runs
    /// left beside it.
    pub fn begin(&mut self, dir: &Path) -> std::io::Result<Staged> {
        let parent = dir
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        self.made.extend(missing_folders(parent));
        fs::create_dir_all(parent)?;
        let made = self
            .made
            .iter()
            .filter(|m| parent.starts_with(m))
            .cloned()
            .collect();
        let nth = self.begun;
        self.begun += 1;
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "target".to_string());
        remove_leftovers(parent, &name)?;
        let ours = format!("{}-{nth}", std::process::id());
        let tmp = parent.join(format!(".{name}.tmp-{ours}"));
        if tmp.exists() {
            fs::remove_dir_all(&tmp)?;
        }
        fs::create_dir(&tmp)?;
        Ok(Staged {
            dir: dir.to_path_buf(),
            old: parent.join(format!(".{name}.old-{ours}")),
            tmp,
            files: Vec::new(),
            made,
            published: false,
        })
    }
}

impl Staged {
    /// Creates a file in the staging folder; it is part of the target from now on.
    pub fn create(&mut self, name: &str) -> std::io::Result<fs::File> {
        let path = self.tmp.join(name);
        let file = fs::File::create(&path)?;
        self.files.push(OutFile {
            name: name.to_string(),
            path,
        });
        Ok(file)
    }

    /// Writes a whole file to the staging folder.
    pub fn put(&mut self, name: &str, bytes: &[u8]) -> std::io::Result<()> {
        use std::io::Write;
        let mut file = self.create(name)?;
        file.write_all(bytes)?;
        file.sync_all()
    }

    /// The target's folder, where [`Staged::publish`] puts the files.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The target's files, in the order they were made.
    pub fn files(&self) -> &[OutFile] {
        &self.files
    }

    /// Puts the staged folder in the target's place.
    pub fn publish(mut self) -> std::io::Result<()> {
        if self.dir.exists() {
            fs::rename(&self.dir, &self.old)?;
        }
        if let Err(e) = fs::rename(&self.tmp, &self.dir) {
            if self.old.exists() {
                let _ = fs::rename(&self.old, &self.dir);
            }
            return Err(e);
        }
        self.published = true;
        if self.old.exists() {
            fs::remove_dir_all(&self.old)?;
        }
        Ok(())
    }
}

impl Drop for Staged {
    /// Files that were never published hold personal data nothing else would remove.
    fn drop(&mut self) {
        if !self.published {
            let _ = fs::remove_dir_all(&self.tmp);
            // The last of this run's stagings in a folder the run made removes it.
            for dir in self.made.iter().rev() {
                let _ = fs::remove_dir(dir);
            }
        }
    }
}

/// `dir` and those of its parents that do not exist, outermost first.
fn missing_folders(dir: &Path) -> Vec<PathBuf> {
    let mut missing: Vec<PathBuf> = dir
        .ancestors()
        .take_while(|d| !d.as_os_str().is_empty() && !d.exists())
        .map(Path::to_path_buf)
        .collect();
    missing.reverse();
    missing
}

/// Removes the staging and old folders that killed runs left beside the target (they hold
/// personal data, and nothing else would ever remove them), but not this run's own. The
/// state lock keeps another run of the pipeline from writing here at the same time.
fn remove_leftovers(parent: &Path, name: &str) -> std::io::Result<()> {
    let pid = std::process::id();
    let leftovers = [format!(".{name}.tmp-"), format!(".{name}.old-")];
    let ours = [format!(".{name}.tmp-{pid}-"), format!(".{name}.old-{pid}-")];
    for entry in fs::read_dir(parent)? {
        let entry = entry?;
        let file_name = entry.file_name();
        let file_name = file_name.to_string_lossy();
        let left = leftovers.iter().any(|p| file_name.starts_with(p.as_str()));
        let own = ours.iter().any(|p| file_name.starts_with(p.as_str()));
        if left && !own {
            fs::remove_dir_all(entry.path())?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn publishing_replaces_the_folder_whole() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("out");
        fs::create_dir(&dir).unwrap();
        fs::write(dir.join("gone.csv"), "old").unwrap();
        let mut staged = Stagings::default().begin(&dir).unwrap();
        staged.put("users.csv", b"new").unwrap();
        assert!(
            !dir.join("users.csv").exists(),
            "nothing in place before publishing"
        );
        staged.publish().unwrap();
        assert_eq!(names(&dir), ["users.csv"]);
        assert_eq!(fs::read_to_string(dir.join("users.csv")).unwrap(), "new");
        assert_eq!(
            names(root.path()),
            ["out"],
            "no staging or old folder is left"
        );
    }

    #[test]
    fn a_staging_never_published_is_removed_and_the_folder_kept() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("out");
        fs::create_dir(&dir).unwrap();
        fs::write(dir.join("users.csv"), "old").unwrap();
        let mut staged = Stagings::default().begin(&dir).unwrap();
        staged.put("users.csv", b"new").unwrap();
        drop(staged);
        assert_eq!(names(root.path()), ["out"]);
        assert_eq!(fs::read_to_string(dir.join("users.csv")).unwrap(), "old");
    }

    #[test]
    fn folders_made_for_a_staging_never_published_are_removed_with_it() {
        let root = tempfile::tempdir().unwrap();
        let mut run = Stagings::default();
        let first = run.begin(&root.path().join("a/b/out")).unwrap();
        let second = run.begin(&root.path().join("a/other")).unwrap();
        assert!(root.path().join("a/b").is_dir());
        // In the order of creation: the second still holds `a` when the first goes.
        drop(first);
        assert_eq!(names(root.path()), ["a"]);
        drop(second);
        assert!(names(root.path()).is_empty());
    }

    #[test]
    fn leftovers_of_killed_runs_go_but_this_runs_other_targets_stay() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("out");
        fs::create_dir(root.path().join(".out.tmp-1-0")).unwrap();
        fs::create_dir(root.path().join(".out.old-1-0")).unwrap();
        fs::create_dir(root.path().join(".other.tmp-1-0")).unwrap();
        let mut run = Stagings::default();
        let first = run.begin(&dir).unwrap();
        let second = run.begin(&dir).unwrap();
        let pid = std::process::id();
        assert_eq!(
            names(root.path()),
            [
                ".other.tmp-1-0".to_string(),
                format!(".out.tmp-{pid}-0"),
                format!(".out.tmp-{pid}-1"),
            ]
        );
        drop((first, second));
        assert_eq!(names(root.path()), [".other.tmp-1-0"]);
    }
}
