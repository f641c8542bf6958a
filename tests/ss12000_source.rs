//! The SS12000 v2.1 source against a real peer: Prism serving the official OpenAPI file
//! (tests/fixtures/ss12000). Prism checks every request against the standard (a request
//! that breaks it gets an error, and these tests then fail) and enforces its bearer token.
//! With `-d` it answers with random data valid against the schemas, so the reader meets
//! optional members present and absent, unknown extra members, and paging that ends after
//! a random number of pages.

mod common;

use common::fault_proxy::FaultProxy;
use common::oauth2::{CLIENT_ID, CLIENT_SECRET, SCOPE, TokenServer};
use common::prism::{Answers, Prism, TOKEN};
use common::{Sandbox, assert_unchanged, stderr, stdout};
use roster_etl::diagnostic::{Code, FileId, Span};
use roster_etl::net::OAuth2Options;
use roster_etl::report::{Recorded, Unit, Watch};
use roster_etl::source::ss12000::{self, How, Incremental, MirrorAt, Resource, Ss12000Options};

/// Settings for a direct read; the token comes from a secret file, as in production.
fn options(url: &str, secrets: &tempfile::TempDir) -> Ss12000Options {
    let token = secrets.path().join("token");
    std::fs::write(&token, TOKEN).unwrap();
    Ss12000Options {
        url: url.to_string(),
        url_span: Span::new(FileId(0), 0, 0),
        token: Some(format!("${{file:{}}}", token.display())),
        oauth2: None,
        page_size: 50,
        timeout_secs: 10,
        retries: 3,
        ca_file: None,
        incremental: None,
    }
}

