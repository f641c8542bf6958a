//! The status report by mail (`report: { mail: ... }` in the pipeline), sent by `etl apply`
//! to a real SMTP server (aiosmtpd) and read back from its Maildir: which outcomes are
//! mailed, a held plan alerting once, a server that does not answer, and bad settings.

mod common;

use common::smtp::SmtpServer;
use common::{Sandbox, stderr};

/// The example with `report.mail` sending to `smtp` for the outcomes in `when`.
fn mailing(smtp: &str, when: Option<&str>) -> Sandbox {
    let sb = Sandbox::example();
    let when = when.map(|w| format!("\n    when: {w}")).unwrap_or_default();
    sb.edit(
        "pipeline.yaml",
        "\nmappings:",
        &format!(
            "\nreport:\n  mail:\n    smtp: {smtp}\n    from: roster-etl <etl@kommun.example>\n    to: [it-drift@kommun.example, skoladmin@kommun.example]{when}\n\nmappings:"
        ),
    );
    sb
}

#[test]
fn a_held_plan_is_mailed_once_until_the_hold_ends() {
    let smtp = SmtpServer::start();
    let sb = mailing(&smtp.url(), None);
    let first = sb.apply(&[]).output().unwrap();
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(
        smtp.mails().is_empty(),
        "a completed run is not mailed by default"
    );

    sb.drop_pupils(&["E1002"]);
    sb.edit(
        "pipeline.yaml",
        "delete.person: { count: 25, percent: 2 }",
        "delete.person: { count: 0, percent: 0 }",
    );
    let held = sb.apply(&[]).output().unwrap();
    assert_eq!(held.status.code(), Some(3), "{}", stderr(&held));
    let mails = smtp.mails();
    assert_eq!(mails.len(), 1, "{mails:?}");
    let mail = &mails[0];
    assert_eq!(
        mail.subject,
        "roster-etl extens-ad: HELD (apply 2026-11-21)"
    );
    assert_eq!(mail.from, "roster-etl <etl@kommun.example>");
    assert!(
        mail.to.contains("it-drift@kommun.example") && mail.to.contains("skoladmin@kommun.example"),
        "{}",
        mail.to
    );
    assert!(mail.text.starts_with("Status: HELD"), "{}", mail.text);
    assert!(
        mail.text.contains("delete.person: 1 of 10"),
        "{}",
        mail.text
    );
    assert!(
        mail.html.contains("<svg"),
        "the page with its charts is the HTML part"
    );
    assert!(
        stderr(&held).contains(
            "Mailed the status report to it-drift@kommun.example, skoladmin@kommun.example"
        ),
        "{}",
        stderr(&held)
    );
    assert!(sb.path("state/extens-ad.db.alert.json").exists());

    for _ in 0..2 {
        let still = sb.apply(&[]).output().unwrap();
        assert_eq!(still.status.code(), Some(3));
        assert!(
            stderr(&still).contains("held by the same limits as on 2026-11-21"),
            "{}",
            stderr(&still)
        );
    }
    assert_eq!(smtp.mails().len(), 1, "the same hold is mailed once");

    sb.apply(&["--allow", "delete.person=1"]).assert().success();
    assert!(
        !sb.path("state/extens-ad.db.alert.json").exists(),
        "a completed run ends the hold"
    );
    assert_eq!(smtp.mails().len(), 1);

    sb.drop_pupils(&["E1001"]);
    sb.apply(&[]).assert().code(3);
    let mails = smtp.mails();
    assert_eq!(mails.len(), 2, "a new hold is mailed again");
    assert!(mails[1].subject.contains("HELD"));
}

#[test]
fn always_mails_every_outcome_and_no_mail_skips_it() {
    let smtp = SmtpServer::start();
    let sb = mailing(&smtp.url(), Some("[always]"));
    sb.apply(&["--no-mail"]).assert().success();
    assert!(smtp.mails().is_empty(), "--no-mail sends nothing");
    sb.apply(&[]).assert().success();
    let mails = smtp.mails();
    assert_eq!(mails.len(), 1);
    assert_eq!(
        mails[0].subject,
        "roster-etl extens-ad: no changes (apply 2026-11-21)"
    );
    assert!(
        mails[0]
            .text
            .contains("Next: nothing: the targets match the sources"),
        "{}",
        mails[0].text
    );
}

#[test]
fn a_failed_run_is_mailed_with_its_error() {
    let smtp = SmtpServer::start();
    let sb = mailing(&smtp.url(), None);
    std::fs::write(sb.path("data/ad_users.csv"), "").unwrap();
    let out = sb.apply(&[]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let mails = smtp.mails();
    assert_eq!(mails.len(), 1, "{}", stderr(&out));
    assert!(mails[0].subject.contains("FAILED"), "{}", mails[0].subject);
    assert!(
        mails[0].text.contains("data/ad_users.csv"),
        "{}",
        mails[0].text
    );
}

#[test]
fn an_smtp_server_that_does_not_answer_fails_the_run_after_it_applied() {
    let port = common::free_port();
    let sb = mailing(&format!("smtp://127.0.0.1:{port}"), Some("[completed]"));
    let out = sb.apply(&[]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "cron must notice the mail was lost"
    );
    let err = stderr(&out);
    assert!(err.contains("E0604"), "{err}");
    assert!(
        err.contains(&format!(
            "cannot mail the status report through smtp://127.0.0.1:{port}"
        )),
        "{err}"
    );
    assert!(
        err.contains("pipeline.yaml:40:11"),
        "at the smtp: line: {err}"
    );
    assert!(
        sb.path("out/skolon/users.csv").exists(),
        "the run itself was applied"
    );

    // A saved plan's mail error points at its pipeline's smtp: line too.
    sb.drop_pupils(&["E1001"]);
    sb.plan(&["--out", "tonight.plan.json", "--allow", "delete.person=1"])
        .assert()
        .success();
    let out = sb.etl(&["apply", "tonight.plan.json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("E0604") && err.contains("pipeline.yaml:40:11"),
        "{err}"
    );
}

#[test]
fn bad_mail_settings_are_each_shown_at_their_place() {
    let sb = Sandbox::example();
    sb.edit(
        "pipeline.yaml",
        "\nmappings:",
        "\nreport:\n  mail:\n    smtp: http://mail.kommun.example\n    from: not-an-address\n    to: []\n    when: [hled]\n\nmappings:",
    );
    let out = sb.etl(&["validate", "pipeline.yaml"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    for expected in [
        "`http://mail.kommun.example` is not an smtp:// or smtps:// URL",
        "`not-an-address` is not an e-mail address",
        "`to:` names no recipient",
        "unknown outcome `hled`",
        "did you mean",
        "pipeline.yaml:",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in\n{err}");
    }
}

#[test]
fn a_password_in_the_smtp_url_is_refused_and_never_shown() {
    let sb = mailing("smtp://etl:Hemligt123@127.0.0.1:25", None);
    let out = sb.etl(&["validate", "pipeline.yaml"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("a credential is written in the pipeline"),
        "{err}"
    );
    assert!(!err.contains("Hemligt123"), "{err}");
}

#[test]
fn a_saved_plan_is_mailed_as_its_pipeline_says() {
    let smtp = SmtpServer::start();
    let sb = mailing(&smtp.url(), Some("[completed]"));
    sb.plan(&["--out", "tonight.plan.json"]).assert().success();
    sb.etl(&["apply", "tonight.plan.json"]).assert().success();
    let mails = smtp.mails();
    assert_eq!(mails.len(), 1);
    assert_eq!(
        mails[0].subject,
        "roster-etl extens-ad: completed (apply 2026-11-21)"
    );
}
