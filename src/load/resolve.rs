//! Raw spanned YAML -> validated [`Pipeline`]. Collects every error instead of stopping at the first.

use super::interpolate::{Env, interpolate};
use super::pipeline::*;
use super::raw::{RawLookup, RawPipeline, RawTarget, S};
use super::yaml::span_of;
use crate::diagnostic::{Code, Diag, Diagnostics, FileId, Node, SourceMap, Span, suggest};
use crate::safety::Limits;
use crate::source::{CsvOptions, CsvSource, read_dataset};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub struct Resolver<'a> {
    pub file: FileId,
    pub dir: PathBuf,
    pub env: &'a dyn Env,
    pub diags: Diagnostics,
    /// Credentials written into the pipeline: blanked out before any diagnostic quotes it.
    pub secrets: Vec<crate::diagnostic::Span>,
}

impl Resolver<'_> {
    pub fn pipeline(
        &mut self,
        raw: RawPipeline,
        path: &Path,
        sources: &mut SourceMap,
    ) -> Option<Pipeline> {
        let tier = self.tier(&raw.tier);
        let name = raw
            .name
            .as_ref()
            .and_then(|n| self.string(n))
            .unwrap_or_else(|| file_stem(path));
        let state_path = match &raw.state {
            Some(s) => self.string(s).map(|p| self.dir.join(p)),
            None => Some(self.dir.join(format!("{}.state.db", file_stem(path)))),
        };
        let systems = self.systems(&raw.sources.value);
        if systems.is_empty() && !self.diags.has_errors() {
            self.diags.push(
                Diag::error(Code::BadSetting, "the pipeline declares no sources")
                    .label(span_of(&raw.sources, self.file), "empty")
                    .help("add a source system with at least one dataset"),
            );
        }
        let lookups = raw
            .lookups
            .0
            .iter()
            .filter_map(|(n, l)| self.lookup(n, l, sources))
            .collect();
        let mappings = raw
            .mappings
            .value
            .iter()
            .filter_map(|m| self.path_node(m))
            .collect();
        let targets = self.targets(&raw.targets.value);
        let school_year = self.school_year(raw.school_year.as_ref());
        let identity = self.identity(&raw.identity);
        let read_ahead = self.read_ahead(raw.read_ahead.as_ref());
        let script_time = self.script_time(raw.script_time.as_ref());
        let report = self.report(raw.report.as_ref());
        if let Some(version) = &raw.version
            && version.value != 1
        {
            self.diags.push(
                Diag::error(
                    Code::BadSetting,
                    format!("pipeline format version {} is not supported", version.value),
                )
                .label(span_of(version, self.file), "here")
                .help("this roster-etl reads `version: 1`"),
            );
        }
        if self.diags.has_errors() {
            return None;
        }
        Some(Pipeline {
            file: self.file,
            dir: self.dir.clone(),
            path: path.to_path_buf(),
            name,
            tier: tier?,
            state_path: state_path?,
            systems,
            lookups,
            mappings,
            targets,
            school_year,
            read_ahead: read_ahead?,
            script_time: script_time?,
            identity,
            report,
        })
    }

    pub(super) fn span(&self, s: &S) -> Span {
        span_of(s, self.file)
    }

    pub(super) fn string(&mut self, s: &S) -> Option<String> {
        match interpolate(&s.value, self.span(s), self.env) {
            Ok(v) => Some(v),
            Err(d) => {
                self.diags.push(d);
                None
            }
        }
    }

    fn path_node(&mut self, s: &S) -> Option<Node<PathBuf>> {
        let text = self.string(s)?;
        Some(Node::new(self.span(s), self.dir.join(text)))
    }

    fn tier(&mut self, s: &S) -> Option<Node<Tier>> {
        let tier = match s.value.as_str() {
            "bronze" => Tier::Bronze,
            "silver" => Tier::Silver,
            other => {
                self.diags.push(
                    Diag::error(Code::BadSetting, format!("unknown tier `{other}`"))
                        .label(self.span(s), "here")
                        .help(format!(
                            "the tiers are `bronze` (one source system) and `silver` (several); {}",
                            suggest::did_you_mean(other, ["bronze", "silver"])
                        )),
                );
                return None;
            }
        };
        Some(Node::new(self.span(s), tier))
    }

    fn lookup(&mut self, name: &S, raw: &RawLookup, sources: &mut SourceMap) -> Option<Lookup> {
        let table = match (&raw.values, &raw.file) {
            (Some(values), None) => values
                .0
                .iter()
                .map(|(k, v)| (k.value.clone(), v.value.clone()))
                .collect(),
            (None, Some(file)) => self.lookup_file(file, raw, sources)?,
            _ => {
                self.diags.push(
                    Diag::error(Code::BadSetting, format!("lookup `{}` needs either `values` or `file`", name.value))
                        .label(self.span(name), "this lookup")
                        .help("write `values: {Lärare: teacher}` or `file: roles.csv` with `key:` and `value:` columns"),
                );
                return None;
            }
        };
        Some(Lookup {
            name: Node::new(self.span(name), name.value.clone()),
            table,
        })
    }

    fn lookup_file(
        &mut self,
        file: &S,
        raw: &RawLookup,
        sources: &mut SourceMap,
    ) -> Option<HashMap<String, String>> {
        let display = self.string(file)?;
        let (Some(key), Some(value)) = (&raw.key, &raw.value) else {
            self.diags.push(
                Diag::error(
                    Code::BadSetting,
                    "a lookup read from a file needs `key:` and `value:` column names",
                )
                .label(self.span(file), "this file")
                .help("name the column to match on (`key`) and the column to return (`value`)"),
            );
            return None;
        };
        let options = CsvOptions::default();
        let path = self.dir.join(&display);
        let src = CsvSource {
            path: &path,
            display: &display,
            decl_span: self.span(file),
            options: &options,
            protected: None,
        };
        let dataset = match read_dataset(&src, sources, &crate::report::Watch::default()) {
            Ok((d, _)) => d,
            Err(d) => {
                self.diags.push(d);
                return None;
            }
        };
        let mut index = |col: &S| {
            let found = dataset.column_index(&col.value);
            if found.is_none() {
                self.diags.push(
                    Diag::error(
                        Code::MissingColumn,
                        format!("{display} has no column `{}`", col.value),
                    )
                    .label(self.span(col), "not in the file")
                    .help(suggest::did_you_mean(
                        &col.value,
                        dataset.columns.iter().map(String::as_str),
                    )),
                );
            }
            found
        };
        let (k, v) = (index(key)?, index(value)?);
        Some(
            (0..dataset.len() as u32)
                .map(|r| (dataset.get(r, k).to_string(), dataset.get(r, v).to_string()))
                .collect(),
        )
    }

    fn targets(&mut self, raw: &super::spanned_map::SpannedMap<RawTarget>) -> Vec<TargetDecl> {
        let mut targets = Vec::new();
        let mut folders: Vec<(PathBuf, String)> = Vec::new();
        for (name, target) in &raw.0 {
            let Some(kind) = TargetKind::parse(&target.kind.value) else {
                self.diags.push(
                    Diag::error(
                        Code::UnknownSourceType,
                        format!("unknown target type `{}`", target.kind.value),
                    )
                    .label(self.span(&target.kind), "here")
                    .help(format!(
                        "target types: {}; {}",
                        TargetKind::NAMES.join(", "),
                        suggest::did_you_mean(
                            &target.kind.value,
                            TargetKind::NAMES.iter().copied()
                        )
                    )),
                );
                continue;
            };
            let policies = self.policies(&target.on_delete);
            let limits = self.limits(&target.limits, Limits::normal_defaults());
            let rollover_limits = self.limits(&target.rollover_limits, Limits::rollover_defaults());
            let options = self.target_options(kind, target);
            let Some((path, display)) = self.target_place(name, kind, target, &options) else {
                continue;
            };
            if let Some(raw_path) = target.path.as_ref().filter(|_| !kind.is_server()) {
                self.own_folder(&mut folders, (name, raw_path), &path);
            }
            targets.push(TargetDecl {
                name: Node::new(self.span(name), name.value.clone()),
                kind: Node::new(self.span(&target.kind), kind),
                path,
                display,
                policies,
                limits,
                rollover_limits,
                options,
            });
        }
        targets
    }
}