/// The bundled SS12000 example, pointed at `url`.
fn example(url: &str) -> (Sandbox, Vec<(&'static str, String)>) {
    let sb = Sandbox::of("ss12000");
    let env = vec![
        ("SS12000_URL", url.to_string()),
        ("SS12000_TOKEN", TOKEN.to_string()),
    ];
    (sb, env)
}

fn run(sb: &Sandbox, env: &[(&str, String)], args: &[&str]) -> std::process::Output {
    let mut cmd = sb.etl(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

/// No request roster-etl sent broke the SS12000 file. (Prism also logs where its own
/// answers break the file, as its static placeholders do: those are not ours.)
fn assert_no_violations(prism: &Prism) {
    let log = prism.log();
    assert!(
        !log.contains("Violation: request"),
        "Prism found requests that break the SS12000 file:\n{log}"
    );
}

#[test]
fn every_dataset_is_read_page_by_page_with_its_columns() {
    let prism = Prism::start(Answers::Dynamic);
    let secrets = tempfile::tempdir().unwrap();
    let read = ss12000::read(
        "register",
        &options(&prism.url(), &secrets),
        Resource::ALL,
        &Watch::default(),
    )
    .unwrap();
    assert_eq!(read.datasets.len(), Resource::ALL.len());
    for (dataset, resource) in read.datasets.iter().zip(Resource::ALL) {
        assert_eq!(dataset.columns, resource.columns(), "{}", resource.name());
        for row in 0..dataset.len() as u32 {
            if resource.columns()[0] == "id" {
                assert!(!dataset.get(row, 0).is_empty(), "{}", resource.name());
            }
        }
    }
    assert!(read.objects > 0, "Prism sent no objects");
    let log = prism.log();
    for path in [
        "/organisations",
        "/persons",
        "/groups",
        "/placements",
        "/duties",
    ] {
        let reads = log.matches(&format!("get {path} ")).count();
        assert!(reads >= 1, "{path} was not read:\n{log}");
    }
    // Each endpoint is read once for all its datasets, plus its further pages.
    assert!(
        log.contains("pageToken="),
        "no page after the first was asked for"
    );
    assert_no_violations(&prism);
}

#[test]
fn protected_persons_are_not_read() {
    let prism = Prism::start(Answers::Dynamic);
    let secrets = tempfile::tempdir().unwrap();
    // Prism marks a random share of its persons; read until some were protected.
    let mut seen = 0;
    for _ in 0..40 {
        let (recorded, watch) = Recorded::watch();
        let read = ss12000::read(
            "register",
            &options(&prism.url(), &secrets),
            &[Resource::Persons],
            &watch,
        )
        .unwrap();
        let rows = read.datasets[0].len();
        assert_eq!(rows + read.protected, read.objects, "a person went missing");
        // Progress counts every object read, protected or not, page by page.
        assert_eq!(
            recorded.last(),
            Some((read.objects as u64, None, Unit::Objects))
        );
        seen += read.protected;
        if seen > 0 {
            break;
        }
    }
    assert!(seen > 0, "Prism never sent a protected person in 40 reads");
    assert_no_violations(&prism);
}

#[test]
fn the_example_pipeline_plans_and_applies_from_the_api() {
    let prism = Prism::start(Answers::Dynamic);
    let (sb, env) = example(&prism.url());
    let out = run(&sb, &env, &["plan", "pipeline.yaml"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("(first run: no state yet)"),
        "{}",
        stdout(&out)
    );
    // Prism's data differ on every request: what is written must be what this apply planned.
    let out = run(&sb, &env, &["apply", "pipeline.yaml", "--auto-approve"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let planned = added(&stdout(&out), "organisation");
    let orgs = sb.read("out/lms/orgs.csv");
    assert_eq!(
        orgs.lines().count() - 1,
        planned,
        "{}\n{orgs}",
        stdout(&out)
    );
    assert!(sb.path("state/ss12000.db").exists());
    assert!(!stdout(&out).contains(TOKEN) && !stderr(&out).contains(TOKEN));
    assert_no_violations(&prism);
}

/// The example with every dataset allowed to be empty (Prism's random reads sometimes are).
fn tolerant_example(url: &str) -> (Sandbox, Vec<(&'static str, String)>) {
    let (sb, env) = example(url);
    for dataset in ["organisations", "persons", "groups", "duties"] {
        sb.edit(
            "pipeline.yaml",
            &format!("{dataset}: {{}}"),
            &format!("{dataset}: {{ may_be_empty: true }}"),
        );
    }
    sb.edit(
        "pipeline.yaml",
        "members: { resource: groupMemberships }",
        "members: { resource: groupMemberships, may_be_empty: true }",
    );
    (sb, env)
}

#[test]
fn explain_answers_for_a_person_the_register_no_longer_sends() {
    // Prism's dynamic persons have new ids on every read: a person applied once is gone
    // from the next read, which is what `etl explain` must then say, per target.
    let prism = Prism::start(Answers::Dynamic);
    // Some of Prism's random reads hold no pupil: apply in a fresh sandbox until one does.
    let (sb, env, key) = (0..20)
        .find_map(|_| {
            let (sb, env) = tolerant_example(&prism.url());
            let out = run(&sb, &env, &["apply", "pipeline.yaml", "--auto-approve"]);
            assert!(out.status.success(), "{}", stderr(&out));
            // A read with nothing to write leaves no file at all.
            let users = std::fs::read_to_string(sb.path("out/lms/users.csv")).ok()?;
            let key = users
                .lines()
                .nth(1)
                .and_then(|l| l.split(',').next())
                .map(|k| k.trim_matches('"').to_string())?;
            Some((sb, env, key))
        })
        .expect("Prism sent no pupil in 20 reads");
    let out = run(&sb, &env, &["explain", "pipeline.yaml", &key]);
    let text = stdout(&out);
    assert!(out.status.success(), "{}{text}", stderr(&out));
    assert!(
        text.contains(&format!(
            "person {key}: not in the roster: no source row makes it"
        )),
        "{text}"
    );
    assert!(
        text.contains("target lms (oneroster-1.2): active; plan: -"),
        "{text}"
    );
    assert!(!text.contains(TOKEN) && !stderr(&out).contains(TOKEN));
    assert_no_violations(&prism);
}

#[test]
fn export_writes_what_the_mappings_make_of_the_api() {
    let prism = Prism::start(Answers::Dynamic);
    let (sb, env) = example(&prism.url());
    let out = run(&sb, &env, &["export", "pipeline.yaml", "--out", "export"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("export/organisation.csv: "), "{text}");
    let orgs = sb.read("export/organisation.csv");
    assert!(orgs.starts_with("key,name,type,code,parent"), "{orgs}");
    assert!(!sb.path("state").exists() && !sb.path("out").exists());
    assert_no_violations(&prism);
}

/// `N` of the plan's "ENTITY: N to add" line (0 when there is none).
fn added(plan: &str, entity: &str) -> usize {
    plan.lines()
        .find_map(|l| {
            let rest = l.trim().strip_prefix(entity)?.strip_prefix(": ")?;
            rest.split(' ').next()?.parse().ok()
        })
        .unwrap_or(0)
}

#[test]
fn validate_connect_reaches_the_server_and_a_missing_token_is_refused() {
    let prism = Prism::start(Answers::Dynamic);
    let (sb, env) = example(&prism.url());
    let out = run(&sb, &env, &["validate", "pipeline.yaml", "--connect"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("reachable, token accepted"),
        "{}",
        stdout(&out)
    );

    sb.edit("pipeline.yaml", "      token: ${SS12000_TOKEN}\n", "");
    for args in [
        &["validate", "pipeline.yaml", "--connect"][..],
        &["plan", "pipeline.yaml"],
    ] {
        let out = run(&sb, &env, args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.contains(Code::SourceUnreachable.as_str()), "{err}");
        assert!(
            err.contains("HTTP 401") && err.contains("refused the token"),
            "{err}"
        );
        assert!(
            err.contains("pipeline.yaml:12"),
            "no place in the pipeline:\n{err}"
        );
    }
    assert!(!sb.path("state").exists(), "a failed read created state");
    assert!(!sb.path("out").exists(), "a failed read wrote a target");
}

#[test]
fn an_unreachable_server_stops_the_run_before_anything_is_planned() {
    let (sb, env) = example(&format!("http://127.0.0.1:{}", common::free_port()));
    let out = run(&sb, &env, &["plan", "pipeline.yaml"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains(Code::SourceUnreachable.as_str()), "{err}");
    assert!(err.contains("GET http://127.0.0.1:"), "{err}");
    assert!(err.contains("nothing was planned"), "{err}");
    assert!(!sb.path("state").exists() && !sb.path("out").exists());
}

#[test]
fn answers_that_break_the_standard_are_refused_not_half_read() {
    // Prism's static answers hold placeholders: persons as `null`, and a `pageToken` that
    // is the same on every page, so paging would never end.
    let prism = Prism::start(Answers::Static);
    let (sb, env) = example(&prism.url());
    let out = run(&sb, &env, &["plan", "pipeline.yaml"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains(Code::BadSourceAnswer.as_str()), "{err}");
    assert!(err.contains("has no `id`"), "{err}");

    let secrets = tempfile::tempdir().unwrap();
    let e = ss12000::read(
        "register",
        &options(&prism.url(), &secrets),
        &[Resource::Organisations],
        &Watch::default(),
    )
    .unwrap_err();
    assert_eq!(e.code, Code::BadSourceAnswer);
    assert!(
        e.message.contains("same `pageToken` as the page before"),
        "{}",
        e.message
    );
    assert_no_violations(&prism);
}

#[test]
fn a_rate_limited_server_is_retried_after_the_time_it_asks() {
    let prism = Prism::start(Answers::Dynamic);
    let proxy = FaultProxy::throttle(prism.port, 2, 1);
    let secrets = tempfile::tempdir().unwrap();
    let read = ss12000::read(
        "register",
        &options(&proxy.base(), &secrets),
        &[Resource::Groups],
        &Watch::default(),
    )
    .unwrap();
    assert_eq!(proxy.throttled(), 2);
    assert_eq!(read.datasets[0].columns, Resource::Groups.columns());
    assert_no_violations(&prism);
}

#[test]
fn mistakes_in_the_source_settings_are_all_reported_at_their_place() {
    let (sb, env) = example("http://127.0.0.1:1");
    sb.edit(
        "pipeline.yaml",
        "      token: ${SS12000_TOKEN}",
        "      token: s3cret-written-inline",
    );
    sb.edit(
        "pipeline.yaml",
        "members: { resource: groupMemberships }",
        "members: { resource: groupMembership, path: x.csv }",
    );
    sb.edit(
        "pipeline.yaml",
        "      page_size: 500",
        "      page_size: 500\n      incremental: { full_every: weekly }",
    );
    let out = run(&sb, &env, &["validate", "pipeline.yaml"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains(Code::PlainSecret.as_str()), "{err}");
    assert!(
        !err.contains("s3cret-written-inline"),
        "the secret was shown:\n{err}"
    );
    assert!(
        err.contains("`groupMembership` is not an SS12000 dataset")
            && err.contains("did you mean `groupMemberships`"),
        "{err}"
    );
    assert!(
        err.contains("`path:` does not apply to a dataset of an `ss12000` source"),
        "{err}"
    );
    assert!(
        err.contains("`weekly` is not a length of time") && err.contains("pipeline.yaml:15:34"),
        "{err}"
    );
    assert!(err.contains("4 errors found"), "{err}");
}

/// Settings that obtain the token from `server` with client credentials.
fn oauth2_options(url: &str, server: &TokenServer, secrets: &tempfile::TempDir) -> Ss12000Options {
    let secret = secrets.path().join("client-secret");
    std::fs::write(&secret, CLIENT_SECRET).unwrap();
    Ss12000Options {
        token: None,
        oauth2: Some(OAuth2Options {
            token_url: server.token_url(),
            client_id: CLIENT_ID.to_string(),
            client_secret: format!("${{file:{}}}", secret.display()),
            scope: Some(SCOPE.to_string()),
            span: Span::new(FileId(0), 0, 0),
        }),
        ..options(url, secrets)
    }
}

#[test]
fn oauth2_client_credentials_give_the_token_every_request_carries() {
    let prism = Prism::start(Answers::Dynamic);
    let proxy = FaultProxy::record(prism.port);
    let server = TokenServer::start(600);
    let secrets = tempfile::tempdir().unwrap();
    let options = oauth2_options(&proxy.base(), &server, &secrets);
    let read = ss12000::read(
        "register",
        &options,
        &[Resource::Persons, Resource::Groups],
        &Watch::default(),
    )
    .unwrap();
    assert_eq!(read.datasets.len(), 2);
    let issued = server.issued();
    assert_eq!(
        issued.len(),
        1,
        "one token serves the whole read:\n{}",
        server.log()
    );
    let sent = proxy.authorizations();
    assert!(sent.len() >= 2, "{sent:?}");
    assert!(
        sent.iter().all(|a| *a == format!("Bearer {}", issued[0])),
        "every request carries the issued token: {sent:?} vs {issued:?}"
    );
    assert_no_violations(&prism);
}

#[test]
fn an_expiring_token_is_renewed_before_the_next_request() {
    let prism = Prism::start(Answers::Dynamic);
    // The first request is answered 429 "retry after 2 s"; tokens live 31 s, so the client
    // renews them 1 s after issue: the retry needs a new token.
    let proxy = FaultProxy::throttle(prism.port, 1, 2);
    let server = TokenServer::start(31);
    let secrets = tempfile::tempdir().unwrap();
    let options = oauth2_options(&proxy.base(), &server, &secrets);
    ss12000::read(
        "register",
        &options,
        &[Resource::Organisations],
        &Watch::default(),
    )
    .unwrap();
    let issued = server.issued();
    assert!(issued.len() >= 2, "no renewal:\n{}", server.log());
    let sent = proxy.authorizations();
    assert_eq!(sent[0], format!("Bearer {}", issued[0]));
    assert_eq!(
        sent[1],
        format!("Bearer {}", issued[1]),
        "the retry used the new token"
    );
    assert_no_violations(&prism);
}

#[test]
fn refused_client_credentials_stop_the_run_at_the_oauth2_settings() {
    let prism = Prism::start(Answers::Dynamic);
    let server = TokenServer::start(600);
    let (sb, mut env) = example(&prism.url());
    sb.edit(
        "pipeline.yaml",
        "      token: ${SS12000_TOKEN}\n",
        &format!(
            "      oauth2:\n        token_url: {}\n        client_id: {CLIENT_ID}\n        client_secret: ${{SS12000_CLIENT_SECRET}}\n        scope: {SCOPE}\n",
            server.token_url()
        ),
    );
    env.push(("SS12000_CLIENT_SECRET", CLIENT_SECRET.to_string()));
    let out = run(&sb, &env, &["validate", "pipeline.yaml", "--connect"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(server.issued().len(), 1);

    env.retain(|(k, _)| *k != "SS12000_CLIENT_SECRET");
    env.push(("SS12000_CLIENT_SECRET", "wrong-secret".to_string()));
    let out = run(&sb, &env, &["plan", "pipeline.yaml"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains(Code::SourceUnreachable.as_str()), "{err}");
    assert!(
        err.contains("invalid_client"),
        "the server's own words: {err}"
    );
    assert!(
        err.contains("pipeline.yaml:16"),
        "the label is on `client_secret:`: {err}"
    );
    assert!(err.contains("oauth2.client_id"), "{err}");
    assert!(
        !err.contains("wrong-secret"),
        "the secret is never shown: {err}"
    );
    assert!(server.log().contains("token refused"), "{}", server.log());
    assert!(!sb.path("state").exists() && !sb.path("out").exists());

    sb.edit(
        "pipeline.yaml",
        "      oauth2:",
        "      token: ${SS12000_TOKEN}\n      oauth2:",
    );
    let out = run(&sb, &env, &["validate", "pipeline.yaml"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("both `token:` and `oauth2:` are given"),
        "{err}"
    );
}

/// The ids in column 0 of a dataset.
fn ids(dataset: &roster_etl::source::Dataset) -> Vec<String> {
    (0..dataset.len() as u32)
        .map(|r| dataset.get(r, 0).to_string())
        .collect()
}

#[test]
fn an_incremental_source_reads_in_full_then_only_what_changed_into_its_mirror() {
    let prism = Prism::start(Answers::Dynamic);
    let proxy = FaultProxy::record(prism.port);
    let secrets = tempfile::tempdir().unwrap();
    let options = Ss12000Options {
        incremental: Some(Incremental::default()),
        ..options(&proxy.base(), &secrets)
    };
    let dir = tempfile::tempdir().unwrap();
    let path = ss12000::mirror_path(&dir.path().join("state/sync.db"), "register");
    let at = MirrorAt {
        path: &path,
        full: false,
    };
    let wanted = [
        Resource::Persons,
        Resource::Groups,
        Resource::GroupMemberships,
    ];

    // Prism's random lists are sometimes empty: read until it sent persons.
    let first = (0..20)
        .map(|_| {
            ss12000::read_incremental("register", &options, &wanted, &at, &Watch::default())
                .unwrap()
        })
        .find(|read| !read.datasets[0].is_empty())
        .expect("Prism sent no persons in 20 reads");
    assert_eq!(first.how, How::Full(Some("no mirror yet".into())));
    assert!(!path.exists(), "reading alone wrote the mirror");
    first.mirror.unwrap().save().unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the mirror holds personal data");
    }

    let sent = proxy.requests().len();
    let second =
        ss12000::read_incremental("register", &options, &wanted, &at, &Watch::default()).unwrap();
    let How::Changes { since, changed, .. } = second.how else {
        panic!("the second read was {:?}", second.how)
    };
    assert_eq!(changed, second.objects);
    let after = since
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        .replace(':', "%3A");
    let requests = proxy.requests()[sent..].to_vec();
    assert!(
        requests[0].starts_with(&format!(
            "GET /deletedEntities?limit=50&after={after}&entities=Person&entities=Group "
        )),
        "{requests:#?}"
    );
    for path in ["/persons", "/groups"] {
        let first_page = format!("GET {path}?limit=50&meta.modified.after={after} ");
        assert!(
            requests.iter().any(|r| r.starts_with(&first_page)),
            "no {first_page}: {requests:#?}"
        );
    }
    // Prism's changes are new objects: the mirror's persons are all still there, with them.
    let (before, now) = (ids(&first.datasets[0]), ids(&second.datasets[0]));
    assert!(
        before.iter().all(|id| now.contains(id)),
        "a person went missing"
    );
    assert!(now.len() >= before.len());
    assert_eq!(second.datasets[1].columns, Resource::Groups.columns());
    second.mirror.unwrap().save().unwrap();

    let forced = MirrorAt {
        path: &path,
        full: true,
    };
    let third =
        ss12000::read_incremental("register", &options, &wanted, &forced, &Watch::default())
            .unwrap();
    assert_eq!(third.how, How::Full(Some("--full-read".into())));
    assert_no_violations(&prism);
}

/// The SS12000 example with `incremental: {}`, pointed at `url`.
fn incremental_example(url: &str) -> (Sandbox, Vec<(&'static str, String)>) {
    let (sb, env) = example(url);
    sb.edit(
        "pipeline.yaml",
        "      page_size: 500",
        "      page_size: 500\n      incremental: { full_every: 7d, overlap: 10m }",
    );
    // Prism's random lists are sometimes empty, which a full read would stop at (E0306).
    for dataset in ["organisations", "persons", "groups", "duties"] {
        sb.edit(
            "pipeline.yaml",
            &format!("      {dataset}: {{}}"),
            &format!("      {dataset}: {{ may_be_empty: true }}"),
        );
    }
    sb.edit(
        "pipeline.yaml",
        "resource: groupMemberships }",
        "resource: groupMemberships, may_be_empty: true }",
    );
    (sb, env)
}

#[test]
fn only_an_applied_run_moves_an_incremental_source_s_mirror_on() {
    let prism = Prism::start(Answers::Dynamic);
    let (sb, env) = incremental_example(&prism.url());
    let out = run(&sb, &env, &["plan", "pipeline.yaml"]);
    assert!(
        stdout(&out).contains("Read: source `register`: read in full (no mirror yet)"),
        "{}",
        stdout(&out)
    );
    let mirror = sb.path("state/ss12000.register.mirror.db");
    assert!(!mirror.exists(), "a plan wrote the mirror");
    let out = run(&sb, &env, &["apply", "pipeline.yaml", "--auto-approve"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(mirror.exists(), "the apply kept no mirror");

    // Plans show what changed since, and write nothing: not even the mirror.
    let before = sb.written();
    let out = run(&sb, &env, &["plan", "pipeline.yaml"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("Read: source `register`: read what changed after "),
        "{}",
        stdout(&out)
    );
    let out = run(&sb, &env, &["plan", "pipeline.yaml", "--full-read"]);
    assert!(
        stdout(&out).contains("read in full (--full-read)"),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert_unchanged(&before, &sb.written(), "plans of an incremental source");

    // The server goes down after the deleted ids were read: nothing is written.
    let proxy = FaultProxy::start(prism.port, 1);
    let down = vec![
        ("SS12000_URL", proxy.base()),
        ("SS12000_TOKEN", TOKEN.to_string()),
    ];
    let out = run(&sb, &down, &["apply", "pipeline.yaml", "--auto-approve"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains(Code::SourceUnreachable.as_str()), "{err}");
    assert!(proxy.went_down());
    assert_unchanged(&before, &sb.written(), "a failed incremental read");

    let kept = std::fs::read(&mirror).unwrap();
    let out = run(&sb, &env, &["apply", "pipeline.yaml", "--auto-approve"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("read what changed after "),
        "{}",
        stdout(&out)
    );
    let wal = sb.path("state/ss12000.register.mirror.db-wal");
    let moved = std::fs::read(&mirror).unwrap() != kept
        || std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0);
    assert!(moved, "the applied run did not write the mirror");
    assert_no_violations(&prism);
}
