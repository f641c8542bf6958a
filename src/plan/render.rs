//! The plan as people read it: `+` adds, `~` changes (`old -> new`), `-` removes, each
//! target's safety verdict, and Terraform's summary line.

use super::Change;
use super::mask::MASK;
use super::model::{Action, EntityPlan, Plan, Summary, TargetPlan};
use crate::safety::{Verdict, Violation, percent_text, thousands};
use std::fmt::Write;

pub struct RenderOptions {
    /// Show every row instead of the first few of each list.
    pub full: bool,
    pub show_sensitive: bool,
}

/// How many rows of each list are shown without `--full`.
pub const SHOWN: usize = 10;

pub fn render(plan: &Plan, opts: &RenderOptions) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "roster-etl plan for pipeline \"{}\" (today {})",
        plan.pipeline_name, plan.today
    );
    if !plan.mode.because.is_empty() {
        let _ = writeln!(
            out,
            "Run mode: {} ({})",
            plan.mode.name(),
            plan.mode.because.join(", ")
        );
    }
    for read in &plan.reads {
        let _ = writeln!(out, "Read: {read}");
    }
    for target in &plan.targets {
        render_target(&mut out, target, opts);
    }
    if !plan.left_out.is_empty() {
        let _ = writeln!(out, "\nLeft out of every target:");
        for left in &plan.left_out {
            let _ = writeln!(out, "  {} {}(s): {}", left.count, left.entity, left.reason);
        }
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", summary_line(plan));
    out
}

pub fn summary_line(plan: &Plan) -> String {
    let s = plan.summary();
    if !plan.has_changes() {
        return "No changes. The targets match the sources.".to_string();
    }
    let mut parts = vec![
        format!("{} to add", s.add),
        format!("{} to change", s.change),
        format!("{} to destroy", s.destroy),
    ];
    for action in [
        Action::Restore,
        Action::Rekey,
        Action::Trash,
        Action::Archive,
        Action::Delay,
    ] {
        if s.get(action) > 0 {
            parts.push(format!("{} {}", s.get(action), action.phrase()));
        }
    }
    let line = format!("Plan: {}.", parts.join(", "));
    if plan.is_held() {
        format!(
            "{line}\nHELD: the plan goes over a safety limit; `etl apply` will refuse it and write nothing."
        )
    } else {
        line
    }
}

fn render_target(out: &mut String, target: &TargetPlan, opts: &RenderOptions) {
    let note = if target.first_run {
        " (first run: no state yet)"
    } else {
        ""
    };
    let server = target.options.scim.is_some();
    let path = if server {
        target.path.clone()
    } else {
        crate::load::display_path(std::path::Path::new(&target.path))
    };
    let _ = writeln!(
        out,
        "\nTarget \"{}\" ({} -> {path}){note}",
        target.name, target.kind
    );
    render_safety(out, &target.safety);
    if target
        .entities
        .iter()
        .all(|e| e.is_empty() && e.held_back.is_empty())
    {
        let _ = writeln!(out, "  no changes");
    }
    for entity in &target.entities {
        render_entity(out, entity, opts);
    }
}

fn render_safety(out: &mut String, verdict: &Verdict) {
    if let Some(why) = &verdict.exempt {
        let _ = writeln!(out, "  Safety limits: none checked ({why})");
    } else if !verdict.is_held() && !verdict.limits.is_empty() {
        let _ = writeln!(out, "  Safety limits: within the {} limits", verdict.limits);
    }
    if verdict.is_held() {
        let _ = writeln!(
            out,
            "  HELD by {} safety limit(s) ({} limits); apply refuses this plan and writes nothing:",
            verdict.held.len(),
            verdict.limits
        );
        for v in &verdict.held {
            render_violation(out, v);
            let _ = writeln!(
                out,
                "      to let it through once, after checking the sources: --allow {}={}",
                v.limit, v.changes
            );
        }
    }
    for v in &verdict.allowed {
        let _ = writeln!(
            out,
            "  Allowed once by --allow {}:",
            v.allowed_by.as_deref().unwrap_or("")
        );
        render_violation(out, v);
    }
}

fn render_violation(out: &mut String, v: &Violation) {
    let what = match &v.group {
        Some(group) => format!(
            "group {group} loses {} of its {} members ({}%)",
            thousands(v.changes),
            thousands(v.base),
            percent_text(v.percent)
        ),
        None => format!(
            "{} of the {} the target held ({}%)",
            thousands(v.changes),
            thousands(v.base),
            percent_text(v.percent)
        ),
    };
    let _ = writeln!(out, "    {}: {what}; the limit is {}", v.limit, v.max);
    if let Some(c) = &v.concentration {
        let _ = writeln!(out, "      {c}");
    }
}

