//! Stage "load": the pipeline YAML (with spans and `${VAR}` interpolation) and the
//! texts of the mapping files it names.

mod interpolate;
mod json_schema;
mod pipeline;
mod raw;
mod raw_safety;
mod resolve;
mod resolve_ldap;
mod resolve_report;
mod resolve_safety;
mod resolve_source;
mod resolve_target;
mod spanned_map;
mod window;
mod yaml;

pub use interpolate::{Env, ProcessEnv, interpolate_secret};
pub use json_schema::pipeline_schema;
pub use pipeline::*;
pub use spanned_map::SpannedMap;
pub use window::YearlyWindow;
pub use yaml::{parse as parse_yaml, span_of};

use crate::diagnostic::{Code, Diag, Diagnostics, FileId, SourceMap};
use std::path::Path;

/// A loaded pipeline and the mapping files it uses (added to the source map).
#[derive(Debug)]
pub struct Loaded {
    pub pipeline: Pipeline,
    pub mapping_files: Vec<FileId>,
}

pub fn load(path: &Path, env: &dyn Env, sources: &mut SourceMap) -> Result<Loaded, Diagnostics> {
    let text = read_utf8(path).map_err(|why| {
        Diag::error(Code::FileUnreadable, format!("cannot read pipeline {why}"))
            .help("pass the path of a pipeline YAML file saved as UTF-8, e.g. `etl plan examples/extens-ad/pipeline.yaml`")
    })?;
    load_text(path, text, env, sources)
}

/// [`load`] of a pipeline's text, as if read from `path` (its folder is where relative
/// paths start).
pub fn load_text(
    path: &Path,
    text: String,
    env: &dyn Env,
    sources: &mut SourceMap,
) -> Result<Loaded, Diagnostics> {
    let file = sources.add(display_path(path), text.clone());
    let raw: raw::RawPipeline = yaml::parse(&text, file)?;
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut resolver = resolve::Resolver {
        file,
        dir,
        env,
        diags: Diagnostics::new(),
        secrets: Vec::new(),
    };
    let pipeline = resolver.pipeline(raw, path, sources);
    for secret in &resolver.secrets {
        sources.redact(*secret);
    }
    let mut diags = resolver.diags;
    let Some(pipeline) = pipeline else {
        return Err(diags);
    };
    let mut mapping_files = Vec::new();
    for mapping in &pipeline.mappings {
        match read_utf8(&mapping.node) {
            Ok(text) => mapping_files.push(sources.add(display_path(&mapping.node), text)),
            Err(why) => diags.push(
                Diag::error(
                    Code::FileUnreadable,
                    format!("cannot read mapping file {why}"),
                )
                .label(mapping.span, "named here")
                .help("mapping paths are relative to the pipeline file's folder, and mapping files are UTF-8 text"),
            ),
        }
    }
    if diags.has_errors() {
        return Err(diags);
    }
    Ok(Loaded {
        pipeline,
        mapping_files,
    })
}

/// A file of roster-etl's own (a pipeline, a mapping) as text: UTF-8, with or without a
/// byte order mark. `Err` says which file and why, with the place of a bad byte.
fn read_utf8(path: &Path) -> Result<String, String> {
    use crate::source::{DecodeError, EncodingChoice, decode};
    let shown = path.display();
    let bytes = std::fs::read(path).map_err(|e| format!("{shown}: {e}"))?;
    decode(&bytes, EncodingChoice::Utf8)
        .map(|(text, _)| text.into_owned())
        .map_err(|e| match e {
            DecodeError::Utf16 => format!("{shown}: it is UTF-16; save it as UTF-8"),
            DecodeError::InvalidUtf8 { line, column } | DecodeError::Mixed { line, column } => {
                format!("{shown}:{line}:{column}: not valid UTF-8; save the file as UTF-8")
            }
            DecodeError::Nul { line, column } => {
                format!("{shown}:{line}:{column}: a NUL byte; the file is not text")
            }
            DecodeError::InnerBom { line, column } => {
                format!(
                    "{shown}:{line}:{column}: a byte order mark in the middle; two files joined?"
                )
            }
        })
}

/// Checks that a text has the shape of a pipeline (keys and value kinds), without
/// resolving paths or variables. Used to test the examples in the docs.
pub fn check_shape(text: &str) -> Result<(), Diag> {
    yaml::parse::<raw::RawPipeline>(text, FileId(0)).map(|_| ())
}

/// A path as users should see it: relative to the working directory.
pub fn display_path(path: &Path) -> String {
    let normal = normalize(path);
    std::env::current_dir()
        .ok()
        .and_then(|cwd| pathdiff::diff_paths(&normal, cwd))
        .unwrap_or(normal)
        .display()
        .to_string()
}

/// Removes `.` and resolves `..` without touching the file system.
fn normalize(path: &Path) -> std::path::PathBuf {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    };
    let mut out = std::path::PathBuf::new();
    for part in absolute.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}
