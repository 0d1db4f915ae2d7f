//! Every `harness.io/*` annotation of `../shared/corpus/real` (except
//! workspace-url, which `corpus_analysis.rs` covers): which uses get
//! `harness-*` codes. Only the genuinely broken ones may: the official
//! examples' placeholders, keys no plugin reads, an IaCM value under
//! project-url. Each expectation below was checked by hand against the
//! plugin that reads the annotation (harness/backstage-plugins b484afc).

use std::collections::BTreeMap;
use std::path::PathBuf;

use iacm_lsp::yaml::{Node, parse_stream};
use iacm_lsp::{Settings, analyze_catalog};

fn corpus() -> Option<Vec<(String, String)>> {
    // `../shared` next to the clone (CI), or two levels up from a worktree.
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = ["../shared/corpus/real", "../../shared/corpus/real"]
        .iter()
        .map(|p| root.join(p))
        .find(|d| d.is_dir())?;
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .ok()?
        .filter_map(|e| {
            let path = e.ok()?.path();
            let text = String::from_utf8_lossy(&std::fs::read(&path).ok()?).into_owned();
            Some((path.file_name()?.to_string_lossy().into_owned(), text))
        })
        .collect();
    files.sort();
    Some(files)
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset].matches('\n').count() + 1
}

/// `"file:line key" -> harness-* codes` for every harness.io annotation use.
fn uses(files: &[(String, String)]) -> BTreeMap<String, Vec<String>> {
    let settings = Settings::default();
    let mut out = BTreeMap::new();
    for (name, text) in files {
        let diagnostics = analyze_catalog(text, &settings).diagnostics;
        for document in parse_stream(text).documents {
            let Some(annotations) = document
                .root
                .as_ref()
                .and_then(|r| r.get("metadata"))
                .and_then(|m| m.get("annotations"))
            else {
                continue;
            };
            for entry in annotations.entries() {
                let Some(key) = entry
                    .key
                    .as_scalar()
                    .filter(|k| k.starts_with("harness.io/") && *k != "harness.io/workspace-url")
                else {
                    continue;
                };
                let span = entry.key.range.start..end_of(&entry.value).max(entry.key.range.end);
                let mut codes: Vec<String> = diagnostics
                    .iter()
                    .filter(|d| d.code.as_str().starts_with("harness-"))
                    .filter(|d| d.range.start >= span.start && d.range.start <= span.end)
                    .map(|d| d.code.as_str().to_string())
                    .collect();
                codes.dedup();
                let at = format!("{name}:{} {key}", line_of(text, entry.key.range.start));
                out.insert(at, codes);
            }
        }
    }
    out
}

fn end_of(node: &Node) -> usize {
    node.range.end
}

