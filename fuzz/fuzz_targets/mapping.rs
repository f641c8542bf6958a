//! A mapping file's text, parsed and checked as the mapping of the bundled example.
#![no_main]

use libfuzzer_sys::fuzz_target;
use roster_etl::fuzz::MappingCheck;
use std::path::Path;
use std::sync::{Mutex, OnceLock};

fn check() -> &'static Mutex<MappingCheck> {
    static CHECK: OnceLock<Mutex<MappingCheck>> = OnceLock::new();
    CHECK.get_or_init(|| {
        let pipeline =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/extens-ad/pipeline.yaml");
        Mutex::new(MappingCheck::new(&pipeline).expect("the bundled example loads"))
    })
}

fuzz_target!(|data: &[u8]| {
    if let Ok(mut check) = check().lock() {
        check.run(data);
    }
});
