//! A pipeline's text, loaded (and checked when it loads) as if it were the bundled
//! example's pipeline.yaml, so relative paths reach its real data and mapping.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let at = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/extens-ad/pipeline.yaml");
    roster_etl::fuzz::pipeline(data, &at);
});
