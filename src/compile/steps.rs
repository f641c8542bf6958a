//! The compiled pipeline as a graph of steps: read each dataset once, join, filter and map
//! each block, then diff and write each target. `etl validate` shows it; the executor runs
//! the same order.

use crate::check::Program;
use crate::load::Pipeline;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepKind {
    Read {
        dataset: String,
        file: String,
    },
    Join {
        dataset: String,
        left: bool,
    },
    Filter,
    Map {
        entity: &'static str,
        fields: usize,
    },
    /// Records of one entity that share a key become one (`merge`).
    Merge {
        entity: &'static str,
        rules: usize,
    },
    Diff {
        target: String,
    },
    Write {
        target: String,
        kind: &'static str,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub kind: StepKind,
    /// Indexes of the steps whose output this one reads.
    pub inputs: Vec<usize>,
}

pub fn steps(program: &Program, pipeline: &Pipeline) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    for used in &program.datasets {
        let file = pipeline
            .dataset(&used.qualified)
            .map(|d| d.display.clone())
            .unwrap_or_default();
        steps.push(Step {
            kind: StepKind::Read {
                dataset: used.qualified.clone(),
                file,
            },
            inputs: vec![],
        });
    }
    let mut maps = Vec::new();
    for block in &program.blocks {
        let mut last = block.slots[0];
        for join in &block.joins {
            let dataset = program.datasets[block.slots[join.slot]].qualified.clone();
            let left = join.kind == crate::syntax::ast::JoinKind::Left;
            steps.push(Step {
                kind: StepKind::Join { dataset, left },
                inputs: vec![last, block.slots[join.slot]],
            });
            last = steps.len() - 1;
        }
        if block.filter.is_some() {
            steps.push(Step {
                kind: StepKind::Filter,
                inputs: vec![last],
            });
            last = steps.len() - 1;
        }
        let fields = block.fields.iter().filter(|f| f.is_some()).count();
        steps.push(Step {
            kind: StepKind::Map {
                entity: block.entity.name(),
                fields,
            },
            inputs: vec![last],
        });
        maps.push(steps.len() - 1);
    }
    for merge in &program.merges {
        let entity = merge.entity.name();
        let inputs: Vec<usize> = maps
            .iter()
            .copied()
            .filter(|&m| matches!(&steps[m].kind, StepKind::Map { entity: e, .. } if *e == entity))
            .collect();
        maps.retain(|m| !inputs.contains(m));
        steps.push(Step {
            kind: StepKind::Merge {
                entity,
                rules: merge.rules.iter().filter(|r| r.is_some()).count(),
            },
            inputs,
        });
        maps.push(steps.len() - 1);
    }
    maps.sort_unstable();
    for target in &pipeline.targets {
        steps.push(Step {
            kind: StepKind::Diff {
                target: target.name.node.clone(),
            },
            inputs: maps.clone(),
        });
        let diff = steps.len() - 1;
        let write = StepKind::Write {
            target: target.name.node.clone(),
            kind: target.kind.node.name(),
        };
        steps.push(Step {
            kind: write,
            inputs: vec![diff],
        });
    }
    steps
}

impl fmt::Display for StepKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StepKind::Read { dataset, file } => write!(f, "read {dataset} ({file})"),
            StepKind::Join {
                dataset,
                left: true,
            } => write!(f, "left join {dataset}"),
            StepKind::Join {
                dataset,
                left: false,
            } => write!(f, "join {dataset}"),
            StepKind::Filter => f.write_str("filter (where)"),
            StepKind::Map { entity, fields } => write!(f, "map {entity} ({fields} fields)"),
            StepKind::Merge { entity, rules } => {
                write!(f, "merge {entity} records by key ({rules} rules)")
            }
            StepKind::Diff { target } => write!(f, "diff {target} against state"),
            StepKind::Write { target, kind } => write!(f, "write {target} ({kind})"),
        }
    }
}

/// One line per step: `  4. left join ad.users  <- 1, 5`.
pub fn render(steps: &[Step]) -> String {
    let mut out = String::new();
    for (i, step) in steps.iter().enumerate() {
        let inputs: Vec<String> = step.inputs.iter().map(|n| (n + 1).to_string()).collect();
        let from = if inputs.is_empty() {
            String::new()
        } else {
            format!("  <- {}", inputs.join(", "))
        };
        out.push_str(&format!("  {:>2}. {}{from}\n", i + 1, step.kind));
    }
    out
}
