//! Crashes mid-apply: `etl apply` is killed with SIGKILL at every request it sends to a SCIM
//! target (a real scim2-server behind `common::fault_proxy`), once before the server sees the
//! request and once after the server has done it but before roster-etl hears the answer; and
//! at points spread over the write of a file target (`strace` delivers the SIGKILL as the
//! process enters a chosen system call). Then it runs again, as the next night would. The
//! target and state must end as one clean apply leaves them: no duplicate accounts, no lost
//! deletes, no state that claims a write the target never got.

mod common;

use common::fault_proxy::FaultProxy;
use common::scim::{ScimServer, TOKEN};
use common::{Sandbox, TODAY, stderr};
use roster_etl::state::State;
use serde_json::Value;
use std::collections::BTreeMap;
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};

/// The SCIM target: persons who leave are deleted (so day 2 sends DELETEs), within limits.
const SCIM_EXTRA: &str =
    "    on_delete: { person: delete }\n    limits: { delete.person: { count: 5 } }\n";

/// What a SCIM target and state hold after a run.
#[derive(Debug, PartialEq)]
struct ScimOutcome {
    users: BTreeMap<String, Value>,
    groups: BTreeMap<String, Value>,
}

fn scim_sandbox(server: &ScimServer) -> Sandbox {
    let sb = Sandbox::example();
    sb.replace_targets(&server.target(SCIM_EXTRA));
    sb
}

/// Points the sandbox's target at `url` (the proxy, or the server itself).
fn aim(sb: &Sandbox, server: &ScimServer, url: &str) {
    sb.replace_targets(&server.target_at(url, SCIM_EXTRA));
}

