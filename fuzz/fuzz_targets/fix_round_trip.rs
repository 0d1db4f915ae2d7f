#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| iacm_lsp::fuzzing::fix_round_trip(data));
