//! The LDAP / Active Directory source against a real domain controller: Samba AD DC,
//! provisioned offline and started on 127.0.0.1 by this test binary (tests/common/samba.rs),
//! with over 2 600 users so that paging is exercised (AD sends at most 1 000 entries a page)
//! and a group of 2 000 members. (Windows AD sends such a `member` in ranges of 1 500
//! values, which `range.rs` completes; Samba sends it whole, so that path is covered by unit
//! tests only.)
//! Samba listens on fixed ports, so this binary runs its own harness: one server for all
//! tests, stopped by its PID when they end.

mod common;

use common::samba::{self, BASE, SERVICE_ACCOUNT, SERVICE_PASSWORD, Samba};
use common::{Sandbox, TODAY, stderr, stdout};
use libtest_mimic::{Arguments, Failed, Trial};
use roster_etl::diagnostic::{FileId, Span};
use roster_etl::report::{Recorded, Unit, Watch};
use roster_etl::source::Dataset;
use roster_etl::source::ldap::{self, LdapOptions, LdapQuery, Scope};
use std::path::PathBuf;
use std::sync::Arc;

/// Generated pupils (besides the example's eight AD users).
const PUPILS: usize = 2_600;
/// Members of the large group: more than Windows AD's 1 500 values per range.
const GROUP_MEMBERS: usize = 2_000;

struct Directory {
    samba: Samba,
}

fn main() {
    let args = Arguments::from_args();
    if args.list {
        libtest_mimic::run(&args, trials(None)).exit();
    }
    let directory = Arc::new(Directory {
        samba: Samba::start(&entries()),
    });
    let conclusion = libtest_mimic::run(&args, trials(Some(directory.clone())));
    match Arc::try_unwrap(directory) {
        Ok(mut d) => d.samba.stop(),
        Err(_) => panic!("a test still holds the directory"),
    }
    conclusion.exit();
}

type Test = fn(&Directory);

fn trials(directory: Option<Arc<Directory>>) -> Vec<Trial> {
    let tests: [(&str, Test); 11] = [
        (
            "every_user_is_read_page_by_page_over_ldaps",
            every_user_is_read_page_by_page_over_ldaps,
        ),
        (
            "the_page_size_sets_the_number_of_pages",
            the_page_size_sets_the_number_of_pages,
        ),
        (
            "starttls_and_plain_ldap_read_the_same_entries",
            starttls_and_plain_ldap_read_the_same_entries,
        ),
        (
            "a_group_of_two_thousand_members_is_read_whole",
            a_group_of_two_thousand_members_is_read_whole,
        ),
        (
            "protected_entries_are_dropped_as_they_are_read",
            protected_entries_are_dropped_as_they_are_read,
        ),
        (
            "the_example_over_ldaps_writes_what_the_csv_export_writes",
            the_example_over_ldaps_writes_what_the_csv_export_writes,
        ),
        (
            "export_over_ldaps_equals_the_export_from_the_csv_read",
            export_over_ldaps_equals_the_export_from_the_csv_read,
        ),
        (
            "explain_follows_a_pupil_into_the_directory",
            explain_follows_a_pupil_into_the_directory,
        ),
        (
            "validate_connect_binds_and_a_wrong_password_is_refused",
            validate_connect_binds_and_a_wrong_password_is_refused,
        ),
        (
            "an_unknown_base_or_an_empty_search_stops_the_run_writing_nothing",
            an_unknown_base_or_an_empty_search_stops_the_run_writing_nothing,
        ),
        (
            "an_untrusted_certificate_or_an_unreachable_directory_stops_the_run",
            an_untrusted_certificate_or_an_unreachable_directory_stops_the_run,
        ),
    ];
    let mut trials: Vec<Trial> = tests
        .into_iter()
        .map(|(name, test)| {
            let directory = directory.clone();
            Trial::test(name, move || {
                let d = directory.ok_or_else(|| Failed::from("no directory"))?;
                test(&d);
                Ok(())
            })
        })
        .collect();
    trials.push(Trial::test(
        "a_directory_that_never_answers_times_out",
        || {
            a_directory_that_never_answers_times_out();
            Ok(())
        },
    ));
    trials.push(Trial::test(
        "mistakes_in_ldap_settings_are_all_reported_at_their_place",
        || {
            mistakes_in_ldap_settings_are_all_reported_at_their_place();
            Ok(())
        },
    ));
    trials
}

// ---------------------------------------------------------------- the directory's entries

