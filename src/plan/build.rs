//! From a pipeline file to a plan: load -> check -> read -> execute -> diff.

use super::model::{FORMAT, LeftOutCount, Plan, TargetPlan, VERSION};
use crate::check::{self, Checked};
use crate::diagnostic::{Diagnostics, SourceMap};
use crate::functions::CallCtx;
use crate::load::{self, Env, Loaded};
use crate::state::State;
use chrono::NaiveDate;
use std::path::Path;

/// A pipeline that loaded and checked.
pub struct Compiled {
    pub loaded: Loaded,
    pub checked: Checked,
}

pub fn compile(
    path: &Path,
    env: &dyn Env,
    sources: &mut SourceMap,
) -> Result<Compiled, Diagnostics> {
    let loaded = load::load(path, env, sources)?;
    let checked = check::check(&loaded, sources)?;
    Ok(Compiled { loaded, checked })
}

/// Reads the sources, runs the mappings and diffs each target against `state`.
pub fn build(
    compiled: &Compiled,
    state: Option<&State>,
    today: NaiveDate,
    sources: &mut SourceMap,
) -> Result<Plan, Diagnostics> {
    let pipeline = &compiled.loaded.pipeline;
    let program = &compiled.checked.program;
    let datasets = crate::execute::read_datasets(program, pipeline, sources)?;
    let ctx = CallCtx::new(today);
    let roster = crate::execute::run(program, &datasets, &ctx, sources)?;
    let mut targets = Vec::new();
    for target in &pipeline.targets {
        let (version, stored) = match state {
            Some(s) => (s.version(&target.name.node)?, s.records(&target.name.node)?),
            None => (Default::default(), Default::default()),
        };
        targets.push(TargetPlan {
            name: target.name.node.clone(),
            kind: target.kind.node.name().to_string(),
            path: absolute(&target.path),
            lineage: version.lineage.clone(),
            serial: version.serial,
            first_run: version.serial == 0,
            entities: crate::diff::diff(&roster, &stored),
        });
    }
    Ok(Plan {
        format: FORMAT.to_string(),
        version: VERSION,
        pipeline: absolute(&pipeline.path),
        pipeline_name: pipeline.name.clone(),
        state: absolute(&pipeline.state_path),
        today: today.format("%Y-%m-%d").to_string(),
        targets,
        left_out: roster
            .left_out
            .iter()
            .map(|l| LeftOutCount {
                entity: l.entity.name().to_string(),
                reason: l.reason.clone(),
                count: l.count,
            })
            .collect(),
    })
}

pub fn absolute(path: &Path) -> String {
    std::path::absolute(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .display()
        .to_string()
}
