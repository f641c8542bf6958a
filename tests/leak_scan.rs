//! The leak scan: no output of the test suite holds a fixture personnummer or a secret.
//!
//! `scripts/test.sh` runs the suite with `ROSTER_ETL_LEAK_LOG` set, so every `etl` run of the
//! CLI tests goes through `tests/leak/tee-etl.sh`, which keeps what the run printed (stdout
//! and stderr: plans, JSON plans, logs, errors), the reports it wrote (`--report`) and the
//! secrets it was given in its environment (`*TOKEN*`, `*SECRET*`, `*PASSWORD*`). Then it runs
//! this file with `ROSTER_ETL_LEAK_SCAN` naming that folder, which adds the trial that reads
//! every kept output. Runs that ask to see personal data (`--show-sensitive`, `etl export`)
//! are not kept. Without `ROSTER_ETL_LEAK_SCAN` only the scanner's own tests run.

use libtest_mimic::{Arguments, Failed, Trial};
use regex::Regex;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Where the fixtures' personnummer are found: every file the tests feed to roster-etl.
const FIXTURE_PLACES: &[&str] = &["examples", "mappings", "tests"];

/// The secrets the tests give the peers and the binary, besides those in each run's env.
const FIXTURE_SECRETS: &[&str] = &[
    "scim-test-token-4711",
    "ss12000-test-token-0815",
    "client-secret-for-tests",
    "Svc-Roster-Passw0rd!",
    "Test-Adm1n-Passw0rd!",
    "Wrong-Passw0rd!",
];

/// The fewest runs a real scan must see: fewer means the suite did not go through the tee.
const FEWEST_RUNS: usize = 200;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every personnummer-shaped value in the fixtures, in each way it may be written, with
/// the 12-character form it stands for.
fn fixture_personnummer() -> BTreeMap<String, String> {
    let shape = Regex::new(r"\b((?:19|20)\d{6})[-+]?(\d{4}|[A-Z]{2}\d{2})\b").unwrap();
    let mut found = BTreeMap::new();
    for place in FIXTURE_PLACES {
        for file in files_under(&repo().join(place)) {
            let Ok(text) = std::fs::read(&file) else {
                continue;
            };
            let text = String::from_utf8_lossy(&text);
            for c in shape.captures_iter(&text) {
                let whole = format!("{}{}", &c[1], &c[2]);
                for form in forms(&c[1], &c[2]) {
                    found.insert(form, whole.clone());
                }
            }
        }
    }
    found
}

/// `19811218`, `9876` -> the four ways a register or a person writes it.
fn forms(date: &str, last: &str) -> [String; 4] {
    let short = &date[2..];
    [
        format!("{date}{last}"),
        format!("{date}-{last}"),
        format!("{short}-{last}"),
        format!("{short}{last}"),
    ]
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let skip = name == "target" || name == "snapshots" || name == "leak";
        if path.is_dir() && !skip {
            out.extend(files_under(&path));
        } else if path.is_file() {
            out.push(path);
        }
    }
    out
}

/// One kept run: its command line and what it printed or wrote.
struct Run {
    args: String,
    outputs: Vec<(String, String)>,
    secrets: Vec<String>,
}

fn kept_runs(dir: &Path) -> Vec<Run> {
    let mut runs = Vec::new();
    let mut args: Vec<PathBuf> = files_under(dir)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "args"))
        .collect();
    args.sort();
    for file in args {
        let read = |ext: &str| std::fs::read(file.with_extension(ext)).ok();
        let outputs = ["out", "err", "reports"]
            .into_iter()
            .filter_map(|ext| read(ext).map(|b| (ext.to_string(), lossy(&b))))
            .collect();
        let secrets = read("secrets")
            .map(|b| lossy(&b).lines().map(str::to_string).collect())
            .unwrap_or_default();
        runs.push(Run {
            args: lossy(&std::fs::read(&file).unwrap_or_default()).replace('\n', " "),
            outputs,
            secrets,
        });
    }
    runs
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Every place a run shows a personnummer or a secret, as `what in which output of which run`
/// (a personnummer once per output, in whichever forms it appears).
fn leaks(runs: &[Run], personnummer: &BTreeMap<String, String>) -> Vec<String> {
    let any_form = one_pattern(personnummer.keys());
    let mut found = Vec::new();
    for run in runs {
        let secrets: Vec<&str> = run
            .secrets
            .iter()
            .map(String::as_str)
            .filter(|s| s.len() >= 8)
            .chain(FIXTURE_SECRETS.iter().copied())
            .collect();
        for (stream, text) in &run.outputs {
            let mut shown: BTreeSet<&str> = secrets
                .iter()
                .copied()
                .filter(|s| text.contains(s))
                .collect();
            shown.extend(
                any_form
                    .find_iter(text)
                    .filter_map(|m| personnummer.get(m.as_str()))
                    .map(String::as_str),
            );
            for what in shown {
                found.push(format!("`{what}` in the {stream} of `{}`", run.args));
            }
        }
    }
    found
}