/// A valid personnummer (12 digits) born `days` after 2010-01-01, serial `serial`.
fn personnummer(days: usize, serial: usize) -> String {
    let month = 1 + days / 28;
    let day = 1 + days % 28;
    let nine = format!("10{month:02}{day:02}{serial:03}");
    let sum: u32 = nine
        .chars()
        .enumerate()
        .map(|(i, c)| {
            let d = c.to_digit(10).unwrap() * if i % 2 == 0 { 2 } else { 1 };
            d / 10 + d % 10
        })
        .sum();
    format!("20{nine}{}", (10 - sum % 10) % 10)
}

fn pupil_cn(i: usize) -> String {
    format!("CN=elev{i:04},OU=Elever,OU=Skola,{BASE}")
}

/// The example's AD users (examples/extens-ad/data/ad_users.csv), the generated pupils and
/// a group with 2 000 of them. Every tenth generated pupil is disabled; pupil 7 is protected.
fn entries() -> String {
    let mut ldif = String::new();
    for ou in [
        "OU=Skola",
        "OU=Elever,OU=Skola",
        "OU=Personal,OU=Skola",
        "OU=Grupper,OU=Skola",
    ] {
        let name = ou.split(',').next().unwrap().trim_start_matches("OU=");
        ldif += &format!("dn: {ou},{BASE}\nobjectClass: organizationalUnit\nou: {name}\n\n");
    }
    let csv = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/extens-ad/data/ad_users.csv"),
    )
    .unwrap();
    for line in csv.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let (number, account, mail) = (f[0], f[1], f[2]);
        let ou = if mail.contains("@elev.") || number.starts_with("20") {
            "Elever"
        } else {
            "Personal"
        };
        ldif += &format!(
            "dn: CN={account},OU={ou},OU=Skola,{BASE}\nobjectClass: user\nsAMAccountName: {account}\n\
             userPrincipalName: {account}@{}\nemployeeNumber: {number}\nuserAccountControl: 544\n",
            samba::REALM
        );
        if !mail.is_empty() {
            ldif += &format!("mail: {mail}\n");
        }
        ldif += "\n";
    }
    for i in 0..PUPILS {
        let account = format!("elev{i:04}");
        let control = if i % 10 == 0 { 546 } else { 544 };
        ldif += &format!(
            "dn: {}\nobjectClass: user\nsAMAccountName: {account}\nemployeeNumber: {}\n\
             mail: {account}@elev.example.se\nproxyAddresses: smtp:{account}@old.example.se\n\
             proxyAddresses: SMTP:{account}@elev.example.se\nuserAccountControl: {control}\n",
            pupil_cn(i),
            personnummer(i / 100, 100 + i % 100)
        );
        if i == 7 {
            ldif += "employeeType: skyddad\n";
        }
        ldif += "\n";
    }
    ldif += &format!(
        "dn: CN=Alla elever,OU=Grupper,OU=Skola,{BASE}\nobjectClass: group\nsAMAccountName: alla-elever\n"
    );
    for i in 0..GROUP_MEMBERS {
        ldif += &format!("member: {}\n", pupil_cn(i));
    }
    ldif
}

// ---------------------------------------------------------------- direct reads

fn nowhere() -> Span {
    Span::new(FileId(0), 0, 0)
}

fn options(d: &Directory, url: &str, starttls: bool, secrets: &tempfile::TempDir) -> LdapOptions {
    LdapOptions {
        ca_file: Some(d.samba.ca.to_string_lossy().into_owned()),
        ..service_account(url, starttls, secrets)
    }
}

/// The service account's settings for `url`, trusting the platform's CAs only.
fn service_account(url: &str, starttls: bool, secrets: &tempfile::TempDir) -> LdapOptions {
    // The password comes from a secret file, as in production.
    let password = secrets.path().join("password");
    std::fs::write(&password, SERVICE_PASSWORD).unwrap();
    LdapOptions {
        url: url.to_string(),
        url_span: nowhere(),
        starttls,
        bind_dn: SERVICE_ACCOUNT.to_string(),
        bind_span: nowhere(),
        password: format!("${{file:{}}}", password.display()),
        page_size: 500,
        timeout_secs: 20,
        ca_file: None,
    }
}

fn query(base: &str, filter: &str, attributes: &[&str]) -> LdapQuery {
    LdapQuery {
        base: format!("{base},{BASE}"),
        base_span: nowhere(),
        scope: Scope::Sub,
        filter: filter.to_string(),
        filter_span: nowhere(),
        attributes: attributes.iter().map(|a| a.to_string()).collect(),
        separator: "|".to_string(),
        protected: None,
    }
}

