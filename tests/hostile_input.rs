//! Hostile YAML: alias bombs, deep nesting, huge lines and files, NUL
//! bytes, invalid UTF-8, mixed line endings. Each must give an answer a
//! user can act on, in bounded time and memory (the times printed here are
//! for the report, not asserted), through the library and through `check`.

use std::path::Path;
use std::process::{Command, Output};
use std::time::Instant;

use iacm_lsp::text::LineIndex;
use iacm_lsp::text::PositionEncoding;
use iacm_lsp::{Analysis, Settings, analyze_catalog, fix_all};
use serde_json::Value;

const HEADER: &str =
    "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: payments\n";
const GOOD_URL: &str = "https://app.harness.io/ng/account/abc123/module/iacm/orgs/default/projects/payments/workspaces/prod_ws/resources";

fn timed(what: &str, text: &str) -> Analysis {
    let start = Instant::now();
    let analysis = analyze_catalog(text, &Settings::default());
    println!(
        "{what}: {} bytes analysed in {:?}, {} diagnostics",
        text.len(),
        start.elapsed(),
        analysis.diagnostics.len()
    );
    analysis
}

/// The codes found, without the Backstage entity rules: these fixtures are
/// about the parser and the annotation, not complete entities.
fn codes(analysis: &Analysis) -> Vec<&'static str> {
    analysis
        .diagnostics
        .iter()
        .map(|d| d.code.as_str())
        .filter(|c| !c.starts_with("entity-"))
        .collect()
}

// ---- Aliases ----------------------------------------------------------------

/// Billion laughs: ten levels of nine aliases each, 10^9 strings if expanded.
fn alias_bomb() -> String {
    let mut text = format!(
        "{HEADER}  annotations:\n    harness.io/workspace-url: &url |\n      prod: {GOOD_URL}\n"
    );
    text.push_str("spec:\n  a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"];
    for pair in names.windows(2) {
        let refs = vec![format!("*{}", pair[0]); 9].join(",");
        text.push_str(&format!("  {}: &{} [{refs}]\n", pair[1], pair[1]));
    }
    text.push_str("  all: *j\n  merged: {<<: *j}\n");
    // Anchors are per document: the second has its own, and the
    // annotation is an alias of the entity's name.
    text.push_str("---\nkind: Component\nmetadata:\n  name: &n prod\n  annotations:\n    harness.io/workspace-url: *n\n");
    text
}

#[test]
fn an_alias_bomb_is_not_expanded() {
    let text = alias_bomb();
    let analysis = timed("billion laughs", &text);
    // The first document is clean; the alias annotation in the second is
    // reported as not a string (the plugin reads no alias), not expanded.
    assert_eq!(analysis.workspace_refs.len(), 1);
    assert!(
        codes(&analysis)
            .iter()
            .all(|c| *c == "workspace-url-not-string"),
        "{:?}",
        codes(&analysis)
    );
    let (fixed, _) = fix_all(&text, &Settings::default());
    assert_eq!(fixed, text);
}

// ---- Nesting ------------------------------------------------------------------

#[test]
fn a_hundred_thousand_levels_of_nesting_are_a_syntax_error() {
    let levels = 100_000;
    for (what, text) in [
        (
            "flow sequences",
            format!(
                "{HEADER}spec: {}{}\n",
                "[".repeat(levels),
                "]".repeat(levels)
            ),
        ),
        (
            "flow mappings",
            format!(
                "{HEADER}spec: {}x{}\n",
                "{a: ".repeat(levels),
                "}".repeat(levels)
            ),
        ),
        (
            "block sequences",
            format!("{HEADER}spec:\n  {}x\n", "- ".repeat(levels)),
        ),
        (
            "unclosed",
            format!("{HEADER}spec: {}\n", "[{".repeat(levels)),
        ),
    ] {
        let analysis = timed(what, &text);
        let syntax: Vec<_> = analysis
            .diagnostics
            .iter()
            .filter(|d| d.code.as_str() == "yaml-syntax")
            .collect();
        assert_eq!(syntax.len(), 1, "{what}: {:?}", codes(&analysis));
        assert!(
            syntax[0].message.contains("recursion limit"),
            "{what}: {}",
            syntax[0].message
        );
        // The tree built up to the limit is dropped without recursion trouble.
        let stream = iacm_lsp::yaml::parse_stream(&text);
        drop(stream);
    }
}

