//! Test helpers: a copy of the bundled example in a temporary folder, and the real binary.
#![allow(dead_code)]

pub mod fault_proxy;
pub mod oauth2;
pub mod prism;
pub mod samba;
pub mod scim;
pub mod smtp;
pub mod sshd;
pub mod tls;

use assert_cmd::Command;
use std::fs;
use std::path::{Path, PathBuf};

pub const TODAY: &str = "2026-11-21";

/// A temporary copy of an example (with `mappings/` beside it, as in the repo).
pub struct Sandbox {
    _dir: tempfile::TempDir,
    pub root: PathBuf,
    example: &'static str,
}

impl Sandbox {
    /// `examples/extens-ad`, the bundled example.
    pub fn example() -> Sandbox {
        Self::of("extens-ad")
    }

    /// `examples/NAME`.
    pub fn of(example: &'static str) -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        copy_dir(
            &repo.join("examples").join(example),
            &root.join("examples").join(example),
            &["out", "state"],
        );
        copy_dir(&repo.join("mappings"), &root.join("mappings"), &[]);
        Sandbox {
            _dir: dir,
            root,
            example,
        }
    }

    /// The example's folder, where commands run.
    pub fn dir(&self) -> PathBuf {
        self.root.join("examples").join(self.example)
    }

    /// What the example's state records (records, dataset sizes and serials, without the
    /// clock or lineage), one string per row: what an apply leaves in state.
    pub fn state_rows(&self) -> Vec<String> {
        let path = self.path("state/extens-ad.db");
        let db = rusqlite::Connection::open(&path).unwrap();
        let mut rows = Vec::new();
        for query in [
            "SELECT name || rows FROM datasets ORDER BY name",
            "SELECT name || serial FROM targets ORDER BY name",
        ] {
            let mut stmt = db.prepare(query).unwrap();
            let found = stmt.query_map([], |r| r.get::<_, String>(0)).unwrap();
            rows.extend(found.map(Result::unwrap));
        }
        let state = roster_etl::state::State::open_existing(&path)
            .unwrap()
            .expect("the state exists");
        let mut stmt = db
            .prepare("SELECT name FROM targets ORDER BY name")
            .unwrap();
        let names: Vec<String> = stmt
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        for target in names {
            for (kind, records) in state.records(&target).unwrap() {
                for (key, record) in records.iter() {
                    rows.push(format!(
                        "{target}{}{key} {:?} {:?}",
                        kind.name(),
                        record.fields,
                        record.status
                    ));
                }
            }
        }
        rows
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir().join(rel)
    }

    pub fn etl(&self, args: &[&str]) -> Command {
        let mut cmd = etl_command();
        cmd.current_dir(self.dir())
            .env("NO_COLOR", "1")
            .env_remove("ETL_OUT_DIR")
            .args(args);
        cmd
    }

    /// `etl plan pipeline.yaml --today ...` with extra args.
    pub fn plan(&self, extra: &[&str]) -> Command {
        let mut args = vec!["plan", "pipeline.yaml", "--today", TODAY];
        args.extend_from_slice(extra);
        self.etl(&args)
    }

    pub fn apply(&self, extra: &[&str]) -> Command {
        let mut args = vec!["apply", "pipeline.yaml", "--today", TODAY, "--auto-approve"];
        args.extend_from_slice(extra);
        self.etl(&args)
    }

    pub fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.path(rel)).unwrap()
    }

    /// The register's line for one pupil (with its line end).
    pub fn pupil_line(&self, id: &str) -> String {
        let text = self.read_cp1252("data/elever.csv");
        let line = text
            .split_inclusive('\n')
            .find(|l| l.starts_with(&format!("{id};")))
            .unwrap_or_else(|| panic!("no pupil {id}"));
        line.to_string()
    }

    /// Removes pupils from the register export.
    pub fn drop_pupils(&self, ids: &[&str]) {
        for id in ids {
            let line = self.pupil_line(id);
            self.edit_cp1252("data/elever.csv", &line, "");
        }
    }

    /// Replaces the pipeline's `targets:` section (the last one in the file).
    pub fn replace_targets(&self, targets: &str) {
        let text = self.read("pipeline.yaml");
        let at = text
            .find("\ntargets:")
            .expect("pipeline.yaml has a targets: section");
        fs::write(
            self.path("pipeline.yaml"),
            format!("{}\n{targets}", &text[..at]),
        )
        .unwrap();
    }

    /// Replaces text in a UTF-8 file of the sandbox.
    pub fn edit(&self, rel: &str, from: &str, to: &str) {
        let text = self.read(rel);
        assert!(text.contains(from), "{rel} does not contain {from:?}");
        fs::write(self.path(rel), text.replacen(from, to, 1)).unwrap();
    }

    /// A Windows-1252 file of the sandbox, as text.
    pub fn read_cp1252(&self, rel: &str) -> String {
        let bytes = fs::read(self.path(rel)).unwrap();
        encoding_rs::WINDOWS_1252.decode(&bytes).0.into_owned()
    }

    /// Writes text to a file of the sandbox in Windows-1252.
    pub fn write_cp1252(&self, rel: &str, text: &str) {
        let (out, _, _) = encoding_rs::WINDOWS_1252.encode(text);
        fs::write(self.path(rel), &*out).unwrap();
    }

    /// Replaces text in a Windows-1252 file of the sandbox.
    pub fn edit_cp1252(&self, rel: &str, from: &str, to: &str) {
        let text = self.read_cp1252(rel);
        assert!(text.contains(from), "{rel} does not contain {from:?}");
        self.write_cp1252(rel, &text.replacen(from, to, 1));
    }

    /// Every file below the sandbox's `out/` and `state/` with its bytes (see [`written_in`]).
    pub fn written(&self) -> Vec<(String, Vec<u8>)> {
        written_in(&self.dir(), &["out", "state"])
    }
}

