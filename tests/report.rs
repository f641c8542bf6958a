//! The status report of `etl plan` and `etl apply` (`--report FILE`): JSON, text and a
//! self-contained HTML page, written however the run ends; the page is rendered in a real
//! headless Chromium and its charts checked in the pixels.

mod common;

use common::{Sandbox, stderr};
use std::path::Path;

fn report_json(sb: &Sandbox, rel: &str) -> serde_json::Value {
    serde_json::from_str(&sb.read(rel)).unwrap()
}

#[test]
fn a_plan_reports_its_counts_steps_and_left_out_records() {
    let sb = Sandbox::example();
    let out = sb
        .plan(&[
            "--report",
            "reports/plan.json",
            "--report",
            "reports/plan.txt",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let r = report_json(&sb, "reports/plan.json");
    assert_eq!(r["format"], "roster-etl-report");
    assert_eq!(r["status"], "completed");
    assert_eq!(r["command"], "plan");
    let person = &r["targets"][0]["entities"][1];
    assert_eq!(
        (person["entity"].as_str(), person["create"].as_u64()),
        (Some("person"), Some(10))
    );
    let steps: Vec<(&str, &str)> = r["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["name"].as_str().unwrap(), s["state"].as_str().unwrap()))
        .collect();
    assert_eq!(steps.first(), Some(&("load", "ran")));
    assert!(steps.iter().all(|(_, state)| *state == "ran"), "{steps:?}");
    assert!(
        !steps.iter().any(|(name, _)| *name == "write"),
        "a plan writes nothing"
    );
    let schools = r["schools"].as_array().unwrap();
    assert!(
        schools
            .iter()
            .any(|s| s["school"] == "12345678" && s["create"].as_u64() > Some(0))
    );
    assert!(
        r["left_out"].as_array().is_some_and(|l| l.len() == 6),
        "{}",
        r["left_out"]
    );
    let text = sb.read("reports/plan.txt");
    assert!(
        text.starts_with("Status: completed (plan of \"extens-ad\", 2026-11-21)"),
        "{text}"
    );
    assert!(text.contains("skolon person: +10 ~0 -0"), "{text}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(sb.path("reports/plan.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[test]
fn a_held_apply_reports_the_limit_and_the_step_that_stopped() {
    let sb = Sandbox::example();
    sb.apply(&[]).assert().success();
    sb.drop_pupils(&["E1002"]);
    sb.edit(
        "pipeline.yaml",
        "delete.person: { count: 25, percent: 2 }",
        "delete.person: { count: 0, percent: 0 }",
    );
    let before = sb.written();
    let out = sb.apply(&["--report", "held.json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    common::assert_unchanged(&before, &sb.written(), "a held apply");
    let r = report_json(&sb, "held.json");
    assert_eq!(r["status"], "held");
    assert!(
        r["next"].as_str().unwrap().contains("--allow"),
        "{}",
        r["next"]
    );
    let held = r["targets"][0]["held"][0].as_str().unwrap();
    assert!(held.starts_with("delete.person: 1 of 10"), "{held}");
    let state_of = |name: &str| {
        r["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == name)
            .map(|s| s["state"].clone())
    };
    assert_eq!(state_of("diff"), Some("ran".into()));
    assert_eq!(state_of("safety"), Some("stopped".into()));
    assert_eq!(state_of("write"), Some("skipped".into()));

    // Let through once: the report names the override used.
    let out = sb
        .apply(&["--allow", "delete.person=1", "--report", "allowed.json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let r = report_json(&sb, "allowed.json");
    assert_eq!(r["status"], "completed");
    assert_eq!(r["targets"][0]["allowed"][0], "--allow delete.person=1");
    assert_eq!(r["targets"][0]["entities"][1]["delete"], 1);
}

#[test]
fn a_failed_run_reports_the_error_with_its_place() {
    let sb = Sandbox::example();
    sb.edit(
        "../../mappings/extens-ad.map",
        "e.Efternamn\n",
        "e.Efternman\n",
    );
    let out = sb.apply(&["--report", "failed.json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let r = report_json(&sb, "failed.json");
    assert_eq!(r["status"], "failed");
    assert_eq!(r["errors"][0]["code"], "E0103");
    assert_eq!(r["errors"][0]["at"], "../../mappings/extens-ad.map:25:18");
    assert!(
        r["next"]
            .as_str()
            .unwrap()
            .contains("did you mean `Efternamn`?")
    );
    let check = r["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "check")
        .unwrap();
    assert_eq!(check["state"], "stopped");
    assert!(!sb.path("out").exists() && !sb.path("state").exists());
}

/// `(r, g, b)` pixels of a PNG.
fn pixels(png: &Path) -> Vec<(u8, u8, u8)> {
    let decoder = png::Decoder::new(std::fs::File::open(png).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let step = match info.color_type {
        png::ColorType::Rgba => 4,
        png::ColorType::Rgb => 3,
        other => panic!("unexpected PNG colour type {other:?}"),
    };
    buf[..info.buffer_size()]
        .chunks_exact(step)
        .map(|p| (p[0], p[1], p[2]))
        .collect()
}

fn chromium(args: &[&str]) -> std::process::Output {
    let out = std::process::Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
        ])
        .args(args)
        .output()
        .expect("chromium is installed by scripts/peers/install.sh");
    assert!(out.status.success(), "chromium: {}", stderr(&out));
    out
}

#[test]
fn the_html_report_renders_its_charts_in_a_real_browser() {
    let sb = Sandbox::example();
    let out = sb.plan(&["--report", "report.html"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let page = sb.path("report.html");
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(
        !html.contains("<script") && !html.contains("http://") && !html.contains("https://"),
        "self-contained"
    );
    let url = format!("file://{}", page.display());

    let dom = common::stdout(&chromium(&["--dump-dom", &url]));
    assert!(dom.contains("id=\"status\">completed</span>"), "{dom}");
    assert!(dom.contains("<svg id=\"chart-skolon\""), "{dom}");
    assert!(dom.contains("<svg id=\"chart-schools\""), "{dom}");

    let red_and_green = |page: &str| -> (usize, usize) {
        let shot = sb.path(&format!("{page}.png"));
        chromium(&[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1000,1600",
            &format!("file://{}", sb.path(page).display()),
        ]);
        let px = pixels(&shot);
        let count = |rgb: (u8, u8, u8)| px.iter().filter(|p| **p == rgb).count();
        (count((0xc6, 0x28, 0x28)), count((0x2e, 0x7d, 0x32)))
    };
    // The first plan only creates: wide green bars; red only in the legends' swatches.
    let (red_first, green_first) = red_and_green("report.html");
    assert!(
        green_first > 5000,
        "only {green_first} pixels of the create colour"
    );

    // A pupil gone: the plan only deletes, and the red bars show.
    sb.apply(&[]).assert().success();
    sb.drop_pupils(&["E1002"]);
    let out = sb.plan(&["--report", "gone.html"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let (red_gone, green_gone) = red_and_green("gone.html");
    assert!(
        red_gone > red_first + 5000,
        "delete bars: {red_gone} red pixels, {red_first} before"
    );
    assert!(
        green_gone < green_first / 4,
        "no create bars: {green_gone} green pixels"
    );
}

#[test]
fn invalid_personnummer_and_missing_email_are_warnings_in_the_plan_and_the_report() {
    let sb = Sandbox::example();
    sb.edit_cp1252(
        "data/elever.csv",
        "E1001;20150312-1236;",
        "E1001;20150312-1235;",
    );
    sb.edit(
        "../../mappings/extens-ad.map",
        "email      = a.mail ?? slug(e.Förnamn) + \".\" + slug(e.Efternamn) + \"@elev.example.se\"",
        "email      = a.mail",
    );
    let out = sb.plan(&["--report", "r.json"]).output().unwrap();
    assert!(
        out.status.success(),
        "warnings do not stop a run: {}",
        stderr(&out)
    );
    let err = stderr(&out);
    assert!(
        err.contains("E0407") && err.contains("elever.csv:2)"),
        "{err}"
    );
    // E1001 (its number no longer matches AD's) and the pupils AD does not have.
    assert!(
        err.contains("4 person(s) in the roster have no e-mail: E1001, E1005, E1007, E1008"),
        "{err}"
    );
    assert!(
        !err.contains("1235") && !err.contains("150312"),
        "no number is repeated: {err}"
    );
    let warnings = report_json(&sb, "r.json")["warnings"].to_string();
    assert!(
        warnings.contains("E0407: extens.elever: 1 row(s)"),
        "{warnings}"
    );
    assert!(warnings.contains("E0408: 4 person(s)"), "{warnings}");
}