/// Two file targets in one folder (or one inside the other's): each apply replaces a
/// target's whole folder, so one would remove the other's files.
impl Resolver<'_> {
    /// Checks that a file target's folder is its own, and notes it for the next targets.
    fn own_folder(
        &mut self,
        folders: &mut Vec<(PathBuf, String)>,
        (name, raw): (&S, &S),
        path: &Path,
    ) {
        let folder = super::normalize(path);
        let taken = folders
            .iter()
            .find(|(f, _)| f.starts_with(&folder) || folder.starts_with(f));
        if let Some((other_folder, other)) = taken {
            let label = if *other_folder == folder {
                format!("target `{other}` writes to this folder too")
            } else if folder.starts_with(other_folder) {
                format!("inside the folder of target `{other}`")
            } else {
                format!("holds the folder of target `{other}`")
            };
            let span = self.span(raw);
            self.diags
                .push(shared_folder((other, &name.value), span, label));
        }
        folders.push((folder, name.value.clone()));
    }
}

fn shared_folder((first, second): (&str, &str), span: Span, label: String) -> Diag {
    Diag::error(
        Code::BadSetting,
        format!("targets `{first}` and `{second}` write to the same folder"),
    )
    .label(span, label)
    .help("give each file target a folder of its own (e.g. `path: out/skolon` and `path: out/teams`): every apply replaces a target's whole folder")
}

fn file_stem(path: &Path) -> String {
    path.file_stem().map_or_else(
        || "pipeline".to_string(),
        |s| s.to_string_lossy().into_owned(),
    )
}
