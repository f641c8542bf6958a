//! The status report for a terminal, a log or a mail: a few lines, each problem with its
//! place and what to do.

use super::status::RunReport;
use std::fmt::Write;

pub fn render(r: &RunReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Status: {} ({} of \"{}\", {}). Next: {}",
        r.status.word(),
        r.command,
        r.pipeline,
        r.today,
        r.next
    );
    let steps: Vec<String> = r
        .steps
        .iter()
        .map(|s| match (s.state, s.seconds) {
            ("ran", Some(t)) => format!("{} {t:.2}s", s.name),
            ("ran", None) => s.name.to_string(),
            (state, _) => format!("{} {state}", s.name),
        })
        .collect();
    let _ = writeln!(out, "Cycle: {}", steps.join(" > "));
    for e in &r.errors {
        let at = e.at.as_ref().map_or(String::new(), |a| format!(" at {a}"));
        let _ = writeln!(out, "  error {}{at}: {}", e.code, e.message);
        if let Some(help) = &e.help {
            let _ = writeln!(out, "    help: {help}");
        }
    }
    for t in &r.targets {
        for h in &t.held {
            let _ = writeln!(out, "  {} held by {h}", t.name);
        }
        for a in &t.allowed {
            let _ = writeln!(out, "  {} let through by {a}", t.name);
        }
        for e in &t.entities {
            let [create, update, delete, restore] = e.changes.columns();
            if create + update + delete + restore + e.pending + e.held_back == 0 {
                continue;
            }
            let _ = writeln!(
                out,
                "  {} {}: +{create} ~{update} -{delete} restore {restore} pending {} held back {}",
                t.name, e.entity, e.pending, e.held_back
            );
        }
    }
    for l in &r.left_out {
        let _ = writeln!(out, "  left out: {} {} ({})", l.count, l.entity, l.reason);
    }
    for w in &r.warnings {
        let _ = writeln!(out, "  warning {w}");
    }
    out
}
