//! cargo-fuzz target: arbitrary bytes as a kernel's source text through the frontend (and the
//! reference interpreter when it compiles). Any panic is a bug.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let chunkjit_fuzz::Outcome::LowerFailed(why) = chunkjit_fuzz::run_source(data) {
        panic!("checked IR the code generator refused: {why}");
    }
});
