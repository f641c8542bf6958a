//! `--quiet`, `--verbose`, `--log-format json`, and the progress line that is drawn only
//! on a terminal (tried under a real pseudo-terminal with util-linux `script`).

mod common;

use common::{Sandbox, stderr, stdout};

#[test]
fn quiet_shows_nothing_but_errors() {
    let sb = Sandbox::example();
    sb.edit_cp1252(
        "data/elever.csv",
        "E1001;20150312-1236;",
        "E1001;20150312-1235;",
    );
    let out = sb.plan(&["--quiet"]).output().unwrap();
    assert!(out.status.success());
    assert_eq!(
        (stdout(&out), stderr(&out)),
        (String::new(), String::new()),
        "not even the warning"
    );
    let out = sb.plan(&["-q", "--allow", "bogus"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).is_empty());
    assert!(stderr(&out).contains("E0009"), "{}", stderr(&out));
}

#[test]
fn verbose_shows_each_step_as_it_starts_and_ends() {
    let sb = Sandbox::example();
    let out = sb.apply(&["--verbose"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    for line in [
        "etl: read extens.elever (2 of 6)",
        "etl: read done in ",
        "etl: map 5 mapping block(s)",
        "etl: state what the targets hold",
        "etl: diff skolon (the changes)",
        "etl: write skolon (1 of 1)",
        "etl: write done in ",
    ] {
        assert!(err.contains(line), "missing {line:?} in\n{err}");
    }
    assert!(
        stdout(&out).contains("Apply complete!"),
        "results stay on stdout"
    );
}

#[test]
fn json_logs_are_one_object_per_line_with_code_and_place() {
    let sb = Sandbox::example();
    sb.edit_cp1252(
        "data/elever.csv",
        "E1001;20150312-1236;",
        "E1001;20150312-1235;",
    );
    let out = sb.plan(&["--log-format", "json"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("roster-etl plan for pipeline"),
        "the plan is unchanged"
    );
    let events: Vec<serde_json::Value> = stderr(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let warning = events
        .iter()
        .find(|e| e["code"] == "E0407")
        .expect("the invalid personnummer warning");
    assert_eq!(warning["level"], "warning");
    assert!(
        warning["message"]
            .as_str()
            .unwrap()
            .contains("data/elever.csv:2")
    );
    assert!(!stderr(&out).contains("1235"), "no personnummer in the log");
    assert!(
        events
            .iter()
            .any(|e| e["event"] == "end" && e["step"] == "read")
    );

    std::fs::write(sb.path("data/ad_users.csv"), "").unwrap();
    let out = sb.plan(&["--log-format", "json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let error: serde_json::Value = stderr(&out)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|e| e["level"] == "error")
        .expect("an error event");
    assert_eq!(error["code"], "E0305");
    assert_eq!(error["at"], "pipeline.yaml:27:22");
    assert!(error["help"].as_str().is_some());
}

#[test]
fn the_progress_bar_is_drawn_on_a_terminal_only() {
    let sb = Sandbox::example();
    let piped = sb.plan(&[]).output().unwrap();
    assert!(!stderr(&piped).contains("read:"), "{}", stderr(&piped));
    let etl = assert_cmd::cargo::cargo_bin("etl");
    let command = format!(
        "{} plan pipeline.yaml --today {}",
        etl.display(),
        common::TODAY
    );
    let out = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .current_dir(sb.dir())
        .env("NO_COLOR", "1")
        .output()
        .expect("util-linux `script` runs a command under a pseudo-terminal");
    assert!(out.status.success(), "{}", stderr(&out));
    let screen = String::from_utf8_lossy(&out.stdout);
    assert!(screen.contains("read: extens.elever (2 of 6)"), "{screen}");
    // The step becomes a bar of the file's own bytes (Windows-1252, as on disk).
    let size = std::fs::metadata(sb.dir().join("data/elever.csv"))
        .unwrap()
        .len();
    let full = format!("[{}] {size} B/{size} B", "=".repeat(24));
    assert!(screen.contains(&full), "{full} in {screen}");
    assert!(screen.contains("organisation: 2 to add"), "{screen}");
}

#[test]
fn quiet_still_asks_before_it_applies() {
    let sb = Sandbox::example();
    let out = sb
        .etl(&[
            "apply",
            "pipeline.yaml",
            "--today",
            common::TODAY,
            "--quiet",
        ])
        .write_stdin("no\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("Do you want to perform these actions?"),
        "{}",
        stdout(&out)
    );
    assert!(
        !stdout(&out).contains("to add"),
        "the plan itself is not shown"
    );
    assert!(stderr(&out).contains("apply cancelled"), "{}", stderr(&out));
}
