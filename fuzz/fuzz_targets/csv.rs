//! A CSV file's bytes read as a dataset (the first byte chooses encoding and delimiter).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    roster_etl::fuzz::csv(data);
});
