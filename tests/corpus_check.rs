//! `check` over the real-world corpus (`../shared/corpus/real`, 150 catalog
//! files from public repositories): it must never crash, whatever the file.
//! Run with `--nocapture` to see which files get which workspace-url codes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

#[path = "support/corpus.rs"]
mod corpus;
use corpus::corpus;

fn check(args: &[&str], paths: &[PathBuf]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_iacm-lsp"))
        .arg("check")
        .args(args)
        .args(paths)
        .env("NO_COLOR", "1")
        .output()
        .expect("run iacm-lsp")
}

/// Exit 0 (clean or warnings) or 1 (errors found); 2 would be an unreadable
/// file, 101 a panic, `None` a signal.
fn assert_checked(output: &Output, what: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{what}: exit {:?}\n{stderr}",
        output.status.code()
    );
    assert!(!stderr.contains("panicked"), "{what}: {stderr}");
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .collect();
    files.sort();
    files
}

#[test]
fn json_over_the_whole_corpus() {
    let Some(dir) = corpus() else { return };
    let output = check(&["--format", "json"], std::slice::from_ref(&dir));
    assert_checked(&output, "check --format json over the corpus");
    let report: Value = serde_json::from_slice(&output.stdout).expect("stdout is JSON");
    assert_eq!(report["version"], 1);
    let checked = report["files"].as_u64().unwrap();
    // Walking skips the few YAML files that are not catalog files.
    assert!(checked > 100, "only {checked} catalog files found");

    // Which files get which workspace-url codes (for the notes).
    let mut by_file: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for d in report["diagnostics"].as_array().unwrap() {
        let code = d["code"].as_str().unwrap();
        if code.starts_with("workspace-url") || code.starts_with("annotation-") {
            let name = Path::new(d["path"].as_str().unwrap())
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            by_file
                .entry(name)
                .or_default()
                .push(format!("{code}@{}", d["range"]["start"]["line"]));
        }
    }
    eprintln!("{checked} files checked; workspace-url and annotation codes:");
    for (file, codes) in &by_file {
        eprintln!("  {file}: {}", codes.join(", "));
    }
}

#[test]
fn every_corpus_file_named_explicitly_in_human_format() {
    let Some(dir) = corpus() else { return };
    let files = files(&dir);
    // One process for all files (every one is checked, being named); only
    // when that fails, one per file to name the culprit.
    let output = check(&["--format", "human"], &files);
    if matches!(output.status.code(), Some(0 | 1)) {
        assert_checked(&output, "check over every corpus file");
        let stdout = String::from_utf8(output.stdout).expect("UTF-8 output");
        let summary = stdout.lines().last().unwrap_or_default();
        assert!(
            summary.contains(&format!("in {} files", files.len())),
            "{summary}"
        );
        return;
    }
    for file in &files {
        assert_checked(
            &check(&["--format", "human"], std::slice::from_ref(file)),
            &file.display().to_string(),
        );
    }
    panic!("the run over all files failed but no single file did: {output:?}");
}

#[test]
fn fix_on_a_copy_of_the_corpus_converges() {
    let Some(dir) = corpus() else { return };
    let copy = tempfile::tempdir().unwrap();
    for file in files(&dir) {
        std::fs::copy(&file, copy.path().join(file.file_name().unwrap())).unwrap();
    }
    let copies = files(copy.path());
    let first = check(&["--fix", "--format", "json"], &copies);
    assert_checked(&first, "check --fix over the corpus");
    let snapshot: Vec<Vec<u8>> = copies.iter().map(|f| std::fs::read(f).unwrap()).collect();
    let second = check(&["--fix", "--format", "json"], &copies);
    assert_checked(&second, "second check --fix over the corpus");
    for (file, before) in copies.iter().zip(&snapshot) {
        assert_eq!(
            &std::fs::read(file).unwrap(),
            before,
            "{} changed on the second --fix",
            file.display()
        );
    }
    // What remains after fixing is what a second run reports.
    assert_eq!(first.stdout, second.stdout);
}