// ---- Long lines and large files -------------------------------------------------

#[test]
fn one_megabyte_lines() {
    let mb = 1024 * 1024;
    let long_value = format!("{HEADER}  description: {}\n", "a".repeat(mb));
    let analysis = timed("1 MB plain scalar", &long_value);
    assert!(codes(&analysis).is_empty(), "{:?}", codes(&analysis));

    // A 1 MB URL on the annotation line: one diagnostic, not one per byte.
    let long_url = format!(
        "{HEADER}  annotations:\n    harness.io/workspace-url: |\n      prod: https://app.harness.io/ng/account/abc123/module/iacm/orgs/default/projects/payments/workspaces/{}/resources\n",
        "w".repeat(mb)
    );
    let analysis = timed("1 MB workspace URL", &long_url);
    assert_eq!(codes(&analysis), ["workspace-url-identifier"]);

    // A 1 MB flow mapping on one line, with a mistake at its far end.
    let entries: Vec<String> = (0..mb / 16).map(|i| format!("k{i:07}: v")).collect();
    let flow = format!(
        "{HEADER}spec: {{{}}}\n  annotations:\n    harness.io/workspace-url: http://app.harness.io/ng\n",
        entries.join(", ")
    );
    let analysis = timed("1 MB flow mapping", &flow);
    assert!(!analysis.diagnostics.is_empty());
    let index = LineIndex::new(&flow);
    for d in &analysis.diagnostics {
        let (line, character) = index.position(d.range.start, PositionEncoding::Utf16);
        assert_eq!(
            index.offset(line, character, PositionEncoding::Utf16),
            d.range.start
        );
    }
}

#[test]
fn a_file_over_the_size_limit_gets_one_diagnostic_instead_of_analysis() {
    let settings = Settings {
        max_file_size_bytes: 1024,
        ..Settings::default()
    };
    // Full of mistakes, none of which is looked at.
    let line = "    harness.io/workspace-url: http://app.harness.io/x\n";
    let text = format!("{HEADER}  annotations:\n{}", line.repeat(100));
    let start = Instant::now();
    let analysis = analyze_catalog(&text, &settings);
    println!("over the limit: answered in {:?}", start.elapsed());
    assert_eq!(codes(&analysis), ["file-too-large"]);
    let d = &analysis.diagnostics[0];
    assert_eq!(&text[d.range.clone()], "apiVersion: backstage.io/v1alpha1");
    assert!(d.message.contains("iacm.maxFileSizeBytes"), "{}", d.message);
    assert!(analysis.workspace_refs.is_empty());
    assert_eq!(fix_all(&text, &settings), (text.clone(), 0));
    // Within the limit, the same file is analysed as usual.
    let normal = analyze_catalog(&text, &Settings::default());
    assert!(normal.diagnostics.len() > 1);
    // The code can be switched off like any other: then nothing at all.
    let mut off = settings.clone();
    off.apply_json(&serde_json::json!({"diagnostics": {"file-too-large": "off"}}));
    assert!(analyze_catalog(&text, &off).diagnostics.is_empty());
}

// ---- NUL bytes and line endings -------------------------------------------------

#[test]
fn nul_bytes_are_a_syntax_error_at_the_byte() {
    let text = format!(
        "{HEADER}  description: a\0b\n  annotations:\n    harness.io/workspace-url: |\n      prod: http://app.harness.io/ng/account/abc123/module/iacm/orgs/default/projects/payments/workspaces/prod_ws/resources\n"
    );
    let analysis = timed("NUL byte", &text);
    let syntax = analysis
        .diagnostics
        .iter()
        .find(|d| d.code.as_str() == "yaml-syntax")
        .expect("a syntax error");
    assert_eq!(syntax.range.start, text.find('\0').unwrap(), "{syntax:?}");
}

