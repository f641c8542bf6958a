//! Checks and evaluates a lone expression with no datasets in scope. Function examples
//! (tests and docs) run through this, so they use the real checker and evaluator.

use super::bind::Binder;
use super::expr::ExprChecker;
use crate::diagnostic::{Diag, SourceMap};
use crate::execute::{Env, EvalError};
use crate::functions::CallCtx;
use std::collections::HashMap;
use std::path::Path;

/// The outcome of evaluating an expression.
#[derive(Debug, PartialEq)]
pub enum Evaluated {
    /// The value, written as a literal of the language (`"text"`, `2026-08-17`, `null`, `true`).
    Value(String),
    /// The expression failed at run time (an unhandled fallible call).
    Failed(String),
}

/// `lookups` are the tables in scope; script paths are relative to `script_dir`.
pub fn evaluate(
    text: &str,
    lookups: &[(String, HashMap<String, String>)],
    script_dir: &Path,
    today: chrono::NaiveDate,
    sources: &mut SourceMap,
) -> Result<Evaluated, Vec<Diag>> {
    let file = sources.add("<expression>", text);
    let expr = crate::syntax::parse_expr(text, file)?;
    let names: Vec<String> = lookups.iter().map(|(n, _)| n.clone()).collect();
    let mut binder = Binder::new(&names, sources, crate::script::DEFAULT_RUN_TIME);
    binder.mapping_dir = script_dir.to_path_buf();
    let checked = ExprChecker {
        scope: &[],
        binder: &mut binder,
    }
    .check(&expr);
    let errors: Vec<Diag> = binder
        .diags
        .take()
        .into_iter()
        .filter(Diag::is_error)
        .collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    let scripts = binder.scripts;
    let tables: Vec<HashMap<String, String>> = lookups.iter().map(|(_, t)| t.clone()).collect();
    let ctx = CallCtx::new(today);
    let env = Env {
        datasets: &[],
        slots: &[],
        ctx: &ctx,
        lookups: &tables,
        scripts: &scripts,
        sources,
    };
    Ok(match env.eval(&checked.ir, &[]) {
        Ok(v) => Evaluated::Value(literal(&v)),
        Err(EvalError::Soft(m)) => Evaluated::Failed(m),
        Err(EvalError::Fatal(d)) => Evaluated::Failed(d.message),
    })
}

fn literal(value: &crate::model::Value) -> String {
    match value {
        crate::model::Value::Str(s) => format!("{s:?}"),
        other => other.to_string(),
    }
}
