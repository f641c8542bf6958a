//! The explanation as support staff read it: where the record is in the sources, each
//! step of each mapping block with its values, then the roster and every target.

use super::model::{BlockTrace, Explanation, Outcome, RecordFate};
use std::fmt::Write;

/// How many memberships are shown without `--full`.
pub const MEMBERSHIPS_SHOWN: usize = 20;

pub fn render(e: &Explanation, full: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "etl explain {} in pipeline \"{}\" (today {})",
        e.who, e.pipeline, e.today
    );
    render_found(&mut out, e);
    for trace in e.traces.iter().filter(|t| t.entity != "membership") {
        render_trace(&mut out, trace);
    }
    let (member_fates, fates): (Vec<_>, Vec<_>) =
        e.records.iter().partition(|r| r.entity == "membership");
    for fate in fates {
        render_fate(&mut out, fate);
    }
    render_memberships(&mut out, e, &member_fates, full);
    out
}

fn render_found(out: &mut String, e: &Explanation) {
    if e.found.is_empty() && !e.traces.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nIn the sources:");
    if e.found.is_empty() {
        let _ = writeln!(
            out,
            "  no source row holds it; what the targets hold of it follows"
        );
    }
    for f in &e.found {
        let _ = writeln!(
            out,
            "  {}  {}  ({})",
            f.dataset,
            f.place,
            f.columns.join(", ")
        );
    }
}

fn render_trace(out: &mut String, t: &BlockTrace) {
    let _ = writeln!(
        out,
        "\n{} from {}, row {} (the block at {}):",
        t.entity, t.from, t.row, t.block
    );
    for (i, j) in t.joins.iter().enumerate() {
        let _ = writeln!(
            out,
            "  {} join {} on {}   ({})",
            j.kind, j.dataset, j.condition, j.at
        );
        steps(out, &j.steps);
        for m in &j.matched {
            let _ = writeln!(out, "      matched {m}");
        }
        if let Some(note) = &j.note {
            let _ = writeln!(out, "      {note}");
        }
        if t.outcome == (Outcome::NoMatch { join: i }) {
            let _ = writeln!(out, "  => left out: no {} row matches", j.dataset);
        }
    }
    if let Some(f) = &t.filter {
        let _ = writeln!(out, "  where {}   ({})", f.condition, f.at);
        steps(out, &f.steps);
        let verdict = if f.passed {
            "true: kept"
        } else {
            "false: left out here"
        };
        let _ = writeln!(out, "      => {verdict}");
    }
    match t.outcome {
        Outcome::Made => {
            let _ = writeln!(out, "  key {}", t.key);
            for f in &t.fields {
                let _ = writeln!(
                    out,
                    "    {:<12} = {:<30} from {}",
                    f.field, f.value, f.expression
                );
                if let Some(note) = &f.note {
                    let _ = writeln!(out, "    {:<12}   ({note})", "");
                }
            }
        }
        _ => {
            let _ = writeln!(out, "  (its key would be {})", t.key);
        }
    }
}

fn steps(out: &mut String, steps: &[String]) {
    for s in steps {
        let _ = writeln!(out, "      {s}");
    }
}

fn render_fate(out: &mut String, r: &RecordFate) {
    let roster = if r.in_roster {
        "in the roster".to_string()
    } else {
        match &r.left_out {
            Some(why) => format!("not in the roster: {why}"),
            None if r.traces.is_empty() => {
                "not in the roster: no source row makes it (gone from the sources)".to_string()
            }
            None => "not in the roster (see above)".to_string(),
        }
    };
    let _ = writeln!(out, "\n{} {}: {roster}", r.entity, r.key);
    if !r.fields.is_empty() {
        let fields: Vec<String> = r.fields.iter().map(|(n, v)| format!("{n}={v}")).collect();
        let _ = writeln!(out, "  {}", fields.join(" "));
    }
    for t in &r.targets {
        let state = t.state.as_deref().unwrap_or("not in its state");
        let _ = writeln!(
            out,
            "  target {} ({}): {state}; plan: {}",
            t.target, t.kind, t.plan
        );
        if let Some(held) = &t.held {
            let _ = writeln!(out, "    {held}");
        }
    }
}

fn render_memberships(out: &mut String, e: &Explanation, fates: &[&RecordFate], full: bool) {
    if fates.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nMemberships ({}):", fates.len());
    let shown = if full { usize::MAX } else { MEMBERSHIPS_SHOWN };
    for fate in fates.iter().take(shown) {
        let roster = if fate.in_roster {
            "in the roster".to_string()
        } else {
            match (&fate.left_out, fate.traces.is_empty()) {
                (Some(why), _) => format!("not in the roster: {why}"),
                (None, false) => "not in the roster".to_string(),
                (None, true) => "not in the roster: gone from the sources".to_string(),
            }
        };
        let _ = writeln!(out, "  {}: {roster}", fate.key);
        for t in fate.traces.iter().filter_map(|i| e.traces.get(*i)) {
            let step = match &t.outcome {
                Outcome::Made => "made".to_string(),
                Outcome::Filtered => format!(
                    "left out by the where at {}",
                    t.filter.as_ref().map_or("?", |f| f.at.as_str())
                ),
                Outcome::NoMatch { join } => format!("left out: no match for join {}", join + 1),
            };
            let _ = writeln!(out, "      {}: {step}", t.row);
        }
        for target in &fate.targets {
            let state = target.state.as_deref().unwrap_or("not in its state");
            let held = if target.held.is_some() { " (HELD)" } else { "" };
            let _ = writeln!(
                out,
                "      target {}: {state}; plan: {}{held}",
                target.target, target.plan
            );
        }
    }
    let rest = fates.len().saturating_sub(shown);
    if rest > 0 {
        let _ = writeln!(out, "  ... and {rest} more (--full shows all)");
    }
}
