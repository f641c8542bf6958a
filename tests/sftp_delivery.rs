//! Delivery by SFTP against a real OpenSSH server on a loopback port: the PIFU-IMS document
//! arrives whole under its final name, the host key is checked, and a failed delivery writes
//! nothing and leaves state as it was.

mod common;
use common::sshd::Sshd;
use common::{Sandbox, assert_unchanged, stderr};

fn pifu_target(sshd: &Sshd, key: &str, known_hosts: &str, document: &str) -> Sandbox {
    let sb = Sandbox::example();
    let target = format!(
        "targets:\n  itslearning:\n    type: pifu-ims\n    path: out/itslearning\n    pifu: {{ document: {document}, source: extens-ad }}\n{}",
        sshd.settings(key, known_hosts)
    );
    sb.edit("pipeline.yaml", "targets:\n", &target);
    sb
}

#[test]
fn a_pifu_document_is_uploaded_whole_and_replaced_on_the_next_run() {
    let sshd = Sshd::start();
    let sb = pifu_target(&sshd, "client_key", "known_hosts", "full");
    let out = sb.apply(&[]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        sshd.uploaded(),
        vec!["enterprise.xml"],
        "no temporary file is left"
    );
    let sent = std::fs::read(sshd.path("upload/enterprise.xml")).unwrap();
    assert_eq!(
        sent,
        std::fs::read(sb.path("out/itslearning/enterprise.xml")).unwrap()
    );

    sb.drop_pupils(&["E1001"]);
    sb.apply(&[]).assert().success();
    assert_eq!(sshd.uploaded(), vec!["enterprise.xml"]);
    let sent = std::fs::read_to_string(sshd.path("upload/enterprise.xml")).unwrap();
    assert!(
        !sent.contains("<id>E1001</id>"),
        "the new document replaced the old one"
    );
}

#[test]
fn delta_documents_arrive_one_per_run() {
    let sshd = Sshd::start();
    let sb = pifu_target(&sshd, "client_key", "known_hosts", "delta");
    sb.apply(&[]).assert().success();
    sb.drop_pupils(&["E1001"]);
    sb.apply(&[]).assert().success();
    assert_eq!(
        sshd.uploaded(),
        vec!["delta-000001.xml", "delta-000002.xml"]
    );
}

#[test]
fn an_unknown_or_changed_host_key_stops_the_delivery_and_nothing_changes() {
    let sshd = Sshd::start();
    std::fs::write(sshd.path("empty_known_hosts"), "").unwrap();
    for (known_hosts, says) in [
        ("empty_known_hosts", "is not in"),
        ("wrong_known_hosts", "host key changed"),
    ] {
        let sb = pifu_target(&sshd, "client_key", known_hosts, "full");
        let before = sb.written();
        let out = sb.apply(&[]).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        let err = stderr(&out);
        for needle in ["E0508", says, "SHA256:"] {
            assert!(
                err.contains(needle),
                "{known_hosts}: missing {needle:?} in\n{err}"
            );
        }
        assert!(sshd.uploaded().is_empty());
        assert_unchanged(&before, &sb.written(), known_hosts);
    }
}

#[test]
fn a_key_the_server_does_not_know_is_refused() {
    let sshd = Sshd::start();
    let sb = pifu_target(&sshd, "other_key", "known_hosts", "full");
    let out = sb.apply(&[]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("did not accept the credentials"), "{err}");
    assert!(sshd.uploaded().is_empty());
    assert!(!sb.path("out").exists() && !sb.path("state/extens-ad.db").exists());
}

#[test]
fn an_unreachable_server_is_a_clear_error_and_the_next_run_delivers() {
    let sshd = Sshd::start();
    let sb = pifu_target(&sshd, "client_key", "known_hosts", "full");
    let port = sshd.port.to_string();
    sb.edit("pipeline.yaml", &format!("port: {port}"), "port: 1");
    let out = sb.apply(&[]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("cannot connect"), "{err}");
    assert!(err.contains("127.0.0.1:1"), "{err}");
    sb.edit("pipeline.yaml", "port: 1", &format!("port: {port}"));
    sb.apply(&[]).assert().success();
    assert_eq!(sshd.uploaded(), vec!["enterprise.xml"]);
}

