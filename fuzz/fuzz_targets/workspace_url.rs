#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| iacm_lsp::fuzzing::workspace_url(data));
