//! Replays the fuzzers' committed inputs on every `cargo test` (no nightly
//! needed): the seed corpus in `fuzz/seeds/` and every crash reproducer in
//! `fuzz/regressions/<target>/`. A crash found by `cargo fuzz` becomes a
//! regression test by copying its artifact into that folder.

use std::fs;
use std::path::Path;

use iacm_lsp::fuzzing;

/// Every input file under `dir` (README files aside).
fn inputs(dir: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let Ok(entries) = fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.file_name().is_some_and(|n| n != "README.md"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            (
                p.display().to_string(),
                fs::read(&p).expect("readable input"),
            )
        })
        .collect()
}

fn replay(target: fn(&[u8]), seeds: &str, name: &str, at_least: usize) {
    let seeds = inputs(seeds);
    assert!(
        seeds.len() >= at_least,
        "{name}: only {} seeds",
        seeds.len()
    );
    let regressions = inputs(&format!("fuzz/regressions/{name}"));
    for (path, data) in seeds.iter().chain(&regressions) {
        let outcome = std::panic::catch_unwind(|| target(data));
        assert!(outcome.is_ok(), "{name} fails on {path}");
    }
    println!(
        "{name}: {} seeds and {} regressions replayed",
        seeds.len(),
        regressions.len()
    );
}

#[test]
fn analysis_target() {
    replay(fuzzing::analysis, "fuzz/seeds/catalog", "analysis", 10);
}

#[test]
fn fix_round_trip_target() {
    replay(
        fuzzing::fix_round_trip,
        "fuzz/seeds/catalog",
        "fix_round_trip",
        10,
    );
}

#[test]
fn workspace_url_target() {
    replay(
        fuzzing::workspace_url,
        "fuzz/seeds/workspace_url",
        "workspace_url",
        10,
    );
}

#[test]
fn lsp_input_target() {
    replay(fuzzing::lsp_input, "fuzz/seeds/lsp_input", "lsp_input", 4);
}
