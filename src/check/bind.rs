//! Binds calls to what they use at run time: lookup tables, compiled regexes and scripts.

use super::ir::Ir;
use crate::diagnostic::{Code, Diag, Diagnostics, Node, SourceMap, Span, suggest};
use crate::functions::Function;
use crate::load::display_path;
use crate::model::Value;
use crate::script::Scripts;
use crate::syntax::ast::{Expr, Literal};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub struct Binder<'p> {
    pub sources: &'p mut SourceMap,
    pub diags: Diagnostics,
    pub scripts: Scripts,
    script_index: HashMap<PathBuf, Option<usize>>,
    /// Lookup tables by name -> index into `Program::lookups`.
    pub lookup_index: HashMap<String, usize>,
    /// The folder of the mapping file being checked (script paths start there).
    pub mapping_dir: PathBuf,
}

impl<'p> Binder<'p> {
    /// `lookups` are the names of the lookup tables, in `Program::lookups` order.
    pub fn new(lookups: &[String], sources: &'p mut SourceMap, script_time: Duration) -> Self {
        let lookup_index = lookups
            .iter()
            .enumerate()
            .map(|(i, name)| (name.clone(), i))
            .collect();
        Binder {
            sources,
            diags: Diagnostics::new(),
            scripts: Scripts::new(script_time),
            script_index: HashMap::new(),
            lookup_index,
            mapping_dir: PathBuf::new(),
        }
    }

    pub fn bind_call(
        &mut self,
        func: &'static Function,
        mut args: Vec<Ir>,
        written: &[Option<&Node<Expr>>],
        abort: Option<Span>,
        span: Span,
    ) -> Ir {
        let literal_at = |i: usize| match written.get(i).copied().flatten() {
            Some(Node {
                node: Expr::Literal(Literal::Str(s)),
                span,
            }) => Some((s.clone(), *span)),
            _ => None,
        };
        match func.name {
            "lookup" => {
                let Some((table, at)) = literal_at(0) else {
                    return Ir::Const(Value::Null);
                };
                let Some(&index) = self.lookup_index.get(&table) else {
                    self.diags.push(
                        Diag::error(Code::UnknownLookup, format!("no lookup table `{table}`"))
                            .label(at, "not declared under `lookups:`")
                            .help(suggest::did_you_mean(
                                &table,
                                self.lookup_index.keys().map(String::as_str),
                            )),
                    );
                    return Ir::Const(Value::Null);
                };
                let key = if args.len() > 1 {
                    args.swap_remove(1)
                } else {
                    Ir::Const(Value::Null)
                };
                Ir::Lookup {
                    table: index,
                    key: Box::new(key),
                    abort,
                }
            }
            "script" => {
                let Some((path, at)) = literal_at(0) else {
                    return Ir::Const(Value::Null);
                };
                match self.script(&path, at, span) {
                    Some(index) => Ir::Script {
                        index,
                        args: args.split_off(1),
                        span,
                    },
                    None => Ir::Const(Value::Null),
                }
            }
            "regex_match" | "regex_replace" => {
                if let Some((pattern, at)) = literal_at(1)
                    && let Err(e) = regex::Regex::new(&pattern)
                {
                    self.diags.push(
                        Diag::error(Code::BadLiteral, "invalid regular expression")
                            .label(at, first_line(&e.to_string()))
                            .help("patterns use Rust regex syntax; a backslash is written `\\\\` inside a string"),
                    );
                }
                Ir::Call { func, args, abort }
            }
            _ => Ir::Call { func, args, abort },
        }
    }

    fn script(&mut self, path: &str, at: Span, call: Span) -> Option<usize> {
        let full = self.mapping_dir.join(path);
        if let Some(found) = self.script_index.get(&full) {
            return *found;
        }
        let found = self.load_script(&full, at, call);
        self.script_index.insert(full, found);
        found
    }

    fn load_script(&mut self, full: &Path, at: Span, call: Span) -> Option<usize> {
        let text = match std::fs::read_to_string(full) {
            Ok(t) => t,
            Err(e) => {
                self.diags.push(
                    Diag::error(
                        Code::FileUnreadable,
                        format!("cannot read script {}: {e}", full.display()),
                    )
                    .label(at, "this script")
                    .help("script paths are relative to the mapping file's folder"),
                );
                return None;
            }
        };
        let file = self.sources.add(display_path(full), text);
        match self.scripts.compile(file, self.sources, call) {
            Ok(index) => Some(index),
            Err(d) => {
                self.diags.push(d);
                None
            }
        }
    }
}

fn first_line(text: &str) -> String {
    text.lines().last().unwrap_or(text).trim().to_string()
}
