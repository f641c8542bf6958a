//! Replays every committed fuzz input (the seeds, the minimized corpus of the long runs and
//! every input that once crashed) through the fuzz targets' own entry points, so a fixed
//! panic stays fixed without nightly Rust. The long runs are `scripts/fuzz.sh`
//! (docs/reliability.md).

use roster_etl::fuzz::{self, MappingCheck};
use std::path::{Path, PathBuf};

fn inputs(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 10, "{} holds the corpus", dir.display());
    files
}

/// Runs `target` on every input of `corpus`; names each input that panicked.
fn replay(corpus: &str, mut target: impl FnMut(&[u8])) {
    let mut panicked = Vec::new();
    for file in inputs(corpus) {
        let data = std::fs::read(&file).unwrap();
        let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| target(&data)));
        if run.is_err() {
            panicked.push(file.display().to_string());
        }
    }
    assert!(panicked.is_empty(), "panicked on: {panicked:#?}");
}

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/extens-ad/pipeline.yaml")
}

#[test]
fn every_mapping_input_is_checked_without_a_panic() {
    let mut check = MappingCheck::new(&example()).unwrap();
    replay("mapping", |data| check.run(data));
}

#[test]
fn every_pipeline_input_is_loaded_without_a_panic() {
    replay("pipeline", |data| fuzz::pipeline(data, &example()));
}

#[test]
fn every_csv_input_is_read_without_a_panic() {
    replay("csv", fuzz::csv);
}
