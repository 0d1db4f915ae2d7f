#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| iacm_lsp::fuzzing::lsp_input(data));