const USERS: &str = "(&(objectClass=user)(employeeNumber=*))";
const ATTRIBUTES: [&str; 8] = [
    "employeeNumber",
    "sAMAccountName",
    "mail",
    "proxyAddresses",
    "objectGUID",
    "objectSid",
    "userAccountControl",
    "memberOf",
];

/// One row as column -> value, found by its sAMAccountName.
fn row_of(dataset: &Dataset, account: &str) -> Vec<(String, String)> {
    let at = dataset.column_index("sAMAccountName").unwrap();
    let row = (0..dataset.len() as u32)
        .find(|r| dataset.get(*r, at) == account)
        .unwrap_or_else(|| panic!("no entry {account}"));
    dataset
        .columns
        .iter()
        .enumerate()
        .map(|(c, name)| (name.clone(), dataset.get(row, c as u32).to_string()))
        .collect()
}

fn field<'a>(row: &'a [(String, String)], column: &str) -> &'a str {
    &row.iter().find(|(c, _)| c == column).unwrap().1
}

/// Every row of a dataset, sorted, for comparing reads.
fn rows(dataset: &Dataset) -> Vec<Vec<String>> {
    let mut rows: Vec<Vec<String>> = (0..dataset.len() as u32)
        .map(|r| {
            (0..dataset.width() as u32)
                .map(|c| dataset.get(r, c).to_string())
                .collect()
        })
        .collect();
    rows.sort();
    rows
}

fn every_user_is_read_page_by_page_over_ldaps(d: &Directory) {
    let secrets = tempfile::tempdir().unwrap();
    let options = options(d, "ldaps://127.0.0.1:636", false, &secrets);
    let q = query("OU=Skola", USERS, &ATTRIBUTES);
    let read = ldap::read("ad", &options, &[&q], &Watch::default()).unwrap();
    let users = &read.datasets[0];
    let mut columns = vec!["dn"];
    columns.extend(ATTRIBUTES);
    columns.push("disabled");
    assert_eq!(users.columns, columns);
    assert_eq!(users.len(), PUPILS + 8, "every user, over all pages");
    assert!(
        read.pages >= 6,
        "{} users in pages of 500 took {} page(s)",
        users.len(),
        read.pages
    );
    let disabled = (0..users.len() as u32)
        .filter(|r| users.get(*r, columns.len() as u32 - 1) == "true")
        .count();
    assert_eq!(
        disabled,
        PUPILS / 10,
        "userAccountControl bit 2 gives `disabled`"
    );

    let pupil = row_of(users, "elev0001");
    assert_eq!(field(&pupil, "dn"), pupil_cn(1));
    assert_eq!(field(&pupil, "employeeNumber"), personnummer(0, 101));
    assert_eq!(field(&pupil, "disabled"), "false");
    assert_eq!(
        field(&pupil, "proxyAddresses"),
        "SMTP:elev0001@elev.example.se|smtp:elev0001@old.example.se",
        "several values, sorted, joined with the separator"
    );
    assert!(field(&pupil, "memberOf").contains("CN=Alla elever,OU=Grupper"));
    assert_eq!(field(&row_of(users, "elev0000"), "disabled"), "true");
    assert_eq!(
        field(&row_of(users, "fatima.ali"), "mail"),
        "",
        "no mail attribute: empty"
    );

    // The binary identifiers, compared with what Samba itself shows for the same account.
    let shown = d.samba.tool(&[
        "user",
        "show",
        "elev0001",
        "--attributes=objectGUID,objectSid",
    ]);
    let guid = field(&pupil, "objectGUID");
    let sid = field(&pupil, "objectSid");
    assert!(
        shown.contains(&format!("objectGUID: {guid}")),
        "{guid} vs\n{shown}"
    );
    assert!(
        shown.contains(&format!("objectSid: {sid}")),
        "{sid} vs\n{shown}"
    );
    assert_eq!(guid.len(), 36);
}

fn the_page_size_sets_the_number_of_pages(d: &Directory) {
    let secrets = tempfile::tempdir().unwrap();
    let q = query("OU=Skola", USERS, &["sAMAccountName"]);
    for (size, pages) in [(1_000, 3), (100, 27), (5_000, 1)] {
        let mut options = options(d, "ldaps://127.0.0.1:636", false, &secrets);
        options.page_size = size;
        let (recorded, watch) = Recorded::watch();
        let read = ldap::read("ad", &options, &[&q], &watch).unwrap();
        assert_eq!(read.datasets[0].len(), PUPILS + 8, "page size {size}");
        assert_eq!(
            read.pages,
            pages,
            "{} entries in pages of {size}",
            PUPILS + 8
        );
        // Progress is told once a page, ending at every entry read.
        let advances = recorded.advances();
        assert_eq!(advances.len() as u32, pages, "page size {size}");
        let entries = (read.datasets[0].len() + read.protected) as u64;
        assert_eq!(recorded.last(), Some((entries, None, Unit::Objects)));
    }
}

