//! The plan as people read it: `+` create, `~` update with `old -> new`, `-` delete,
//! and Terraform's summary line.

use super::mask::MASK;
use super::model::{Change, EntityPlan, Plan, TargetPlan};
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
    if plan.has_changes() {
        format!(
            "Plan: {} to add, {} to change, {} to destroy.",
            s.add, s.change, s.destroy
        )
    } else {
        "No changes. The targets match the sources.".to_string()
    }
}

fn render_target(out: &mut String, target: &TargetPlan, opts: &RenderOptions) {
    let note = if target.first_run {
        " (first run: no state yet)"
    } else {
        ""
    };
    let path = crate::load::display_path(std::path::Path::new(&target.path));
    let _ = writeln!(
        out,
        "\nTarget \"{}\" ({} -> {path}){note}",
        target.name, target.kind
    );
    if target.entities.iter().all(EntityPlan::is_empty) {
        let _ = writeln!(out, "  no changes");
    }
    for entity in target.entities.iter().filter(|e| !e.is_empty()) {
        let _ = writeln!(
            out,
            "  {}: {} to add, {} to change, {} to destroy",
            entity.entity,
            entity.creates.len(),
            entity.updates.len(),
            entity.deletes.len()
        );
        let view = View { entity, opts };
        view.list(out, &entity.creates, '+', "to add");
        view.list(out, &entity.updates, '~', "to change");
        view.list(out, &entity.deletes, '-', "to destroy");
    }
}

struct View<'a> {
    entity: &'a EntityPlan,
    opts: &'a RenderOptions,
}

impl View<'_> {
    fn list(&self, out: &mut String, changes: &[Change], sign: char, what: &str) {
        let shown = if self.opts.full {
            changes.len()
        } else {
            SHOWN.min(changes.len())
        };
        for change in &changes[..shown] {
            match sign {
                '~' => self.update(out, change),
                _ => self.row(out, change, sign),
            }
        }
        if shown < changes.len() {
            let _ = writeln!(
                out,
                "    ... and {} more {} {what} (--full shows all)",
                changes.len() - shown,
                self.entity.entity
            );
        }
    }

    fn key(&self, change: &Change) -> String {
        if self.entity.sensitive_key && !self.opts.show_sensitive {
            MASK.to_string()
        } else {
            change.key.clone()
        }
    }

    fn value(&self, index: usize, value: &Option<String>) -> String {
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

    fn row(&self, out: &mut String, change: &Change, sign: char) {
        let values = change.after.as_ref().or(change.before.as_ref());
        let fields: Vec<String> = values
            .into_iter()
            .flatten()
            .enumerate()
            .filter(|(_, v)| v.is_some())
            .map(|(i, v)| format!("{}={}", self.entity.fields[i], self.value(i, v)))
            .collect();
        let _ = writeln!(out, "    {sign} {}  {}", self.key(change), fields.join(" "));
    }

    fn update(&self, out: &mut String, change: &Change) {
        let _ = writeln!(out, "    ~ {}", self.key(change));
        let (Some(before), Some(after)) = (&change.before, &change.after) else {
            return;
        };
        for (i, (old, new)) in before.iter().zip(after).enumerate() {
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