fn apply_clean(sb: &Sandbox) {
    let out = sb.apply(&[]).env("SCIM_TOKEN", TOKEN).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

/// Day 2: two pupils leave (deleted), one changes name (updated), memberships follow.
fn day_two(sb: &Sandbox) {
    sb.drop_pupils(&["E1002", "E1004"]);
    sb.edit_cp1252("data/elever.csv", ";Öberg;", ";Berglund;");
}

/// `etl apply` started directly (not through the leak log's wrapper), so the process the
/// proxy kills is etl itself.
fn spawn_apply(sb: &Sandbox) -> std::process::Child {
    Command::new(assert_cmd::cargo::cargo_bin("etl"))
        .current_dir(sb.dir())
        .env("NO_COLOR", "1")
        .env("SCIM_TOKEN", TOKEN)
        .args(["apply", "pipeline.yaml", "--today", TODAY, "--auto-approve"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// The server's resources, after checking there are no duplicates and that state's ids are
/// exactly the server's (state claims no object the server lacks, and lost none it made).
fn outcome(server: &ScimServer, sb: &Sandbox) -> ScimOutcome {
    let state = State::open_existing(&sb.path("state/extens-ad.db"))
        .unwrap()
        .expect("state exists");
    let remote = state.remote_ids("skolon").unwrap();
    for (kind, entity) in [("Users", "person"), ("Groups", "group")] {
        let (ids, count) = server.ids(kind);
        assert_eq!(ids.len(), count, "no two {kind} share an externalId");
        let in_state: BTreeMap<String, String> = remote
            .iter()
            .filter(|((k, _), _)| k.name() == entity)
            .map(|((_, key), r)| (key.clone(), r.id.clone()))
            .collect();
        assert_eq!(in_state, ids, "state's {entity} ids are the server's");
    }
    ScimOutcome {
        users: server.resources("Users"),
        groups: server.resources("Groups"),
    }
}

/// What one clean run leaves (day 1, or day 2 after a clean day 1) on a cleared server,
/// and how many requests the run under test sends.
fn reference(server: &ScimServer, with_day_two: bool) -> (ScimOutcome, usize) {
    server.clear();
    let sb = scim_sandbox(server);
    if with_day_two {
        apply_clean(&sb);
        day_two(&sb);
    }
    let proxy = FaultProxy::record(server.port);
    aim(&sb, server, &proxy.url());
    apply_clean(&sb);
    let requests = proxy.requests().len();
    aim(&sb, server, &server.url());
    (outcome(server, &sb), requests)
}

/// Kills the run of day 1 (or day 2) at each of its requests, re-runs, and compares with
/// one clean run. Returns how many runs were killed.
fn kill_at_every_request(with_day_two: bool, after_answer: bool) -> usize {
    let server = ScimServer::start();
    let (want, requests) = reference(&server, with_day_two);
    assert!(requests >= 6, "the run sends requests: {requests}");
    let mut killed = 0;
    for nth in 1..=requests {
        server.clear();
        let sb = scim_sandbox(&server);
        if with_day_two {
            apply_clean(&sb);
            day_two(&sb);
        }
        let proxy = FaultProxy::kill_at(server.port, nth, after_answer);
        aim(&sb, &server, &proxy.url());
        let mut child = spawn_apply(&sb);
        proxy.victim(child.id());
        let status = child.wait().unwrap();
        let mut err = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
        assert!(
            proxy.killed(),
            "request {nth} of {requests} came: {status:?} {err}"
        );
        assert_eq!(status.signal(), Some(9), "killed at request {nth}");
        killed += 1;

        aim(&sb, &server, &server.url());
        let out = sb.apply(&[]).env("SCIM_TOKEN", TOKEN).output().unwrap();
        assert!(
            out.status.success(),
            "the run after a kill at request {nth} ({}) finishes: {}",
            if after_answer {
                "after its answer"
            } else {
                "before the server"
            },
            stderr(&out)
        );
        assert_eq!(outcome(&server, &sb), want, "killed at request {nth}");
        let plan = sb.plan(&[]).env("SCIM_TOKEN", TOKEN).output().unwrap();
        assert!(
            String::from_utf8_lossy(&plan.stdout).contains("No changes."),
            "converged after a kill at request {nth}"
        );
    }
    killed
}

#[test]
fn scim_day_one_killed_before_each_request_reaches_the_server() {
    let killed = kill_at_every_request(false, false);
    assert!(killed >= 15, "{killed}");
}

#[test]
fn scim_day_one_killed_after_the_server_did_each_request() {
    let killed = kill_at_every_request(false, true);
    assert!(killed >= 15, "{killed}");
}

#[test]
fn scim_day_two_killed_before_each_request_reaches_the_server() {
    let killed = kill_at_every_request(true, false);
    assert!(killed >= 5, "{killed}");
}

#[test]
fn scim_day_two_killed_after_the_server_did_each_request() {
    let killed = kill_at_every_request(true, true);
    assert!(killed >= 5, "{killed}");
}

/// The system calls of a file target's write and of state's commit that a kill is tried at.
const FILE_CALLS: &[&str] = &[
    "mkdir",
    "openat",
    "write",
    "fsync",
    "rename",
    "unlink",
    "unlinkat",
    "pwrite64",
    "fdatasync",
];

/// Day 2 of the example's file target, ready to apply: a clean day 1 applied first.
fn file_day_two() -> Sandbox {
    let sb = Sandbox::example();
    sb.apply(&[]).assert().success();
    day_two(&sb);
    sb
}

/// How often the day-2 apply enters each of [`FILE_CALLS`] (`strace -c`).
fn calls_made(sb: &Sandbox) -> BTreeMap<String, usize> {
    let summary = sb.path("calls.txt");
    let status = strace(sb, &["-c", "-o", summary.to_str().unwrap()]);
    assert!(status.success(), "a traced apply succeeds");
    let text = std::fs::read_to_string(&summary).unwrap();
    std::fs::remove_file(&summary).unwrap();
    text.lines()
        .filter_map(|line| {
            let cols: Vec<&str> = line.split_whitespace().collect();
            let name = *cols.last()?;
            let calls = cols.get(3)?.parse().ok()?;
            FILE_CALLS
                .contains(&name)
                .then(|| (name.to_string(), calls))
        })
        .collect()
}

/// `etl apply` under strace (installed by scripts/peers/install.sh) with `options`.
fn strace(sb: &Sandbox, options: &[&str]) -> std::process::ExitStatus {
    Command::new("strace")
        .args(["-f", "-qq"])
        .args(options)
        .arg(assert_cmd::cargo::cargo_bin("etl"))
        .args(["apply", "pipeline.yaml", "--today", TODAY, "--auto-approve"])
        .current_dir(sb.dir())
        .env("NO_COLOR", "1")
        .env_remove("ETL_OUT_DIR")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("strace runs (scripts/peers/install.sh installs it)")
}

/// The target's files, and state without its clock and lineage: what an apply leaves.
fn files_outcome(sb: &Sandbox) -> (Vec<(String, String)>, Vec<String>) {
    let files = common::written_in(&sb.dir(), &["out"])
        .into_iter()
        .map(|(name, bytes)| (name, String::from_utf8_lossy(&bytes).into_owned()))
        .collect();
    (files, sb.state_rows())
}

#[test]
fn a_file_target_killed_at_each_write_ends_as_one_clean_apply() {
    let clean = file_day_two();
    let counts = calls_made(&clean);
    let want = files_outcome(&clean);
    assert!(
        counts.get("rename").copied().unwrap_or(0) >= 2,
        "{counts:?}"
    );
    let mut killed = 0;
    for (call, &made) in &counts {
        // Every call up to 16, then every other one: points over the whole write.
        let points = (1..=made).filter(|n| *n <= 16 || n % 2 == 0);
        for nth in points {
            let sb = file_day_two();
            let inject = format!("inject={call}:signal=KILL:when={nth}");
            let status = strace(
                &sb,
                &[
                    "-o",
                    "/dev/null",
                    "-e",
                    &format!("trace={call}"),
                    "-e",
                    &inject,
                ],
            );
            if status.success() {
                continue; // this call came fewer times in this run
            }
            // strace ends as its tracee did: by SIGKILL.
            assert_eq!(
                status.signal(),
                Some(9),
                "killed at {call} #{nth}: {status:?}"
            );
            killed += 1;
            let out = sb.apply(&[]).output().unwrap();
            assert!(
                out.status.success(),
                "the run after a kill at {call} #{nth} finishes: {}",
                stderr(&out)
            );
            assert_eq!(files_outcome(&sb), want, "killed at {call} #{nth}");
            let plan = sb.plan(&[]).output().unwrap();
            assert!(
                String::from_utf8_lossy(&plan.stdout).contains("No changes."),
                "converged after a kill at {call} #{nth}"
            );
        }
    }
    eprintln!("{killed} kills at {counts:?}");
    assert!(killed >= 50, "{killed} kills");
}
