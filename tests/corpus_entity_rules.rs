//! The Backstage entity rules over the real-world corpus
//! (`../shared/corpus/real`): exactly the files holding an entity Backstage
//! rejects get an error-level `entity-*` diagnostic, and no other file does.
//! (`tests/backstage-diff` checks the same against Backstage's own code.)

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

#[path = "support/corpus.rs"]
mod corpus;
use corpus::corpus;

/// Each file with an entity Backstage rejects, the codes it gets, and why
/// (see the corpus NOTES.md).
const REJECTED: &[(&str, &[&str])] = &[
    // `dependsOn` at the top level: an indentation slip.
    (
        "1-Platform__one-platform__catalog__resources__CouchDB.yaml",
        &["entity-unknown-root-field"],
    ),
    // Only apiVersion and kind.
    (
        "3horizons__golden-paths__h2-enhancement__event-driven-microservice__skeleton__catalog__catalog-info.yaml",
        &["entity-missing-field"],
    ),
    // A Location with no spec.
    (
        "Geotab__mygeotab-api-adapter__catalog-info.yml",
        &["entity-missing-field"],
    ),
    // A GitLab CI/CD catalog file, not an entity.
    (
        "LLNL__radiuss-shared-ci__catalog-info.yml",
        &["entity-missing-field"],
    ),
    // `name: Custom MS SQL Docker`.
    (
        "OctopusDeploy__mssql-docker__.backstage__catalog-info.yaml",
        &["entity-name"],
    ),
    // `score: 3`, not an entity.
    (
        "RoadieHQ__sample-service__.roadie__manually-curated.yaml",
        &["entity-missing-field", "entity-unknown-root-field"],
    ),
    // Upstream's own negative example.
    (
        "backstage__backstage__packages__catalog-model__examples__components__invalid-component.yaml",
        &["entity-name", "entity-tag"],
    ),
    // An mcp-server API: no `definition` under the classic API schema.
    (
        "backstage__demo__examples__mcp-server-api.yaml",
        &["entity-missing-field"],
    ),
    // A 2021 `backstage.io/v1beta2` Template, no longer read.
    (
        "backstage__software-templates__react-ssr-template__template.yaml",
        &["entity-api-version"],
    ),
    // Cookiecutter `{{ ... }}` reads as a mapping in YAML.
    (
        "backstage__software-templates__scaffolder-templates__docs-template-cookiecutter__skeleton__catalog-info.yaml",
        &[
            "entity-annotation-value",
            "entity-field-type",
            "entity-name",
        ],
    ),
    (
        "harness-community__idp-samples__idp-pipelines__nextjs__skeleton__{{ cookiecutter.project_name }}__catalog-info.yaml",
        &["entity-missing-field", "entity-name"],
    ),
    // `openedx.org/release: null` and `links:` left empty (null).
    (
        "openedx__edx-lint__catalog-info.yaml",
        &["entity-annotation-value", "entity-field-type"],
    ),
];

#[test]
fn only_entities_backstage_rejects_get_entity_errors() {
    let Some(dir) = corpus() else { return };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .collect();
    files.sort();
    let output = Command::new(env!("CARGO_BIN_EXE_iacm-lsp"))
        .args(["check", "--format", "json"])
        .args(&files)
        .output()
        .expect("run iacm-lsp");
    let report: Value = serde_json::from_slice(&output.stdout).expect("stdout is JSON");
    let mut found: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for d in report["diagnostics"].as_array().unwrap() {
        let code = d["code"].as_str().unwrap();
        if code.starts_with("entity-") && d["severity"] == "error" {
            let name = Path::new(d["path"].as_str().unwrap()).file_name().unwrap();
            let codes = found
                .entry(name.to_string_lossy().into_owned())
                .or_default();
            if !codes.iter().any(|c| c == code) {
                codes.push(code.to_string());
                codes.sort();
            }
        }
    }
    let expected: BTreeMap<String, Vec<String>> = REJECTED
        .iter()
        .map(|(f, codes)| (f.to_string(), codes.iter().map(|c| c.to_string()).collect()))
        .collect();
    assert_eq!(found, expected);
}