fn render_entity(out: &mut String, entity: &EntityPlan, opts: &RenderOptions) {
    let summary = entity.summary();
    if !entity.is_empty() {
        let counts: Vec<String> = Action::ALL
            .iter()
            .filter(|a| summary.get(**a) > 0)
            .map(|a| format!("{} {}", summary.get(*a), a.phrase()))
            .collect();
        let _ = writeln!(out, "  {}: {}", entity.entity, counts.join(", "));
    }
    let view = View { entity, opts };
    view.list(out, &summary);
    if !entity.pending.is_empty() {
        let next = entity
            .pending
            .iter()
            .map(|p| p.due.as_str())
            .min()
            .unwrap_or("");
        let _ = writeln!(
            out,
            "  {}: {} delete(s) pending, gone from the sources; the next is due {next}",
            entity.entity,
            entity.pending.len()
        );
    }
    if !entity.held_back.is_empty() {
        let _ = writeln!(
            out,
            "  {}: {} change(s) held back by additions-only mode (applied by the next normal run)",
            entity.entity,
            entity.held_back.len()
        );
    }
    if entity.frozen > 0 {
        let _ = writeln!(
            out,
            "  {}: {} kept unchanged because their group is archived",
            entity.entity, entity.frozen
        );
    }
    if entity.year_scoped > 0 {
        let _ = writeln!(
            out,
            "  {}: {} new id(s) carry their school year (KEY@YYYY-YY): the target holds the key for a group of another school year",
            entity.entity, entity.year_scoped
        );
    }
}

struct View<'a> {
    entity: &'a EntityPlan,
    opts: &'a RenderOptions,
}

impl View<'_> {
    /// The changes by action, the first few of each unless the whole list is asked for.
    fn list(&self, out: &mut String, summary: &Summary) {
        let by_action = self.entity.by_action();
        for action in Action::ALL {
            let count = summary.get(action);
            let shown = if self.opts.full {
                count
            } else {
                SHOWN.min(count)
            };
            for change in by_action.of(action).take(shown) {
                match action {
                    Action::Update | Action::Rekey => self.update(out, change),
                    _ => self.row(out, change),
                }
            }
            if shown < count {
                let _ = writeln!(
                    out,
                    "    ... and {} more {} {} (--full shows all)",
                    count - shown,
                    self.entity.entity,
                    action.phrase()
                );
            }
        }
    }

    fn key(&self, key: &str) -> String {
        if self.entity.sensitive_key && !self.opts.show_sensitive {
            MASK.to_string()
        } else {
            key.to_string()
        }
    }

    /// `(trash)`, `(delete on 2026-12-05)`, `(key was 1009)`...
    fn tag(&self, change: &Change) -> String {
        match change.action {
            Action::Create | Action::Update | Action::Delete => String::new(),
            Action::Restore => " (restore)".to_string(),
            Action::Rekey => format!(
                " (new key; was {})",
                self.key(change.old_key().unwrap_or(""))
            ),
            Action::Trash => " (trash)".to_string(),
            Action::Archive => " (archive)".to_string(),
            Action::Delay => format!(" (delete on {})", change.due().unwrap_or("?")),
        }
    }

    fn value(&self, index: usize, value: Option<&str>) -> String {
        match value {
            None => "null".to_string(),
            Some(_)
                if self
                    .entity
                    .sensitive_fields
                    .get(index)
                    .copied()
                    .unwrap_or(false)
                    && !self.opts.show_sensitive =>
            {
                MASK.to_string()
            }
            Some(v) => format!("{v:?}"),
        }
    }

    fn row(&self, out: &mut String, change: &Change) {
        let fields: Vec<String> = change
            .values()
            .into_iter()
            .flat_map(|v| v.iter())
            .enumerate()
            .filter(|(_, v)| v.is_some())
            .map(|(i, v)| format!("{}={}", self.entity.fields[i], self.value(i, v)))
            .collect();
        let _ = writeln!(
            out,
            "    {} {}{}  {}",
            change.action.sign(),
            self.key(&change.key),
            self.tag(change),
            fields.join(" ")
        );
    }

    fn update(&self, out: &mut String, change: &Change) {
        let _ = writeln!(out, "    ~ {}{}", self.key(&change.key), self.tag(change));
        let (Some(before), Some(after)) = (&change.before, &change.after) else {
            return;
        };
        for (i, (old, new)) in before.iter().zip(after.iter()).enumerate() {
            if old != new {
                let _ = writeln!(
                    out,
                    "        {}: {} -> {}",
                    self.entity.fields[i],
                    self.value(i, old),
                    self.value(i, new)
                );
            }
        }
    }
}