#[test]
fn a_password_must_be_a_reference_and_is_never_shown() {
    let sshd = Sshd::start();
    let sb = pifu_target(&sshd, "client_key", "known_hosts", "full");
    let key_line = format!("      key_file: {}\n", sshd.path("client_key").display());
    sb.edit(
        "pipeline.yaml",
        &key_line,
        "      password: hunter2-in-the-file\n",
    );
    let out = sb.etl(&["validate", "pipeline.yaml"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("E0010") && err.contains("a credential is written in the pipeline"),
        "{err}"
    );

    sb.edit(
        "pipeline.yaml",
        "password: hunter2-in-the-file",
        "password: ${SFTP_TEST_PASSWORD}",
    );
    let out = sb
        .plan(&[])
        .env_remove("SFTP_TEST_PASSWORD")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("`SFTP_TEST_PASSWORD` is not set"),
        "{}",
        stderr(&out)
    );

    // The server takes keys only: the password is refused, and it is in no output or plan.
    let secret = "pw-Zq93-never-printed";
    let out = sb
        .plan(&["--json"])
        .env("SFTP_TEST_PASSWORD", secret)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let plan = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        plan.contains("${SFTP_TEST_PASSWORD}") && !plan.contains(secret),
        "{plan}"
    );
    let out = sb
        .apply(&[])
        .env("SFTP_TEST_PASSWORD", secret)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let all = format!("{}{}", stderr(&out), String::from_utf8_lossy(&out.stdout));
    assert!(all.contains("did not accept the credentials"), "{all}");
    assert!(!all.contains(secret));
}

#[test]
fn a_failed_delivery_after_another_target_says_what_was_applied_and_the_next_run_converges() {
    let sshd = Sshd::start();
    let sb = Sandbox::example();
    let pipeline = sb.read("pipeline.yaml");
    let settings = sshd
        .settings("client_key", "known_hosts")
        .replace(&format!("port: {}", sshd.port), "port: 1");
    std::fs::write(
        sb.path("pipeline.yaml"),
        format!(
            "{pipeline}  itslearning:\n    type: pifu-ims\n    path: out/itslearning\n{settings}"
        ),
    )
    .unwrap();
    let out = sb.apply(&[]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("target(s) skolon were written and recorded before it, the others were not"),
        "{err}"
    );
    assert!(sb.path("out/skolon/users.csv").exists());
    assert!(!sb.path("out/itslearning").exists());

    sb.edit("pipeline.yaml", "port: 1", &format!("port: {}", sshd.port));
    let out = sb.plan(&[]).output().unwrap();
    let plan = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        plan.contains("Plan: 29 to add"),
        "only itslearning is left to do:\n{plan}"
    );
    sb.apply(&[]).assert().success();
    assert_eq!(sshd.uploaded(), vec!["enterprise.xml"]);
    let out = sb.plan(&[]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("No changes."));
}

#[test]
fn validate_connect_reaches_the_server_and_writes_nothing() {
    let sshd = Sshd::start();
    let sb = pifu_target(&sshd, "client_key", "known_hosts", "full");
    let connect = || {
        sb.etl(&["validate", "pipeline.yaml", "--connect"])
            .output()
            .unwrap()
    };
    let out = connect();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        text.contains("target `itslearning`: SFTP") && text.contains("login accepted"),
        "{text}"
    );
    assert!(text.contains("target `skolon`: writes to"), "{text}");
    assert!(sshd.uploaded().is_empty());
    assert!(!sb.path("out").exists() && !sb.path("state").exists());

    sb.edit(
        "pipeline.yaml",
        "      dir: .\n",
        "      dir: no-such-folder\n",
    );
    let known = sshd.path("known_hosts").display().to_string();
    let wrong = sshd.path("wrong_known_hosts").display().to_string();
    sb.edit("pipeline.yaml", &known, &wrong);
    let out = connect();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("host key changed"),
        "{}",
        stderr(&out)
    );

    std::fs::copy(sshd.path("known_hosts"), sshd.path("wrong_known_hosts")).unwrap();
    let out = connect();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("cannot see the folder `no-such-folder`"),
        "{}",
        stderr(&out)
    );
}