#[test]
fn only_the_broken_harness_annotations_of_the_corpus_are_flagged() {
    let Some(files) = corpus() else {
        eprintln!("../shared/corpus/real not found; skipping");
        return;
    };
    let found = uses(&files);
    // Placeholders (`<harness_project_url>`, ...) are the official
    // examples'; SarvJ1's `cicd-*` and `ci-pipelineIdentifier(s)` keys come
    // from a 2022 plugin, are no near miss of a key read today, and stay
    // quiet.
    let expected: &[(&str, &[&str])] = &[
        (
            "SarvJ1__catalog__Loadertest.yaml:10 harness.io/cicd-projectIdentifier",
            &[],
        ),
        (
            "SarvJ1__catalog__Loadertest.yaml:11 harness.io/ci-pipelineIdentifiers",
            &[],
        ),
        (
            "SarvJ1__catalog__Loadertest.yaml:12 harness.io/cd-serviceId",
            &[],
        ),
        (
            "SarvJ1__catalog__Loadertest.yaml:8 harness.io/cicd-accountIdentifier",
            &[],
        ),
        (
            "SarvJ1__catalog__Loadertest.yaml:9 harness.io/cicd-orgIdentifier",
            &[],
        ),
        (
            "SarvJ1__catalog__apitest3.yaml:10 harness.io/ci-pipelineIdentifier",
            &[],
        ),
        (
            "SarvJ1__catalog__apitest3.yaml:11 harness.io/cd-serviceId",
            &[],
        ),
        (
            "SarvJ1__catalog__apitest3.yaml:7 harness.io/cicd-accountIdentifier",
            &[],
        ),
        (
            "SarvJ1__catalog__apitest3.yaml:8 harness.io/cicd-orgIdentifier",
            &[],
        ),
        (
            "SarvJ1__catalog__apitest3.yaml:9 harness.io/cicd-projectIdentifier",
            &[],
        ),
        (
            "SarvJ1__catalog__automationrun1.yaml:10 harness.io/ci-pipelineIdentifier",
            &[],
        ),
        (
            "SarvJ1__catalog__automationrun1.yaml:11 harness.io/cd-serviceId",
            &[],
        ),
        (
            "SarvJ1__catalog__automationrun1.yaml:7 harness.io/cicd-accountIdentifier",
            &[],
        ),
        (
            "SarvJ1__catalog__automationrun1.yaml:8 harness.io/cicd-orgIdentifier",
            &[],
        ),
        (
            "SarvJ1__catalog__automationrun1.yaml:9 harness.io/cicd-projectIdentifier",
            &[],
        ),
        (
            "SarvJ1__catalog__delegate.yaml:10 harness.io/cd-serviceId",
            &[],
        ),
        (
            "SarvJ1__catalog__delegate.yaml:7 harness.io/cicd-accountId",
            &[],
        ),
        (
            "SarvJ1__catalog__delegate.yaml:8 harness.io/cicd-orgId",
            &[],
        ),
        (
            "SarvJ1__catalog__delegate.yaml:9 harness.io/cicd-projectId",
            &[],
        ),
        (
            "SarvJ1__catalog__rerun.yaml:7 harness.io/cicd-accountId",
            &[],
        ),
        ("SarvJ1__catalog__rerun.yaml:8 harness.io/cicd-orgId", &[]),
        (
            "SarvJ1__catalog__rerun.yaml:9 harness.io/cicd-projectId",
            &[],
        ),
        (
            "SarvJ1__catalog__serviceoverload.yaml:10 harness.io/ci-pipelineIds",
            &[],
        ),
        (
            "SarvJ1__catalog__serviceoverload.yaml:11 harness.io/cd-serviceId",
            &[],
        ),
        (
            "SarvJ1__catalog__serviceoverload.yaml:7 harness.io/cicd-accountId",
            &[],
        ),
        (
            "SarvJ1__catalog__serviceoverload.yaml:8 harness.io/cicd-orgId",
            &[],
        ),
        (
            "SarvJ1__catalog__serviceoverload.yaml:9 harness.io/cicd-projectId",
            &[],
        ),
        (
            "SarvJ1__catalog__test2.yaml:7 harness.io/cicd-accountIdentifier",
            &[],
        ),
        (
            "SarvJ1__catalog__trimtest.yaml:10 harness.io/ci-pipelineIds",
            &[],
        ),
        (
            "SarvJ1__catalog__trimtest.yaml:11 harness.io/cd-serviceId",
            &[],
        ),
        (
            "SarvJ1__catalog__trimtest.yaml:7 harness.io/cicd-accountId",
            &[],
        ),
        (
            "SarvJ1__catalog__trimtest.yaml:8 harness.io/cicd-orgId",
            &[],
        ),
        (
            "SarvJ1__catalog__trimtest.yaml:9 harness.io/cicd-projectId",
            &[],
        ),
        (
            "SarvJ1__catalog__wronginfo.yaml:10 harness.io/cicd-projectIdentifier",
            &[],
        ),
        (
            "SarvJ1__catalog__wronginfo.yaml:8 harness.io/cicd-accountIdentifier",
            &[],
        ),
        (
            "SarvJ1__catalog__wronginfo.yaml:9 harness.io/cicd-orgIdentifier",
            &[],
        ),
        (
            "harness-community__idp-samples__catalog-info-cicd.yaml:7 harness.io/pipelines",
            &[],
        ),
        (
            "harness-community__idp-samples__example-catalog-info__harness-ci-cd-plugin-demo.yaml:7 harness.io/project-url",
            &[],
        ),
        // No plugin ever read this key; the repository later moved to harness.io/pipelines.
        (
            "harness-community__idp-samples__example-catalog-info__harness-ci-cd-plugin-demo@9d95374.yaml:7 harness.io/pipeline-url",
            &["harness-annotation-unknown"],
        ),
        (
            "harness-community__idp-samples__example-catalog-info__user-service.yaml:10 harness.io/project-url",
            &[],
        ),
        (
            "harness-community__idp-samples__example-catalog-info__user-service.yaml:18 harness.io/pipelines",
            &[],
        ),
        (
            "harness-community__idp-samples__example-catalog-info__user-service.yaml:20 harness.io/services",
            &[],
        ),
        // The official CCM example: `https://url-details/...` has no /account/.
        (
            "harness__backstage-plugins__examples__catalog-harness-ccm.yaml:7 harness.io/perspective-url",
            &["harness-perspective-url", "harness-url-host"],
        ),
        (
            "harness__backstage-plugins__examples__catalog-harness-chaos.yaml:10 harness.io/application-map-tags",
            &["harness-placeholder"],
        ),
        (
            "harness__backstage-plugins__examples__catalog-harness-chaos.yaml:8 harness.io/project-url",
            &["harness-placeholder"],
        ),
        // Renamed to application-map-tags by the Chaos plugin (d8b5a98, 2024-08).
        (
            "harness__backstage-plugins__examples__catalog-harness-chaos@a1b2008.yaml:10 harness.io/network-map-tags",
            &["harness-annotation-unknown"],
        ),
        (
            "harness__backstage-plugins__examples__catalog-harness-chaos@a1b2008.yaml:8 harness.io/project-url",
            &["harness-placeholder"],
        ),
        (
            "harness__backstage-plugins__examples__catalog-harness-cicd-new.yaml:11 harness.io/services",
            &["harness-placeholder"],
        ),
        (
            "harness__backstage-plugins__examples__catalog-harness-cicd-new.yaml:8 harness.io/pipelines",
            &["harness-placeholder"],
        ),
        (
            "harness__backstage-plugins__examples__catalog-harness-cicd.yaml:10 harness.io/ci-pipelineIds",
            &["harness-placeholder"],
        ),
        (
            "harness__backstage-plugins__examples__catalog-harness-cicd.yaml:11 harness.io/cd-serviceId",
            &["harness-placeholder"],
        ),
        (
            "harness__backstage-plugins__examples__catalog-harness-cicd.yaml:8 harness.io/project-url",
            &["harness-placeholder"],
        ),
        (
            "harness__backstage-plugins__examples__catalog-harness-srm.yaml:7 harness.io/services",
            &["harness-placeholder"],
        ),
        // Two IaCM `label: URL` lines under project-url: no plugin matches across lines.
        (
            "harness__backstage-plugins__plugins__harness-iacm__catalog.yaml:10 harness.io/project-url",
            &["harness-project-url"],
        ),
        // A trailing ` |` lands in the pattern's tail group: the CI/CD plugin reads it.
        (
            "harness__backstage-plugins__plugins__harness-iacm__catalog.yaml:7 harness.io/pipelines",
            &[],
        ),
    ];
    let expected: BTreeMap<String, Vec<String>> = expected
        .iter()
        .map(|(k, v)| (k.to_string(), v.iter().map(|c| c.to_string()).collect()))
        .collect();
    assert_eq!(found, expected);
}