fn starttls_and_plain_ldap_read_the_same_entries(d: &Directory) {
    let secrets = tempfile::tempdir().unwrap();
    let q = query("OU=Skola", USERS, &["sAMAccountName", "objectGUID", "mail"]);
    let mut seen = Vec::new();
    for (url, starttls) in [
        ("ldaps://127.0.0.1:636", false),
        ("ldap://127.0.0.1:389", true),
        ("ldap://127.0.0.1:389", false),
    ] {
        let options = options(d, url, starttls, &secrets);
        let read = ldap::read("ad", &options, &[&q], &Watch::default())
            .unwrap_or_else(|e| panic!("{url} (StartTLS {starttls}): {e:?}"));
        seen.push(rows(&read.datasets[0]));
    }
    assert_eq!(seen[0].len(), PUPILS + 8);
    assert_eq!(seen[0], seen[1], "StartTLS reads what LDAPS reads");
    assert_eq!(seen[0], seen[2], "plain LDAP reads what LDAPS reads");
}

fn a_group_of_two_thousand_members_is_read_whole(d: &Directory) {
    let secrets = tempfile::tempdir().unwrap();
    let options = options(d, "ldaps://127.0.0.1:636", false, &secrets);
    let q = query(
        "OU=Grupper,OU=Skola",
        "(objectClass=group)",
        &["sAMAccountName", "member"],
    );
    let read = ldap::read("ad", &options, &[&q], &Watch::default()).unwrap();
    let group = row_of(&read.datasets[0], "alla-elever");
    let members: Vec<&str> = field(&group, "member").split('|').collect();
    assert_eq!(members.len(), GROUP_MEMBERS, "every member, in one field");
    assert!(members.contains(&pupil_cn(GROUP_MEMBERS - 1).as_str()));
}

fn protected_entries_are_dropped_as_they_are_read(d: &Directory) {
    let secrets = tempfile::tempdir().unwrap();
    let options = options(d, "ldaps://127.0.0.1:636", false, &secrets);
    let mut q = query(
        "OU=Elever,OU=Skola",
        USERS,
        &["sAMAccountName", "employeeType"],
    );
    q.protected = Some(roster_etl::source::ProtectedRule {
        column: "employeeType".into(),
        span: nowhere(),
        values: vec!["Skyddad".into()],
    });
    let read = ldap::read("ad", &options, &[&q], &Watch::default()).unwrap();
    let users = &read.datasets[0];
    assert_eq!(read.protected, 1);
    let accounts: Vec<&str> = (0..users.len() as u32).map(|r| users.get(r, 1)).collect();
    assert!(
        !accounts.contains(&"elev0007"),
        "the protected pupil is not in the dataset"
    );
    assert!(accounts.contains(&"elev0008"));
}

// ---------------------------------------------------------------- through the binary

/// The bundled example's LDAP pipeline, pointed at the test directory.
fn ldap_example(d: &Directory) -> Sandbox {
    let sb = Sandbox::example();
    std::fs::create_dir_all(sb.path("certs")).unwrap();
    std::fs::copy(&d.samba.ca, sb.path("certs/ad-ca.pem")).unwrap();
    sb
}

fn etl(sb: &Sandbox, args: &[&str]) -> std::process::Output {
    sb.etl(args)
        .env("AD_URL", "ldaps://127.0.0.1:636")
        .env("AD_PASSWORD", SERVICE_PASSWORD)
        .output()
        .unwrap()
}

const PIPELINE: &str = "pipeline-ldap.yaml";

fn plan(sb: &Sandbox) -> std::process::Output {
    etl(sb, &["plan", PIPELINE, "--today", TODAY])
}

