//! The SCIM 2.0 target against a real scim2-server on a loopback port: users and groups with
//! their members are created, changed, trashed, restored and deleted; an account made by hand
//! is adopted only when the target says so; a lost state is rebuilt from the server; a server
//! that stops mid-run gives a clear report, state records only what it accepted, and the next
//! run converges.

mod common;
use common::fault_proxy::FaultProxy;
use common::scim::{ScimServer, TOKEN};
use common::{Sandbox, stderr};
use roster_etl::plan::Plan;
use roster_etl::report::{Recorded, Unit};
use roster_etl::state::StateLock;
use serde_json::json;

fn scim_sandbox(server: &ScimServer, extra: &str) -> Sandbox {
    let sb = Sandbox::example();
    sb.replace_targets(&server.target(extra));
    sb
}

fn apply(sb: &Sandbox, extra: &[&str]) -> std::process::Output {
    sb.apply(extra).env("SCIM_TOKEN", TOKEN).output().unwrap()
}

/// `etl validate --connect` with the token the server takes, or another.
fn connect(sb: &Sandbox, token: &str) -> std::process::Output {
    sb.etl(&["validate", "pipeline.yaml", "--connect"])
        .env("SCIM_TOKEN", token)
        .output()
        .unwrap()
}

fn plan(sb: &Sandbox) -> String {
    let out = sb.plan(&[]).env("SCIM_TOKEN", TOKEN).output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_first_apply_creates_users_and_groups_with_members_and_a_second_changes_nothing() {
    let server = ScimServer::start();
    let sb = scim_sandbox(&server, "");
    let out = apply(&sb, &[]);
    assert!(out.status.success(), "{}", stderr(&out));

    let users = server.resources("Users");
    assert_eq!(users.len(), 10, "every person of the roster is a User");
    let asa = &users["E1001"];
    assert_eq!(asa["userName"], "asa.oberg");
    assert_eq!(
        asa["name"],
        json!({"givenName": "Åsa", "familyName": "Öberg"})
    );
    assert_eq!(asa["userType"], "Student");
    assert_eq!(asa["active"], true);
    assert_eq!(asa["emails"][0]["value"], "asa.oberg@elev.example.se");
    let groups = server.resources("Groups");
    assert_eq!(groups.len(), 5);
    assert_eq!(groups["G-5A-26"]["displayName"], "Klass 5A");
    assert_eq!(
        groups["G-5A-26"]["members"],
        json!(["E1001", "E1002", "E1008", "P2001"])
    );

    assert!(plan(&sb).contains("No changes."), "{}", plan(&sb));
    apply(&sb, &[]);
    assert_eq!(
        server.resources("Users"),
        users,
        "a second apply changes nothing"
    );
    assert_eq!(server.resources("Groups"), groups);
}

#[test]
fn a_pupil_who_leaves_is_deactivated_then_restored_and_deleted_by_policy() {
    let server = ScimServer::start();
    let sb = scim_sandbox(&server, "    limits: { delete.person: { count: 5 } }\n");
    apply(&sb, &[]);
    let line = sb.pupil_line("E1002");

    sb.drop_pupils(&["E1002"]);
    let out = apply(&sb, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        server.resources("Users")["E1002"]["active"],
        false,
        "trash is active=false"
    );
    assert_eq!(
        server.resources("Groups")["G-5A-26"]["members"],
        json!(["E1001", "E1008", "P2001"]),
        "the membership is deleted"
    );

    let text = sb.read_cp1252("data/elever.csv");
    sb.write_cp1252("data/elever.csv", &format!("{text}{line}"));
    assert!(plan(&sb).contains("+ E1002"), "a restore: {}", plan(&sb));
    apply(&sb, &[]).status.success().then_some(()).unwrap();
    assert_eq!(server.resources("Users")["E1002"]["active"], true);
    assert!(
        server.resources("Groups")["G-5A-26"]["members"]
            .to_string()
            .contains("E1002")
    );

    sb.edit(
        "pipeline.yaml",
        "    limits:",
        "    on_delete: { person: delete }\n    limits:",
    );
    sb.drop_pupils(&["E1002"]);
    let out = apply(&sb, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        !server.resources("Users").contains_key("E1002"),
        "deleted at the server"
    );
}

#[test]
fn a_changed_name_is_patched_and_attributes_set_by_others_stay() {
    let server = ScimServer::start();
    let sb = scim_sandbox(&server, "");
    apply(&sb, &[]);
    let id = user_id(&server, "E1001");
    server
        .request(
            reqwest::Method::PATCH,
            &format!("/Users/{id}"),
            Some(
                json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{"op": "add", "path": "title", "value": "Elevrådsordförande"}]}),
            ),
        )
        .unwrap();
    sb.edit_cp1252("data/elever.csv", "Åsa", "Åse");
    let out = apply(&sb, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let asa = &server.resources("Users")["E1001"];
    assert_eq!(asa["name"]["givenName"], "Åse");
    assert_eq!(asa["displayName"], "Åse Öberg");
    assert_eq!(
        asa["title"], "Elevrådsordförande",
        "PATCH keeps what others set"
    );
    assert_eq!(user_id(&server, "E1001"), id, "the same account");
}

