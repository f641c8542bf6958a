//! Rhai scripts called from mappings with `script("file.rhai", args...)`.

mod budget;
mod failure;
mod sandbox;

use crate::diagnostic::{Code, Diag, FileId, SourceMap, Span};
use crate::model::Value;
use budget::Budget;
use rhai::{AST, Dynamic, Engine, Scope};
use std::sync::Arc;
use std::time::Duration;

/// The pipeline's `script_time:` when it sets none.
pub const DEFAULT_RUN_TIME: Duration = Duration::from_secs(60);

/// A compiled script and where it came from.
pub struct Script {
    pub file: FileId,
    ast: AST,
}

/// All scripts of a run share one sandboxed engine and one time budget.
pub struct Scripts {
    engine: Engine,
    budget: Arc<Budget>,
    pub scripts: Vec<Script>,
}

impl std::fmt::Debug for Scripts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Scripts({})", self.scripts.len())
    }
}

impl Scripts {
    /// Scripts whose calls may take `run_time` together (the pipeline's `script_time:`).
    pub fn new(run_time: Duration) -> Self {
        let budget = Arc::new(Budget::new(run_time));
        Scripts {
            engine: sandbox::engine(Arc::clone(&budget)),
            budget,
            scripts: Vec::new(),
        }
    }

    /// The time script calls have taken so far, and how many calls there were.
    pub fn spent(&self) -> (Duration, u64) {
        (self.budget.spent(), self.budget.calls())
    }

    /// Compiles a script file; a syntax error points into the script.
    pub fn compile(
        &mut self,
        file: FileId,
        sources: &SourceMap,
        call: Span,
    ) -> Result<usize, Diag> {
        match self.engine.compile(sources.text(file)) {
            Ok(ast) => {
                self.scripts.push(Script { file, ast });
                Ok(self.scripts.len() - 1)
            }
            Err(e) => {
                let span = position_span(file, sources, e.1);
                Err(Diag::error(Code::ScriptCompile, format!("script does not compile: {}", e.0))
                    .label(span, "here")
                    .label(call, "called from this mapping")
                    .help("Rhai syntax: https://rhai.rs/book/ ; the script's last expression is its result"))
            }
        }
    }

    /// Runs script `index` with `args`.
    pub fn run(
        &self,
        index: usize,
        args: &[Value<'_>],
        sources: &SourceMap,
        call: Span,
    ) -> Result<Value<'static>, Diag> {
        let script = &self.scripts[index];
        let mut scope = Scope::new();
        let array: rhai::Array = args.iter().map(to_dynamic).collect();
        scope.push("args", array);
        let Some(started) = self.budget.start() else {
            let stop = rhai::EvalAltResult::ErrorTerminated(Dynamic::UNIT, rhai::Position::NONE);
            return Err(self.failed(&stop, script.file, sources, call));
        };
        let result = self
            .engine
            .eval_ast_with_scope::<Dynamic>(&mut scope, &script.ast);
        self.budget.finish(started);
        result
            .map(from_dynamic)
            .map_err(|e| self.failed(&e, script.file, sources, call))
    }

    fn failed(
        &self,
        error: &rhai::EvalAltResult,
        file: FileId,
        sources: &SourceMap,
        call: Span,
    ) -> Diag {
        let failure = failure::describe(error, self.budget.limit);
        let mut diag = Diag::error(Code::ScriptFailed, failure.message);
        if !failure.at.is_none() {
            diag = diag.label(
                position_span(file, sources, failure.at),
                "the script stopped here",
            );
        }
        diag.label(call, "called from this mapping")
            .help(failure.help)
    }
}

fn position_span(file: FileId, sources: &SourceMap, pos: rhai::Position) -> Span {
    match (pos.line(), pos.position()) {
        (Some(line), col) => {
            let start = sources.offset_of(file, line, col.unwrap_or(1));
            Span::new(file, start, start + 1)
        }
        _ => Span::new(file, 0, 0),
    }
}

fn to_dynamic(value: &Value<'_>) -> Dynamic {
    match value {
        Value::Null => Dynamic::UNIT,
        Value::Str(s) => Dynamic::from(s.to_string()),
        Value::Num(n) => Dynamic::from_float(*n),
        Value::Bool(b) => Dynamic::from_bool(*b),
        other => Dynamic::from(other.to_string()),
    }
}

fn from_dynamic(value: Dynamic) -> Value<'static> {
    if value.is_unit() {
        Value::Null
    } else if let Some(b) = value.clone().try_cast::<bool>() {
        Value::Bool(b)
    } else if let Some(i) = value.clone().try_cast::<i64>() {
        Value::Num(i as f64)
    } else if let Some(f) = value.clone().try_cast::<f64>() {
        Value::Num(f)
    } else {
        let text = value.to_string();
        if text.is_empty() {
            Value::Null
        } else {
            Value::str(text)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Many calls, each well within the operation limit, stop once together they have
    /// taken the run's time; the calls before that succeed.
    #[test]
    fn calls_stop_when_together_they_have_taken_the_runs_time() {
        let mut sources = SourceMap::default();
        let text = "let a = [];\nfor i in 0..500 { a.push(500 - i); }\na.sort();\nargs[0]";
        let file = sources.add("busy.rhai", text);
        let call = Span::new(file, 0, 1);
        let mut scripts = Scripts::new(Duration::from_millis(50));
        let index = scripts.compile(file, &sources, call).expect("compiles");
        let started = std::time::Instant::now();
        let mut succeeded = 0;
        let failure = loop {
            match scripts.run(index, &[Value::str("x".to_string())], &sources, call) {
                Ok(_) => succeeded += 1,
                Err(diag) => break diag,
            }
            assert!(succeeded < 1_000_000, "the budget never ran out");
        };
        assert!(succeeded >= 1, "calls run until the time is spent");
        assert!(
            failure.message.contains("script_time` of 50ms"),
            "{}",
            failure.message
        );
        assert!(scripts.spent().0 >= Duration::from_millis(50));
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "stopped soon after 50 ms: {:?}",
            started.elapsed()
        );
    }
}