fn the_example_over_ldaps_writes_what_the_csv_export_writes(d: &Directory) {
    let sb = ldap_example(d);
    let out = etl(
        &sb,
        &["apply", PIPELINE, "--today", TODAY, "--auto-approve"],
    );
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    let csv = Sandbox::example();
    csv.apply(&[]).assert().success();
    let files = |s: &Sandbox| -> Vec<(String, Vec<u8>)> {
        s.written()
            .into_iter()
            .filter(|(n, _)| n.starts_with("out/"))
            .collect()
    };
    let (from_ldap, from_csv) = (files(&sb), files(&csv));
    assert!(!from_ldap.is_empty());
    assert_eq!(
        from_ldap.iter().map(|f| &f.0).collect::<Vec<_>>(),
        from_csv.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    for (a, b) in from_ldap.iter().zip(&from_csv) {
        assert!(
            a.1 == b.1,
            "{} differs between the LDAP and the CSV read of AD",
            a.0
        );
    }
    let again = plan(&sb);
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(stdout(&again).contains("No changes"), "{}", stdout(&again));
    assert!(
        !stdout(&again).contains(SERVICE_PASSWORD) && !stderr(&again).contains(SERVICE_PASSWORD)
    );
}

fn export_over_ldaps_equals_the_export_from_the_csv_read(d: &Directory) {
    let sb = ldap_example(d);
    let args = ["export", PIPELINE, "--today", TODAY, "--format", "json"];
    let from_ldap = etl(&sb, &args);
    assert!(from_ldap.status.success(), "{}", stderr(&from_ldap));
    let csv = Sandbox::example();
    let from_csv = csv
        .etl(&[
            "export",
            "pipeline.yaml",
            "--today",
            TODAY,
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let doc = |out: &std::process::Output| -> serde_json::Value {
        let mut v: serde_json::Value = serde_json::from_str(&stdout(out)).unwrap();
        v["pipeline"] = serde_json::Value::Null;
        v
    };
    assert!(
        doc(&from_ldap)["person"]
            .as_array()
            .is_some_and(|p| !p.is_empty())
    );
    assert_eq!(doc(&from_ldap), doc(&from_csv));
}

fn explain_follows_a_pupil_into_the_directory(d: &Directory) {
    let sb = ldap_example(d);
    let out = etl(
        &sb,
        &[
            "explain",
            PIPELINE,
            "Asa.Oberg@elev.example.se",
            "--today",
            TODAY,
        ],
    );
    let text = stdout(&out);
    assert!(out.status.success(), "{}{text}", stderr(&out));
    // The directory's entry is named by the search that found it and its place in the answer.
    assert!(text.contains("ad.users  ldaps://127.0.0.1:636"), "{text}");
    assert!(
        text.contains("matched ad.users ldaps://127.0.0.1:636"),
        "{text}"
    );
    assert!(text.contains("person E1001: in the roster"), "{text}");
    assert!(
        text.contains("email        = \"asa.oberg@elev.example.se\""),
        "{text}"
    );
    assert!(!text.contains(SERVICE_PASSWORD) && !stderr(&out).contains(SERVICE_PASSWORD));
}

fn validate_connect_binds_and_a_wrong_password_is_refused(d: &Directory) {
    let sb = ldap_example(d);
    let ok = etl(&sb, &["validate", PIPELINE, "--connect"]);
    assert!(ok.status.success(), "{}{}", stdout(&ok), stderr(&ok));
    assert!(
        stdout(&ok).contains("source `ad`: directory ldaps://127.0.0.1:636 reachable over TLS, bind as `svc-roster@ad.example.se` accepted"),
        "{}",
        stdout(&ok)
    );

    let before = sb.written();
    let refused = sb
        .etl(&["plan", PIPELINE, "--today", TODAY])
        .env("AD_URL", "ldaps://127.0.0.1:636")
        .env("AD_PASSWORD", "Wrong-Passw0rd!")
        .output()
        .unwrap();
    let err = stderr(&refused);
    assert_eq!(refused.status.code(), Some(1), "{err}");
    assert!(err.contains("E0307"), "{err}");
    assert!(
        err.contains("the directory refused the password of `svc-roster@ad.example.se`"),
        "{err}"
    );
    assert!(
        err.contains("pipeline-ldap.yaml:30:"),
        "the label is on `bind_dn:`: {err}"
    );
    assert!(err.contains("ldap.password"), "{err}");
    assert!(
        !err.contains("Wrong-Passw0rd!"),
        "the password is never shown: {err}"
    );
    common::assert_unchanged(&before, &sb.written(), "a refused bind");
}

fn an_unknown_base_or_an_empty_search_stops_the_run_writing_nothing(d: &Directory) {
    let sb = ldap_example(d);
    let out = etl(
        &sb,
        &["apply", PIPELINE, "--today", TODAY, "--auto-approve"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let before = sb.written();

    sb.edit(PIPELINE, "base: OU=Skola,", "base: OU=Skolan,");
    let out = plan(&sb);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("E0307") && err.contains("no such entry in the directory"),
        "{err}"
    );
    assert!(
        err.contains("pipeline-ldap.yaml:37:"),
        "the label is on `base:`: {err}"
    );
    assert!(err.contains("check `base:`"), "{err}");
    common::assert_unchanged(&before, &sb.written(), "an unknown base");

    // A search that finds nobody, where state holds AD's users, is not "everyone left AD".
    sb.edit(PIPELINE, "base: OU=Skolan,", "base: OU=Grupper,OU=Skola,");
    let out = etl(
        &sb,
        &["apply", PIPELINE, "--today", TODAY, "--auto-approve"],
    );
    let err = stderr(&out);
    assert!(!out.status.success(), "{}", stdout(&out));
    assert!(
        err.contains("dataset `ad.users`") && err.contains("has no rows, but the last apply read"),
        "{err}"
    );
    common::assert_unchanged(&before, &sb.written(), "an empty search");
}

fn an_untrusted_certificate_or_an_unreachable_directory_stops_the_run(d: &Directory) {
    let sb = ldap_example(d);
    sb.edit(PIPELINE, "      ca_file: certs/ad-ca.pem\n", "");
    let out = plan(&sb);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("E0307") && err.contains("cannot connect to ldaps://127.0.0.1:636"),
        "{err}"
    );
    assert!(
        err.contains("ldap.ca_file"),
        "the hint names the CA setting: {err}"
    );

    let closed = common::free_port();
    let out = sb
        .etl(&["plan", PIPELINE, "--today", TODAY])
        .env("AD_URL", format!("ldap://127.0.0.1:{closed}"))
        .env("AD_PASSWORD", SERVICE_PASSWORD)
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!("cannot connect to ldap://127.0.0.1:{closed}")),
        "{err}"
    );
    assert!(
        err.contains("nothing was planned and state is unchanged"),
        "{err}"
    );
    assert!(sb.written().is_empty(), "nothing is written");
}

// ---------------------------------------------------------------- without a server

fn mistakes_in_ldap_settings_are_all_reported_at_their_place() {
    let sb = Sandbox::example();
    let text = sb.read(PIPELINE);
    let broken = text
        .replace(
            "url: ${AD_URL:-ldaps://dc1.ad.example.se:636}",
            "url: ldaps://dc1.ad.example.se:636\n      starttls: true",
        )
        .replace("password: ${AD_PASSWORD}", "password: Hemligt123")
        .replace(
            "(&(objectClass=user)(employeeNumber=*))",
            "(&(objectClass=user)(employeeNumber=*)",
        )
        .replace(
            "[employeeNumber, sAMAccountName,",
            "[employeeNumber, member;range=0-*, sAMAccountName,",
        )
        .replace(
            "        base: OU=Skola",
            "        scope: subtee\n        base: OU=Skola",
        );
    std::fs::write(sb.path(PIPELINE), broken).unwrap();
    let out = sb.etl(&["validate", PIPELINE]).output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    for expected in [
        "`starttls: true` with an `ldaps://` URL",
        "a credential is written in the pipeline",
        "is not an LDAP search filter",
        "attribute `member;range=0-*` cannot be read",
        "unknown scope `subtee`",
        "did you mean `sub`",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in:\n{err}");
    }
    assert!(
        !err.contains("Hemligt123"),
        "a plain password is not echoed: {err}"
    );
}

/// A port that accepts connections and never answers (a firewall that swallows packets, or
/// the wrong service): the read stops after `timeout_secs`, not never.
fn a_directory_that_never_answers_times_out() {
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let held = std::thread::spawn(move || {
        let conn = silent.accept();
        std::thread::sleep(std::time::Duration::from_secs(5));
        drop(conn);
    });
    let secrets = tempfile::tempdir().unwrap();
    let options = LdapOptions {
        timeout_secs: 1,
        ..service_account(&format!("ldap://127.0.0.1:{port}"), false, &secrets)
    };
    let started = std::time::Instant::now();
    let q = query("OU=Skola", USERS, &["sAMAccountName"]);
    let e = ldap::read("ad", &options, &[&q], &Watch::default()).unwrap_err();
    assert!(
        started.elapsed() < std::time::Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    assert!(
        e.message.contains("did not answer the bind within 1 s"),
        "{}",
        e.message
    );
    held.join().unwrap();
}