/// A file whose lines end in `\r\n` and `\n` by turns, full of fixable
/// mistakes, some of which add lines.
fn mixed_endings() -> String {
    let url = |s: &str| {
        format!(
            "http://app.harness.io/ng/account/abc123/module/iacm/orgs/default/projects/payments/workspaces/{s}"
        )
    };
    let lines = [
        "apiVersion: backstage.io/v1alpha1".to_string(),
        "kind: Component".to_string(),
        "metadata:".to_string(),
        "  name: payments".to_string(),
        "  annotations:".to_string(),
        format!("    harness.io/workspace-url: {}", url("prod_ws/resources")),
        "---".to_string(),
        "kind: Component".to_string(),
        "metadata:".to_string(),
        "  annotations:".to_string(),
        "    harness.io/workspace-url: |".to_string(),
        format!("      dev: {}", url("dev_ws")),
        format!("      ops: {}?tab=x", url("ops_ws/resources")),
        "  labels:".to_string(),
        "    tier: one".to_string(),
    ];
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| format!("{l}{}", if i % 2 == 0 { "\r\n" } else { "\n" }))
        .collect()
}

#[test]
fn mixed_line_endings_keep_positions_and_each_lines_ending() {
    let text = mixed_endings();
    let settings = Settings::default();
    let analysis = timed("mixed CRLF/LF", &text);
    let index = LineIndex::new(&text);
    // Each diagnostic's LSP line is the line its bytes are on, and the
    // column counts from that line's start.
    for d in &analysis.diagnostics {
        let (line, character) = index.position(d.range.start, PositionEncoding::Utf16);
        let line_start = text[..d.range.start].rfind('\n').map_or(0, |i| i + 1);
        assert_eq!(line as usize, text[..d.range.start].matches('\n').count());
        assert_eq!(character as usize, d.range.start - line_start, "{d:?}");
        assert!(!text[d.range.clone()].contains('\r'), "{d:?}");
    }
    let (fixed, applied) = fix_all(&text, &settings);
    assert!(applied >= 4, "{applied} fixes");
    // No line of the result mixes its own ending: every `\r` ends a line,
    // and each original line keeps the ending it had.
    assert!(!fixed.contains("\r\r") && !fixed.replace("\r\n", "").contains('\r'));
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let key = line.trim_end().split(':').next().unwrap().trim();
        if key.is_empty() || key.starts_with("http") {
            continue;
        }
        let ending = if line.ends_with("\r\n") { "\r\n" } else { "\n" };
        let kept = fixed
            .split_inclusive('\n')
            .find(|l| l.trim_end().split(':').next().unwrap().trim() == key && l.ends_with(ending));
        assert!(
            kept.is_some(),
            "line {i} ({key:?}) lost its {ending:?}:\n{fixed:?}"
        );
    }
    // Fixed, it is clean (but for what needs a person) and stays fixed.
    let after = analyze_catalog(&fixed, &settings);
    assert!(
        after.diagnostics.iter().all(|d| d.fixes.is_empty()),
        "{:?}",
        codes(&after)
    );
    assert_eq!(fix_all(&fixed, &settings).0, fixed);
}

// ---- `check` on hostile files ------------------------------------------------

fn check(args: &[&str], dir: &Path) -> Output {
    let start = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_iacm-lsp"))
        .arg("check")
        .args(args)
        .current_dir(dir)
        .env_remove("HARNESS_API_KEY")
        .env_remove("HARNESS_PLATFORM_API_KEY")
        .env("NO_COLOR", "1")
        .output()
        .expect("run iacm-lsp check");
    println!("check {args:?}: {:?}", start.elapsed());
    assert!(
        !String::from_utf8_lossy(&output.stderr).contains("panicked"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).expect("JSON on stdout")
}

#[test]
fn check_reads_only_the_start_of_a_100_mb_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("catalog-info.yaml");
    let mut text = format!("{HEADER}  description: ");
    text.push_str(&"x".repeat(100 * 1024 * 1024));
    text.push('\n');
    std::fs::write(&path, &text).unwrap();
    drop(text);
    let output = check(&["--format", "json", "."], dir.path());
    assert_eq!(output.status.code(), Some(0), "a warning only");
    let report = json(&output);
    let diagnostics = report["diagnostics"].as_array().unwrap();
    assert_eq!(diagnostics.len(), 1, "{report}");
    assert_eq!(diagnostics[0]["code"], "file-too-large");
    assert_eq!(diagnostics[0]["range"]["start"]["line"], 1);
    assert!(
        diagnostics[0]["message"]
            .as_str()
            .unwrap()
            .contains("100.0 MiB")
    );
    // A lower limit from the command line; a walked YAML file that is not a
    // catalog file is skipped without being read.
    std::fs::write(dir.path().join("other.yaml"), "x: ".repeat(1000)).unwrap();
    let output = check(
        &["--max-file-size", "100", "--format", "json", "."],
        dir.path(),
    );
    assert_eq!(json(&output)["diagnostics"].as_array().unwrap().len(), 1);
    let human = check(&["--max-file-size", "100", "."], dir.path());
    let shown = String::from_utf8_lossy(&human.stdout);
    assert!(shown.contains("warning[file-too-large]"), "{shown}");
    assert!(shown.contains("catalog-info.yaml:1:1"), "{shown}");
}

