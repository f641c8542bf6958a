//! Rhai scripts called from mappings with `script("file.rhai", args...)`.

mod sandbox;

use crate::diagnostic::{Code, Diag, FileId, SourceMap, Span};
use crate::model::Value;
use rhai::{AST, Dynamic, Engine, Scope};

/// A compiled script and where it came from.
pub struct Script {
    pub file: FileId,
    ast: AST,
}

/// All scripts of a run share one sandboxed engine.
pub struct Scripts {
    engine: Engine,
    pub scripts: Vec<Script>,
}

impl Default for Scripts {
    fn default() -> Self {
        Scripts {
            engine: sandbox::engine(),
            scripts: Vec::new(),
        }
    }
}

impl std::fmt::Debug for Scripts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Scripts({})", self.scripts.len())
    }
}

impl Scripts {
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
        match self
            .engine
            .eval_ast_with_scope::<Dynamic>(&mut scope, &script.ast)
        {
            Ok(value) => Ok(from_dynamic(value)),
            Err(e) => {
                let span = position_span(script.file, sources, e.position());
                Err(Diag::error(Code::ScriptFailed, format!("script failed: {}", first_line(&e.to_string())))
                    .label(span, "the script stopped here")
                    .label(call, "called from this mapping")
                    .help("scripts are limited in operations, depth and sizes and cannot read files or the network"))
            }
        }
    }
}

fn first_line(text: &str) -> &str {
    text.split(" (line ").next().unwrap_or(text)
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
