//! What the fuzzers in `fuzz/` drive, and what `tests/fuzz_corpus.rs` replays every
//! committed input through. Each entry point takes any bytes and must return: no panic, no
//! hang, no allocation without bound. Diagnostics are rendered too, as a user would see
//! them, since a span that points outside its file fails only there.

use crate::diagnostic::{Diag, SourceMap, Span, render_all};
use crate::load::{Env, Loaded};
use crate::report::Watch;
use crate::source::{CsvOptions, CsvSource, EncodingChoice};
use std::path::{Path, PathBuf};

/// No environment variables: `${VAR:-default}` takes its default, `${VAR}` is an error.
struct NoEnv;

impl Env for NoEnv {
    fn var(&self, _: &str) -> Option<String> {
        None
    }
}

fn show(diags: &[Diag], sources: &SourceMap) {
    std::hint::black_box(render_all(diags, sources, false));
}

/// A mapping file's text, parsed and checked as the one mapping of a real pipeline.
pub struct MappingCheck {
    loaded: Loaded,
    sources: SourceMap,
}

impl MappingCheck {
    /// Loads `pipeline` once (its datasets' headers are read as in a real run).
    pub fn new(pipeline: &Path) -> Result<MappingCheck, String> {
        let mut sources = SourceMap::new();
        let loaded = crate::load::load(pipeline, &NoEnv, &mut sources)
            .map_err(|d| render_all(d.items(), &sources, false))?;
        Ok(MappingCheck { loaded, sources })
    }

    pub fn run(&mut self, data: &[u8]) {
        let Ok(text) = std::str::from_utf8(data) else {
            return;
        };
        let mut sources = self.sources.clone();
        let file = sources.add("fuzz.map", text);
        self.loaded.mapping_files = vec![file];
        if let Err(d) = crate::check::check(&self.loaded, &mut sources) {
            show(d.items(), &sources);
        }
    }
}

/// A pipeline's text, loaded as if it were `at` (relative paths start in its folder) and,
/// when it loads, checked with its mappings.
pub fn pipeline(data: &[u8], at: &Path) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut sources = SourceMap::new();
    let diags = match crate::load::load_text(at, text.to_string(), &NoEnv, &mut sources) {
        Ok(loaded) => match crate::check::check(&loaded, &mut sources) {
            Ok(checked) => checked.warnings,
            Err(mut d) => d.take(),
        },
        Err(mut d) => d.take(),
    };
    show(&diags, &sources);
}

/// A CSV file's bytes read as a dataset. The first byte chooses the options: its low two
/// bits the encoding (auto, UTF-8, Windows-1252), the next bit a `;` delimiter or one
/// detected from the header.
pub fn csv(data: &[u8]) {
    let Some((&choice, bytes)) = data.split_first() else {
        return;
    };
    let encoding = match choice & 3 {
        1 => EncodingChoice::Utf8,
        2 => EncodingChoice::Windows1252,
        _ => EncodingChoice::Auto,
    };
    let delimiter = (choice & 4 != 0).then_some(b';');
    let options = CsvOptions {
        encoding,
        delimiter,
    };
    let mut sources = SourceMap::new();
    let pipeline = sources.add("pipeline.yaml", "sources: { x: { path: fuzz.csv } }\n");
    let path = PathBuf::from("fuzz.csv");
    let src = CsvSource {
        path: &path,
        display: "fuzz.csv",
        decl_span: Span::new(pipeline, 20, 24),
        options: &options,
        protected: None,
    };
    if let Err(d) =
        crate::source::dataset_from_bytes(bytes.to_vec(), &src, &mut sources, &Watch::default())
    {
        show(&[d], &sources);
    }
}
