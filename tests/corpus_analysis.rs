//! The real catalog files of `../shared/corpus/real` through the analysis:
//! no panic, no false alarm on real Harness annotations, fixes that keep
//! the YAML readable.

use std::collections::BTreeMap;
use std::path::PathBuf;

use iacm_lsp::yaml::parse_stream;
use iacm_lsp::{Settings, analyze_catalog, fix_all};

fn corpus() -> Option<Vec<(String, String)>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/real");
    let entries = std::fs::read_dir(&dir).ok()?;
    let mut files: Vec<(String, String)> = entries
        .filter_map(|e| {
            let path = e.ok()?.path();
            let text = String::from_utf8_lossy(&std::fs::read(&path).ok()?).into_owned();
            Some((path.file_name()?.to_string_lossy().into_owned(), text))
        })
        .collect();
    files.sort();
    Some(files)
}

/// Codes about the workspace-url annotation, per file.
fn workspace_codes(files: &[(String, String)]) -> BTreeMap<String, Vec<String>> {
    let settings = Settings::default();
    let mut out = BTreeMap::new();
    for (name, text) in files {
        let codes: Vec<String> = analyze_catalog(text, &settings)
            .diagnostics
            .iter()
            .map(|d| d.code.as_str().to_string())
            .filter(|c| c.starts_with("workspace-url") || c.starts_with("annotation-"))
            .collect();
        if !codes.is_empty() {
            out.insert(name.clone(), codes);
        }
    }
    out
}

#[test]
fn only_the_broken_official_example_gets_workspace_url_codes() {
    let Some(files) = corpus() else {
        eprintln!("../shared/corpus/real not found; skipping");
        return;
    };
    assert!(
        files.len() >= 100,
        "corpus looks incomplete: {} files",
        files.len()
    );
    let found = workspace_codes(&files);
    // harness/backstage-plugins' own example uses `https://url-details/...`
    // placeholders with a trailing ` |`: the plugin cannot load either URL.
    let expected: BTreeMap<String, Vec<String>> = [(
        "harness__backstage-plugins__examples__catalog-harness-iacm.yaml".to_string(),
        [
            "workspace-url-host",
            "workspace-url-path",
            "workspace-url-trailing",
            "workspace-url-host",
            "workspace-url-path",
        ]
        .map(String::from)
        .to_vec(),
    )]
    .into();
    assert_eq!(found, expected);
}

#[test]
fn fixing_any_corpus_file_keeps_it_readable_and_is_idempotent() {
    let Some(files) = corpus() else { return };
    let settings = Settings::default();
    for (name, text) in &files {
        let errors_before = parse_stream(text)
            .documents
            .iter()
            .filter(|d| d.error.is_some())
            .count();
        let (fixed, _) = fix_all(text, &settings);
        let errors_after = parse_stream(&fixed)
            .documents
            .iter()
            .filter(|d| d.error.is_some())
            .count();
        assert!(
            errors_after <= errors_before,
            "{name}: a fix broke the YAML"
        );
        assert_eq!(
            fix_all(&fixed, &settings).0,
            fixed,
            "{name}: second fix changed the text"
        );
    }
}

#[test]
fn broken_templates_get_a_syntax_error_at_the_template_tag() {
    let Some(files) = corpus() else { return };
    let (_, text) = files
        .iter()
        .find(|(n, _)| n.contains("springboot-grpc-template__skeleton"))
        .expect("corpus file");
    let analysis = analyze_catalog(text, &Settings::default());
    let syntax: Vec<_> = analysis
        .diagnostics
        .iter()
        .filter(|d| d.code.as_str() == "yaml-syntax")
        .collect();
    assert_eq!(syntax.len(), 1);
    // Underlined from the parser's stop to the end of the template tag's line.
    let underlined = &text[syntax[0].range.clone()];
    assert!(
        underlined.starts_with("%- if values.description"),
        "{underlined:?}"
    );
}