/// Every file below `base/<sub>` for each sub folder, with its bytes, sorted. Left out:
/// state's lock file, and the index and empty log SQLite creates for any reader of a WAL
/// database (they hold no data; a non-empty WAL would hold data and is compared).
pub fn written_in(base: &Path, subs: &[&str]) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    for sub in subs {
        collect(&base.join(sub), base, &mut files);
    }
    let no_data = |name: &str, bytes: &[u8]| {
        name.ends_with(".lock")
            || name.ends_with("-shm")
            || (name.ends_with("-wal") && bytes.is_empty())
    };
    files.retain(|(name, bytes)| !no_data(name, bytes));
    files.sort();
    files
}

fn collect(dir: &Path, base: &Path, out: &mut Vec<(String, Vec<u8>)>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, base, out);
        } else {
            let name = path.strip_prefix(base).unwrap().display().to_string();
            out.push((name, fs::read(&path).unwrap()));
        }
    }
}

fn copy_dir(from: &Path, to: &Path, skip: &[&str]) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap().flatten() {
        let name = entry.file_name();
        if skip.iter().any(|s| name == *s) {
            continue;
        }
        let path = entry.path();
        if path.is_dir() {
            copy_dir(&path, &to.join(&name), &[]);
        } else {
            fs::copy(&path, to.join(&name)).unwrap();
        }
    }
}

/// Fails naming the files that differ (not dumping their bytes).
pub fn assert_unchanged(before: &[(String, Vec<u8>)], after: &[(String, Vec<u8>)], what: &str) {
    let names = |files: &[(String, Vec<u8>)]| files.iter().map(|f| f.0.clone()).collect::<Vec<_>>();
    assert_eq!(
        names(before),
        names(after),
        "{what}: the set of files changed"
    );
    let changed: Vec<&str> = before
        .iter()
        .zip(after)
        .filter(|(a, b)| a.1 != b.1)
        .map(|(a, _)| a.0.as_str())
        .collect();
    assert!(
        changed.is_empty(),
        "{what}: these files changed: {changed:?}"
    );
}

/// The `etl` binary; when `ROSTER_ETL_LEAK_LOG` names a folder (scripts/test.sh sets it),
/// run through `tests/leak/tee-etl.sh`, which keeps what it printed and the reports it wrote
/// for the leak scan (tests/leak_scan.rs).
pub fn etl_command() -> Command {
    let etl = assert_cmd::cargo::cargo_bin("etl");
    match std::env::var_os("ROSTER_ETL_LEAK_LOG") {
        Some(_) => {
            let tee = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/leak/tee-etl.sh");
            let mut cmd = Command::new("bash");
            cmd.arg(tee).arg(etl);
            cmd
        }
        None => Command::new(etl),
    }
}

/// Applies the example, breaks it with `damage`, then checks that a second apply refuses
/// cleanly: exit 1, every `expect` in its stderr (the code, the place), a hint, no panic,
/// nothing written to the target, state byte-identical, and `etl plan` refusing too.
pub fn refused(damage: impl Fn(&Sandbox), expect: &[&str]) -> String {
    let sb = Sandbox::example();
    sb.apply(&[]).assert().success();
    let before = sb.written();
    damage(&sb);
    let out = sb.apply(&[]).output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    for want in expect {
        assert!(err.contains(want), "expected {want:?} in:\n{err}");
    }
    assert!(err.contains("help:"), "every error carries a hint:\n{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_unchanged(&before, &sb.written(), "a refused run");
    let plan = sb.plan(&[]).output().unwrap();
    assert_eq!(plan.status.code(), Some(1), "plan refuses the same input");
    err
}

pub fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The Python of the peers' venv (scripts/peers/install.sh); the test fails when it is missing.
pub fn peer_python() -> PathBuf {
    let python = Path::new(env!("CARGO_MANIFEST_DIR")).join(".peers/venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run scripts/peers/install.sh",
        python.display()
    );
    python
}

/// Runs a Python script with the peers' Python; the lines it prints.
pub fn run_peer_python(script: &str, args: &[&Path]) -> Vec<String> {
    let out = std::process::Command::new(peer_python())
        .args(["-c", script])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(String::from)
        .collect()
}

/// A port nobody listens on yet.
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// A `text` excerpt in a doc (the block that starts with `opening`) appears in `output`,
/// line by line and in order: a line `...` elides lines, a line ending in ` ...` is a prefix.
pub fn assert_doc_shows(doc: &str, opening: &str, output: &str) {
    let text = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(doc)).unwrap();
    let start = text
        .find(&format!("```text\n{opening}"))
        .unwrap_or_else(|| panic!("{doc} has no excerpt starting {opening:?}"));
    let block = &text[start + 8..];
    let block = &block[..block.find("```").unwrap()];
    let mut lines = output.lines();
    for want in block.lines().filter(|l| l.trim() != "...") {
        let prefix = want.strip_suffix(" ...").unwrap_or(want);
        assert!(
            lines.any(|l| l.starts_with(prefix)),
            "{doc} shows `{want}`, not in this order in the output:\n{output}"
        );
    }
}