#[test]
fn a_server_without_patch_gets_whole_puts_with_the_member_list() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("spc.json");
    std::fs::write(
        &config,
        json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
            "patch": {"supported": false}, "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
            "filter": {"supported": true, "maxResults": 1000}, "changePassword": {"supported": false},
            "sort": {"supported": false}, "etag": {"supported": false},
            "authenticationSchemes": []})
        .to_string(),
    )
    .unwrap();
    let server = ScimServer::start_with(&["--service-provider-config", config.to_str().unwrap()]);
    let sb = scim_sandbox(&server, "    limits: { delete.person: { count: 5 } }\n");
    let out = connect(&sb, TOKEN);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("changes by PUT (no PATCH)"), "{text}");
    let out = apply(&sb, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    sb.drop_pupils(&["E1002"]);
    sb.edit_cp1252("data/elever.csv", "Åsa", "Åse");
    let out = apply(&sb, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let users = server.resources("Users");
    assert_eq!(users["E1001"]["name"]["givenName"], "Åse");
    assert_eq!(users["E1002"]["active"], false);
    assert_eq!(
        server.resources("Groups")["G-5A-26"]["members"],
        json!(["E1001", "E1008", "P2001"])
    );
}

fn user_id(server: &ScimServer, external_id: &str) -> String {
    let page = server
        .request(
            reqwest::Method::GET,
            &format!("/Users?filter=externalId%20eq%20%22{external_id}%22"),
            None,
        )
        .unwrap();
    page["Resources"][0]["id"].as_str().unwrap().to_string()
}

fn make_account(server: &ScimServer, user_name: &str, external_id: Option<&str>) {
    let mut body = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": user_name, "name": {"givenName": "Made", "familyName": "By Hand"}});
    if let Some(e) = external_id {
        body["externalId"] = json!(e);
    }
    server
        .request(reqwest::Method::POST, "/Users", Some(body))
        .unwrap();
}

#[test]
fn an_account_made_by_hand_is_refused_then_adopted_when_the_target_says_so() {
    let server = ScimServer::start();
    make_account(&server, "asa.oberg", None);
    let sb = scim_sandbox(&server, "");
    let out = apply(&sb, &[]);
    assert_eq!(
        out.status.code(),
        Some(5),
        "partly applied: {}",
        stderr(&out)
    );
    let err = stderr(&out);
    assert!(err.contains("E0510"), "{err}");
    assert!(err.contains("create person E1001"), "{err}");
    assert!(err.contains("`adopt:"), "the hint names the setting: {err}");
    assert_eq!(
        server.resources("Users").len(),
        10,
        "the other nine were created"
    );
    let again = plan(&sb);
    assert!(
        again.contains("+ E1001"),
        "the refused create is planned again: {again}"
    );
    assert!(again.contains("person: 1 to add"), "{again}");
    assert!(
        again.contains("membership: 2 to add"),
        "E1001's memberships wait for its account: {again}"
    );

    sb.edit(
        "pipeline.yaml",
        "      token:",
        "      adopt: userName\n      token:",
    );
    let out = apply(&sb, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let users = server.resources("Users");
    assert_eq!(users.len(), 10, "adopted, not duplicated");
    assert_eq!(users["E1001"]["userName"], "asa.oberg");
    assert_eq!(users["E1001"]["name"]["givenName"], "Åsa");

    // An adopted account is never deleted: it is deactivated and let go.
    sb.edit(
        "pipeline.yaml",
        "    scim:\n",
        "    on_delete: { person: delete }\n    scim:\n",
    );
    sb.drop_pupils(&["E1001"]);
    let out = apply(&sb, &["--allow", "delete.person=1"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let users = server.resources("Users");
    assert_eq!(users["E1001"]["active"], false, "kept, deactivated");
}

#[test]
fn an_account_another_sync_owns_is_not_taken_over() {
    let server = ScimServer::start();
    make_account(&server, "asa.oberg", Some("other-system-1"));
    let sb = scim_sandbox(&server, "      adopt: userName\n");
    let out = apply(&sb, &[]);
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("another externalId"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        server.resources("Users")["other-system-1"]["name"]["givenName"],
        "Made"
    );
}

#[test]
fn a_lost_state_is_rebuilt_from_the_server_by_external_id_without_duplicates() {
    let server = ScimServer::start();
    let sb = scim_sandbox(&server, "");
    apply(&sb, &[]);
    let users = server.resources("Users");
    let groups = server.resources("Groups");
    std::fs::remove_dir_all(sb.path("state")).unwrap();
    let out = apply(&sb, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(server.resources("Users"), users);
    assert_eq!(server.resources("Groups"), groups);
}

#[test]
fn a_server_that_stops_mid_run_gives_a_clear_report_and_the_next_run_converges() {
    let server = ScimServer::start();
    // The connection check takes 2 requests and the read-back of Users and Groups 2 more;
    // the proxy goes down after 6 creates.
    let proxy = FaultProxy::start(server.port, 10);
    let sb = Sandbox::example();
    sb.replace_targets(&server.target_at(&proxy.url(), ""));
    let out = apply(&sb, &[]);
    assert!(proxy.went_down());
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("E0510"), "{err}");
    assert!(err.contains("not sent because"), "{err}");
    assert!(
        err.contains("no answer"),
        "the first failure says why: {err}"
    );
    let created = server.resources("Users").len();
    assert!(
        (1..10).contains(&created),
        "part of the run reached the server: {created}"
    );

    // State holds only what the server confirmed: never more than the server holds (a
    // create whose answer was lost is found again by externalId, not made twice).
    sb.replace_targets(&server.target(""));
    let rest = plan(&sb);
    let to_add: usize = rest
        .split("person: ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{rest}"));
    assert!(
        (10 - created..10).contains(&to_add),
        "{created} on the server, {to_add} to add"
    );
    let out = apply(&sb, &[]);
    assert!(out.status.success(), "{}", stderr(&out));

    let fresh = ScimServer::start();
    let clean = scim_sandbox(&fresh, "");
    apply(&clean, &[]);
    assert_eq!(
        server.resources("Users"),
        fresh.resources("Users"),
        "same as one clean run"
    );
    assert_eq!(server.resources("Groups"), fresh.resources("Groups"));
    assert!(plan(&sb).contains("No changes."));
}

#[test]
fn a_wrong_token_or_no_server_sends_nothing_and_leaves_state_unchanged() {
    let server = ScimServer::start();
    let sb = scim_sandbox(&server, "");
    let out = sb
        .apply(&[])
        .env("SCIM_TOKEN", "wrong-token")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("E0509") && err.contains("401"), "{err}");
    assert!(
        !err.contains("wrong-token"),
        "the token is never shown: {err}"
    );
    assert!(sb.written().is_empty(), "no state was made");
    assert!(server.resources("Users").is_empty());

    let nobody = common::free_port();
    sb.replace_targets(
        &server
            .target("")
            .replace(&server.port.to_string(), &nobody.to_string()),
    );
    let out = apply(&sb, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("E0509"), "{}", stderr(&out));
    assert!(sb.written().is_empty());
}

#[test]
fn validate_connect_reaches_the_server_and_plans_never_show_the_token() {
    let server = ScimServer::start();
    let sb = scim_sandbox(&server, "");
    let out = connect(&sb, TOKEN);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(text.contains("token accepted, changes by PATCH"), "{text}");

    let out = sb
        .plan(&["--out", "plan.json"])
        .env("SCIM_TOKEN", TOKEN)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let saved = sb.read("plan.json");
    assert!(saved.contains("${SCIM_TOKEN}") && !saved.contains(TOKEN));

    let out = connect(&sb, "wrong-token");
    assert!(!out.status.success());
    assert!(stderr(&out).contains("E0509"), "{}", stderr(&out));
}

#[test]
fn a_rate_limited_server_is_retried_after_the_time_it_asks_for() {
    let server = ScimServer::start();
    let proxy = FaultProxy::throttle(server.port, 3, 1);
    let sb = Sandbox::example();
    sb.replace_targets(&server.target_at(&proxy.url(), ""));
    let started = std::time::Instant::now();
    let out = apply(&sb, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(proxy.throttled(), 3);
    assert!(
        started.elapsed() >= std::time::Duration::from_secs(1),
        "waited as Retry-After asked"
    );
    assert_eq!(server.resources("Users").len(), 10);

    // A server that keeps refusing is given up on after the configured retries.
    let proxy = FaultProxy::throttle(server.port, usize::MAX, 0);
    let sb = Sandbox::example();
    sb.replace_targets(&server.target_at(&proxy.url(), "      retries: 2\n"));
    let out = apply(&sb, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("429"), "{}", stderr(&out));
    assert_eq!(
        proxy.throttled(),
        3,
        "one try and two retries, then it stops"
    );
}

#[test]
fn a_tls_server_is_trusted_through_the_configured_ca_and_refused_without_it() {
    let server = ScimServer::start_tls();
    let ca = server.ca.clone().unwrap();
    let sb = scim_sandbox(&server, &format!("      ca_file: {}\n", ca.display()));
    let out = apply(&sb, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(server.resources("Users").len(), 10);

    let sb = scim_sandbox(&server, "");
    let out = apply(&sb, &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("E0509") && err.to_lowercase().contains("certificate"),
        "{err}"
    );
    assert!(err.contains("ca_file"), "the hint names the setting: {err}");
    assert!(sb.written().is_empty());
}

/// `scim.concurrency` bounds the requests in flight and `scim.batch` the member changes per
/// request, seen from a recording proxy in front of the server.
#[test]
fn concurrency_and_batch_bound_the_requests_sent() {
    let server = ScimServer::start();
    let proxy = FaultProxy::record(server.port);
    let sb = Sandbox::example();
    let settings = "      concurrency: 1\n      batch: 2\n";
    sb.replace_targets(&server.target_at(&proxy.url(), settings));
    let out = apply(&sb, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(proxy.peak_in_flight(), 1, "{:#?}", proxy.requests());
    let groups = server.resources("Groups");
    let expected: usize = groups
        .values()
        .map(|g| g["members"].as_array().map_or(0, Vec::len).div_ceil(2))
        .sum();
    let patches = proxy
        .requests()
        .iter()
        .filter(|l| l.starts_with("PATCH /v2/Groups/"))
        .count();
    assert!(
        expected > groups.len(),
        "the example's groups are too small to batch"
    );
    assert_eq!(patches, expected, "{:#?}", proxy.requests());

    // With room for four at once, more than one request is in flight, but never five.
    let server = ScimServer::start();
    let proxy = FaultProxy::record(server.port);
    let sb = Sandbox::example();
    let settings = "      concurrency: 4\n      batch: 1000\n";
    sb.replace_targets(&server.target_at(&proxy.url(), settings));
    let out = apply(&sb, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        (2..=4).contains(&proxy.peak_in_flight()),
        "peak {}",
        proxy.peak_in_flight()
    );
    let patches = proxy
        .requests()
        .iter()
        .filter(|l| l.starts_with("PATCH /v2/Groups/"))
        .count();
    let with_members = server
        .resources("Groups")
        .values()
        .filter(|g| g["members"].as_array().is_some_and(|m| !m.is_empty()))
        .count();
    assert_eq!(
        patches, with_members,
        "one member request per group with members"
    );
}

#[test]
fn a_run_tells_how_many_of_its_changes_the_server_has_taken() {
    let server = ScimServer::start();
    let sb = scim_sandbox(&server, "");
    std::fs::write(sb.dir().join("token.txt"), TOKEN).unwrap();
    let token = format!("${{file:{}}}", sb.dir().join("token.txt").display());
    sb.edit("pipeline.yaml", "${SCIM_TOKEN}", &token);
    let out = sb.plan(&["--out", "plan.json"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(sb.dir().join("plan.json")).unwrap();
    let plan: Plan = serde_json::from_str(&text).unwrap();
    let changes: usize = plan.targets[0]
        .entities
        .iter()
        .map(|e| e.changes.len())
        .sum();
    assert!(changes > 20, "{changes}");

    let (recorded, watch) = Recorded::watch();
    let lock = StateLock::acquire(std::path::Path::new(&plan.state), "test").unwrap();
    roster_etl::apply::apply(&plan, &lock, &watch).unwrap();
    let advances = recorded.advances();
    let total = Some(changes as u64);
    assert!(
        advances
            .iter()
            .all(|a| a.1 == total && a.2 == Unit::Changes)
    );
    assert!(
        advances.windows(2).all(|w| w[0].0 <= w[1].0),
        "never backwards: {advances:?}"
    );
    assert_eq!(
        recorded.last(),
        Some((changes as u64, total, Unit::Changes))
    );
    assert_eq!(server.resources("Users").len(), 10);
}

/// One retry per request, so that some changes fail for good under random 500s.
const RETRY_ONCE: &str = "      retries: 1\n";

/// A server that answers about 30% of requests with 500 and is slow (up to 300 ms) to the
/// rest, through the fault proxy in front of scim2-server: with one retry per request some
/// changes fail for good. The run stops cleanly (E0510, exit 5), sends at most twice each
/// request of a clean run, names every object it did not get onto the server, and the next
/// run (the server healthy again) ends as one clean apply.
#[test]
fn random_500s_and_slow_answers_are_retried_within_bounds_and_the_next_run_converges() {
    let fresh = ScimServer::start();
    let clean = Sandbox::example();
    let counted = FaultProxy::record(fresh.port);
    clean.replace_targets(&fresh.target_at(&counted.url(), RETRY_ONCE));
    assert!(apply(&clean, &[]).status.success());
    let clean_requests = counted.requests().len();

    let server = ScimServer::start();
    let proxy = FaultProxy::flaky(server.port, 7, 30, 300);
    let sb = Sandbox::example();
    sb.replace_targets(&server.target_at(&proxy.url(), RETRY_ONCE));
    let out = apply(&sb, &["--report", "flaky.json"]);
    let err = stderr(&out);
    assert!(
        proxy.failed() > 0,
        "the proxy answered some requests with 500"
    );
    // Requests are failed by their order of arrival, from the seed: with seed 7 the same
    // nine are answered 500 every run, and some changes fail after their one retry.
    assert_eq!(out.status.code(), Some(5), "stopped with E0510: {err}");
    assert!(err.contains("E0510"), "{err}");
    assert!(
        proxy.requests().len() <= 2 * (clean_requests + 2),
        "one retry per request at most: {} requests, {clean_requests} in a clean run",
        proxy.requests().len()
    );
    let want = fresh.resources("Users");
    let got = server.resources("Users");
    let missing: Vec<&String> = want
        .keys()
        .filter(|k| got.get(*k) != want.get(*k))
        .collect();
    assert!(!missing.is_empty(), "some changes failed for good");
    for key in &missing {
        assert!(
            err.contains(&format!("person {key}")),
            "{key} is named: {err}"
        );
    }
    let report = sb.read("flaky.json");
    for key in &missing {
        assert!(
            report.contains(&format!("person {key}")),
            "the report names {key}"
        );
    }

    sb.replace_targets(&server.target(RETRY_ONCE));
    let out = apply(&sb, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(server.resources("Users"), want, "same as one clean run");
    assert_eq!(server.resources("Groups"), fresh.resources("Groups"));
    assert!(plan(&sb).contains("No changes."));
}
