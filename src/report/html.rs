//! The status report as one self-contained HTML page: no scripts, no external files; the
//! charts are inline SVG, so the page also reads in a mail client or offline.

use super::status::{RunReport, SchoolCounts, Status};
use std::fmt::Write;

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:60em}\
h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.6em}\
table{border-collapse:collapse}td,th{padding:.25em .8em;border-bottom:1px solid #ddd;text-align:left}\
td.n{text-align:right}.status{display:inline-block;padding:.2em .6em;border-radius:.3em;color:#fff}\
.completed,.no_changes{background:#2e7d32}.held{background:#b26a00}.failed{background:#c62828}\
.ran{color:#2e7d32}.stopped{color:#c62828;font-weight:bold}.skipped{color:#999}\
.legend span{display:inline-block;width:.9em;height:.9em;margin:0 .3em 0 1em;vertical-align:middle}";

/// Bar colours: create, update, delete, restore.
const COLOURS: [&str; 4] = ["#2e7d32", "#1565c0", "#c62828", "#6a1b9a"];

pub fn render(r: &RunReport) -> String {
    let mut out = String::new();
    let status_class = serde_json::to_value(r.status)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default();
    let _ = write!(
        out,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>roster-etl {} of {}: {}</title><style>{STYLE}</style></head><body>",
        esc(&r.command),
        esc(&r.pipeline),
        r.status.word()
    );
    let _ = write!(
        out,
        "<h1>roster-etl {} of <q>{}</q>, {}</h1><p><span class=\"status {status_class}\" id=\"status\">{}</span> {}</p>",
        esc(&r.command),
        esc(&r.pipeline),
        esc(&r.today),
        r.status.word(),
        esc(&r.next)
    );
    steps(&mut out, r);
    problems(&mut out, r);
    targets(&mut out, r);
    schools(&mut out, &r.schools);
    lists(&mut out, r);
    out.push_str("</body></html>\n");
    out
}

fn steps(out: &mut String, r: &RunReport) {
    out.push_str(
        "<h2>Sync cycle</h2><table id=\"steps\"><tr><th>step</th><th>state</th><th>time</th></tr>",
    );
    for s in &r.steps {
        let time = s.seconds.map_or(String::new(), |t| format!("{t:.3} s"));
        let _ = write!(
            out,
            "<tr><td>{}</td><td class=\"{}\">{}</td><td class=\"n\">{time}</td></tr>",
            s.name, s.state, s.state
        );
    }
    out.push_str("</table>");
}

fn problems(out: &mut String, r: &RunReport) {
    if r.errors.is_empty() && r.status != Status::Held {
        return;
    }
    out.push_str("<h2>What stopped it</h2><ul id=\"errors\">");
    for e in &r.errors {
        let help = e
            .help
            .as_ref()
            .map_or(String::new(), |h| format!("<br><i>help: {}</i>", esc(h)));
        let at =
            e.at.as_ref()
                .map_or(String::new(), |a| format!(" <code>{}</code>", esc(a)));
        let _ = write!(
            out,
            "<li><b>{}</b>{at} {}{help}</li>",
            esc(&e.code),
            esc(&e.message)
        );
    }
    for t in &r.targets {
        for h in &t.held {
            let _ = write!(out, "<li>target {} held by {}</li>", esc(&t.name), esc(h));
        }
    }
    out.push_str("</ul>");
}

fn targets(out: &mut String, r: &RunReport) {
    for t in &r.targets {
        let _ = write!(out, "<h2>Target {} ({})</h2>", esc(&t.name), esc(&t.kind));
        out.push_str("<table class=\"counts\"><tr><th>entity</th><th>create</th><th>update</th><th>delete</th><th>restore</th><th>pending</th><th>held back</th></tr>");
        for e in &t.entities {
            let _ = write!(
                out,
                "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                esc(&e.entity),
                e.changes.create,
                e.changes.update,
                e.changes.delete,
                e.changes.restore,
                e.pending,
                e.held_back
            );
        }
        out.push_str("</table>");
        let bars: Vec<(String, [usize; 4])> = t
            .entities
            .iter()
            .map(|e| (e.entity.clone(), e.changes.columns()))
            .collect();
        chart(out, &format!("chart-{}", t.name), &bars);
        for a in &t.allowed {
            let _ = write!(out, "<p>Override used: <code>{}</code></p>", esc(a));
        }
    }
}

fn schools(out: &mut String, schools: &[SchoolCounts]) {
    if schools.is_empty() {
        return;
    }
    out.push_str("<h2>Changes per school unit</h2>");
    let bars: Vec<(String, [usize; 4])> = schools
        .iter()
        .map(|s| (s.school.clone(), s.changes.columns()))
        .collect();
    chart(out, "chart-schools", &bars);
}

/// A horizontal stacked bar per row (create, update, delete, restore), scaled to the
/// largest total, with a legend.
fn chart(out: &mut String, id: &str, bars: &[(String, [usize; 4])]) {
    let max = bars
        .iter()
        .map(|(_, c)| c.iter().sum::<usize>())
        .max()
        .unwrap_or(0)
        .max(1);
    let (label_w, bar_w, row_h) = (140.0, 420.0, 22.0);
    let height = row_h * bars.len() as f64 + 4.0;
    let _ = write!(
        out,
        "<svg id=\"{}\" width=\"{}\" height=\"{height}\" role=\"img\">",
        esc(id),
        label_w + bar_w + 60.0
    );
    for (row, (label, counts)) in bars.iter().enumerate() {
        let y = row as f64 * row_h + 2.0;
        let _ = write!(
            out,
            "<text x=\"0\" y=\"{}\" font-size=\"13\">{}</text>",
            y + 15.0,
            esc(label)
        );
        let mut x = label_w;
        for (count, colour) in counts.iter().zip(COLOURS) {
            let w = bar_w * *count as f64 / max as f64;
            if *count > 0 {
                let _ = write!(
                    out,
                    "<rect x=\"{x:.1}\" y=\"{y}\" width=\"{w:.1}\" height=\"{}\" fill=\"{colour}\"><title>{count}</title></rect>",
                    row_h - 6.0
                );
            }
            x += w;
        }
        let total: usize = counts.iter().sum();
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{}\" font-size=\"12\">{total}</text>",
            x + 6.0,
            y + 15.0
        );
    }
    out.push_str("</svg><div class=\"legend\">");
    for (name, colour) in ["create", "update", "delete", "restore"]
        .iter()
        .zip(COLOURS)
    {
        let _ = write!(out, "<span style=\"background:{colour}\"></span>{name}");
    }
    out.push_str("</div>");
}

fn lists(out: &mut String, r: &RunReport) {
    if !r.left_out.is_empty() {
        out.push_str("<h2>Left out of every target</h2><table id=\"left-out\"><tr><th>entity</th><th>count</th><th>reason</th></tr>");
        for l in &r.left_out {
            let _ = write!(
                out,
                "<tr><td>{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
                esc(&l.entity),
                l.count,
                esc(&l.reason)
            );
        }
        out.push_str("</table>");
    }
    if !r.warnings.is_empty() {
        out.push_str("<h2>Warnings</h2><ul id=\"warnings\">");
        for w in &r.warnings {
            let _ = write!(out, "<li>{}</li>", esc(w));
        }
        out.push_str("</ul>");
    }
}

/// Escapes text for HTML.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
