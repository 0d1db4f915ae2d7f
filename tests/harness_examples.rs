//! The Harness plugin annotations end to end: the real binary on the
//! examples (every `harness-*` code in the mistakes file, none in the good
//! ones, `--fix` leaves only what cannot be fixed), and messy input that
//! must never panic or offer a fix that does not apply.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use iacm_lsp::text::apply_edits;
use iacm_lsp::{Code, Settings, analyze_catalog, fix_all};
use proptest::prelude::*;
use serde_json::Value;

const MISTAKES: &str = "examples/mistakes/harness-annotations.catalog-info.yaml";
const GOOD: &str = "examples/good/harness-plugins.catalog-info.yaml";

/// `iacm-lsp check --format json PATH`: exit code and the codes reported.
fn check(path: &Path, fix: bool) -> (Option<i32>, BTreeSet<String>) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_iacm-lsp"));
    command.arg("check").args(["--format", "json"]);
    if fix {
        command.arg("--fix");
    }
    let output = command
        .arg(path)
        .env("NO_COLOR", "1")
        .output()
        .expect("run iacm-lsp");
    let report: Value = serde_json::from_slice(&output.stdout).expect("JSON report");
    let codes = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| d["code"].as_str().expect("code").to_string())
        .collect();
    (output.status.code(), codes)
}

fn harness_codes() -> BTreeSet<String> {
    Code::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| c.starts_with("harness-"))
        .map(str::to_string)
        .collect()
}

#[test]
fn the_mistakes_example_triggers_every_harness_code_and_the_good_one_none() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (status, codes) = check(&root.join(MISTAKES), false);
    assert_eq!(status, Some(1));
    assert_eq!(codes, harness_codes());
    let (status, codes) = check(&root.join(GOOD), false);
    assert_eq!((status, codes), (Some(0), BTreeSet::new()));
}

#[test]
fn fix_leaves_only_what_needs_a_human() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("catalog-info.yaml");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(root.join(MISTAKES), &path).expect("copy the example");
    check(&path, true);
    let (_, codes) = check(&path, false);
    let left: BTreeSet<String> = [
        // A second `Build:` label, a non-Harness host, `<serviceId>`, ids
        // with `-` or an empty one, a missing application map: only the
        // user knows what to write.
        "harness-duplicate-label",
        "harness-url-host",
        "harness-placeholder",
        "harness-id-list",
        "harness-tag-map",
    ]
    .into_iter()
    .map(str::to_string)
    .collect();
    assert_eq!(codes, left);
}

const MESSY: &str = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ü\n  annotations:\n    harness.io/pipelines: |\n      https://app.harness.io/ng/account/a/module/ci/orgs/o/projects/p/pipelines/x?y=%zz\n      Bäu: http://h/ng/#/account/a/all/orgs/o/projects/p/pipelines/x\n      : \n      # c\n    harness.io/services: \"s: https://app.harness.io/ng/account/a/module/cd/orgs/o/projects/p/services/s/x?t=1 |\"\n    harness.io/project-url: >\n      https://app.harness.io/ng/account/a/module/cf/orgs/o/projects/p\n    harness.io/project-url-qa: |\n      a: b\n      c: d\n    harness.io/perspective-url: app.harness.io/ng/account/a/ce/perspectives/p\n    harness.io/cd-serviceId: ',x-y'\n    harness.io/projects: a,,b,\n    harness.io/service-tags: >\n      a: b\n      c\n    harness.io/Application-Map-Tags: {a: b}\n    harness.io/network_map_tags: x\n";

fn never_panics(text: &str) {
    let settings = Settings::default();
    for d in &analyze_catalog(text, &settings).diagnostics {
        assert!(d.range.start <= d.range.end && d.range.end <= text.len());
        assert!(text.is_char_boundary(d.range.start) && text.is_char_boundary(d.range.end));
        for fix in &d.fixes {
            assert_eq!(
                apply_edits(text, &fix.edits).1,
                0,
                "fix {:?} does not apply",
                fix.title
            );
        }
    }
    let _ = fix_all(text, &settings);
}

#[test]
fn every_prefix_of_a_messy_harness_file() {
    let codes: BTreeSet<&str> = analyze_catalog(MESSY, &Settings::default())
        .diagnostics
        .iter()
        .map(|d| d.code.as_str())
        .collect();
    assert!(codes.len() >= 8, "{codes:?}");
    for (i, _) in MESSY.char_indices() {
        never_panics(&MESSY[..i]);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn messy_harness_file_with_a_random_splice(at in 0usize..MESSY.len(), junk in "\\PC{0,8}") {
        let mut at = at;
        while !MESSY.is_char_boundary(at) { at -= 1; }
        never_panics(&format!("{}{}{}", &MESSY[..at], junk, &MESSY[at..]));
    }

    #[test]
    fn random_urls_under_every_harness_key(
        key in prop::sample::select(vec![
            "harness.io/pipelines", "harness.io/services", "harness.io/project-url",
            "harness.io/perspective-url", "harness.io/ci-pipelineIds", "harness.io/application-map-tags",
        ]),
        url in "[a-z:/#?%. |<>{}$A-Z0-9-]{0,120}",
    ) {
        never_panics(&format!(
            "kind: Component\nmetadata:\n  name: x\n  annotations:\n    harness.io/service-tags: 'a: b'\n    {key}: |\n      l: {url}\n      {url}\n"
        ));
    }
}