/// One regex for all `forms`, longest first, so a search reads each output once.
fn one_pattern<'a>(forms: impl Iterator<Item = &'a String>) -> Regex {
    let mut forms: Vec<&String> = forms.collect();
    forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
    let alternatives: Vec<String> = forms.iter().map(|f| regex::escape(f)).collect();
    match alternatives.is_empty() {
        true => Regex::new(r"[^\s\S]").unwrap(),
        false => Regex::new(&alternatives.join("|")).unwrap(),
    }
}

fn scan(dir: &Path) -> Result<(), Failed> {
    let runs = kept_runs(dir);
    if runs.len() < FEWEST_RUNS {
        return Err(format!(
            "only {} runs were kept in {}: did the suite run with ROSTER_ETL_LEAK_LOG?",
            runs.len(),
            dir.display()
        )
        .into());
    }
    let found = leaks(&runs, &fixture_personnummer());
    if found.is_empty() {
        eprintln!(
            "{} runs scanned, no personnummer or secret shown",
            runs.len()
        );
        Ok(())
    } else {
        Err(format!("{} leaks:\n{}", found.len(), found.join("\n")).into())
    }
}

fn planted(stream: &str, text: &str, secret: &str) -> Run {
    Run {
        args: "plan pipeline.yaml".into(),
        outputs: vec![(stream.into(), text.into())],
        secrets: vec![secret.into()],
    }
}

fn the_fixtures_hold_personnummer() -> Result<(), Failed> {
    let all = fixture_personnummer();
    for pnr in ["201204055675", "20120405-5675", "120405-5675", "1204055675"] {
        if !all.contains_key(pnr) {
            return Err(format!("{pnr} (the example's first pupil) is not in the list").into());
        }
    }
    Ok(())
}

fn a_planted_personnummer_is_found_in_each_form() -> Result<(), Failed> {
    let all = fixture_personnummer();
    for text in [
        "key 201204055675 added",
        "E0407 at 20120405-5675",
        "pupil 120405-5675",
        "{\"pnr\":\"1204055675\"}",
    ] {
        let found = leaks(&[planted("out", text, "unrelated-secret")], &all);
        if found.len() != 1 {
            return Err(format!("{text}: {found:?}").into());
        }
    }
    Ok(())
}

fn a_planted_secret_is_found() -> Result<(), Failed> {
    let none = BTreeMap::new();
    let from_env = planted("err", "Authorization: Bearer abc-123-def", "abc-123-def");
    let fixture = planted("reports", "password Svc-Roster-Passw0rd! refused", "x");
    let masked = planted("out", "token: (sensitive)", "abc-123-def");
    let found = leaks(&[from_env, fixture, masked], &none);
    if found.len() == 2 && found[0].contains("abc-123-def") && found[1].contains("reports") {
        Ok(())
    } else {
        Err(format!("{found:?}").into())
    }
}

fn main() {
    let mut trials = vec![
        Trial::test(
            "the fixtures hold personnummer",
            the_fixtures_hold_personnummer,
        ),
        Trial::test(
            "a planted personnummer is found in each form",
            a_planted_personnummer_is_found_in_each_form,
        ),
        Trial::test("a planted secret is found", a_planted_secret_is_found),
    ];
    if let Some(dir) = std::env::var_os("ROSTER_ETL_LEAK_SCAN") {
        trials.push(Trial::test(
            "no output of the suite shows a personnummer or a secret",
            move || scan(Path::new(&dir)),
        ));
    }
    libtest_mimic::run(&Arguments::from_args(), trials).exit();
}