#[test]
fn check_goes_on_past_unreadable_and_binary_files() {
    let dir = tempfile::tempdir().unwrap();
    let bad_utf8 = [HEADER.as_bytes(), b"  description: caf\xe9\n"].concat();
    std::fs::write(dir.path().join("latin1.catalog-info.yaml"), bad_utf8).unwrap();
    let nul = format!("{HEADER}  title: a\0b\n");
    std::fs::write(dir.path().join("nul.catalog-info.yaml"), nul).unwrap();
    let mixed = mixed_endings();
    std::fs::write(dir.path().join("catalog-info.yaml"), &mixed).unwrap();
    std::fs::write(dir.path().join("bomb.catalog-info.yaml"), alias_bomb()).unwrap();

    let output = check(&["--format", "json", "."], dir.path());
    // An unreadable file is an I/O error (2), said on stderr by name; the
    // other files are still checked and reported.
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("latin1.catalog-info.yaml") && stderr.contains("not UTF-8"),
        "{stderr}"
    );
    let report = json(&output);
    assert_eq!(report["files"], 3, "{report}");
    let in_file = |name: &str| -> Vec<String> {
        report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| Path::new(d["path"].as_str().unwrap()).file_name().unwrap() == name)
            .map(|d| d["code"].as_str().unwrap().to_string())
            .filter(|c| !c.starts_with("entity-"))
            .collect()
    };
    assert_eq!(in_file("nul.catalog-info.yaml"), ["yaml-syntax"]);
    assert!(in_file("catalog-info.yaml").contains(&"workspace-url-insecure".to_string()));
    assert_eq!(
        in_file("bomb.catalog-info.yaml"),
        ["workspace-url-not-string"]
    );

    // --fix on the mixed file keeps every line's own ending.
    let before = std::fs::read(dir.path().join("catalog-info.yaml")).unwrap();
    check(&["--fix", "catalog-info.yaml"], dir.path());
    let after = std::fs::read_to_string(dir.path().join("catalog-info.yaml")).unwrap();
    assert_ne!(after.as_bytes(), before.as_slice());
    assert_eq!(after, fix_all(&mixed, &Settings::default()).0);
}

#[test]
fn a_line_added_by_a_fix_takes_the_ending_of_its_line() {
    let url = "https://app.harness.io/ng/account/abc123/module/iacm/orgs/default/projects/payments/workspaces/prod_ws/resources";
    for (annotation_ending, others) in [("\r\n", "\n"), ("\n", "\r\n")] {
        let text = format!(
            "apiVersion: backstage.io/v1alpha1{others}kind: Component{others}metadata:{others}  \
             annotations:{others}    harness.io/workspace-url: {url}{annotation_ending}  name: x{others}"
        );
        let (fixed, applied) = fix_all(&text, &Settings::default());
        assert_eq!(applied, 1, "the unlabeled fix: {fixed:?}");
        let count = |t: &str, e: &str| match e {
            "\r\n" => t.matches("\r\n").count(),
            _ => t.matches('\n').count() - t.matches("\r\n").count(),
        };
        assert_eq!(
            count(&fixed, annotation_ending),
            count(&text, annotation_ending) + 1,
            "{fixed:?}"
        );
        assert_eq!(count(&fixed, others), count(&text, others), "{fixed:?}");
    }
}

#[test]
fn thousands_of_findings_stay_linear() {
    // Each finding's fix once scanned the whole text for its line ending.
    for n in [2_000, 4_000, 8_000] {
        let text = format!(
            "{HEADER}  labels:\n{}  annotations:\n{}",
            "    harness.io/workspace-url: x\n".repeat(n),
            "    harness.io/workspace-url: http://app.harness.io/x\n".repeat(n)
        );
        let analysis = timed(&format!("{n} misplaced and {n} unlabeled"), &text);
        assert!(analysis.diagnostics.len() >= 2 * n);
    }
}
