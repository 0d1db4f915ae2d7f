//! `annotation-key-typo`: near misses of `harness.io/workspace-url`, which
//! the plugin never reads, so the IACM tab silently disappears.

use crate::annotations::workspace_url::WORKSPACE_URL_KEY;

/// Real Harness annotation keys that must never be taken for typos.
const REAL_KEYS: &[&str] = &[
    "harness.io/pipelines",
    "harness.io/services",
    "harness.io/project-url",
    "harness.io/project-url-qa",
    "harness.io/project-url-stage",
    "harness.io/project-url-stress",
    "harness.io/ci-pipelineids",
    "harness.io/cd-serviceid",
    "harness.io/perspective-url",
    "harness.io/pipeline-url",
    "harness.io/service-tags",
    "harness.io/application-map-tags",
    "harness.io/projects",
];

/// Whether `key` is a misspelling of `harness.io/workspace-url`.
pub fn is_typo(key: &str) -> bool {
    if key == WORKSPACE_URL_KEY {
        return false;
    }
    let lower = key.trim().to_ascii_lowercase();
    if REAL_KEYS.contains(&lower.as_str()) {
        return false;
    }
    let normalized = lower.replace('_', "-");
    if normalized == WORKSPACE_URL_KEY {
        return true;
    }
    // `harness/workspace-url`, `harness.com/workspace-url`, `harness.io.workspace-url`...
    if let Some((prefix, name)) = normalized.rsplit_once(['/', '.'])
        && prefix.contains("harness")
        && matches!(name, "workspace-url" | "workspaceurl" | "workspace-urls")
    {
        return true;
    }
    // Two edits can spoil at most two of these three words, so a near miss
    // keeps one: a cheap filter before the edit distance, which would
    // otherwise cost a tenth of the analysis of a large catalog.
    let near = normalized.len().abs_diff(WORKSPACE_URL_KEY.len()) <= 2
        && ["harness", "workspace", "-url"]
            .iter()
            .any(|w| normalized.contains(w));
    near && strsim::levenshtein(&normalized, WORKSPACE_URL_KEY) <= 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_misses_are_typos() {
        for key in [
            "harness.io/workspace_url",
            "Harness.io/Workspace-URL",
            "harness/workspace-url",
            "harness.io/workspace-ur",
            "harness.io/workspaces-url",
            "harness.io/workpace-url",
            "harness.io/workspaceUrl",
            "harness.com/workspace-url",
            "harnes.io/workspce_url",
        ] {
            assert!(is_typo(key), "{key}");
        }
    }

    #[test]
    fn real_keys_are_not() {
        for key in [
            "harness.io/workspace-url",
            "harness.io/pipelines",
            "harness.io/services",
            "harness.io/project-url",
            "harness.io/project-url-qa",
            "harness.io/ci-pipelineIds",
            "harness.io/cd-serviceId",
            "harness.io/perspective-url",
            "backstage.io/techdocs-ref",
            "github.com/project-slug",
        ] {
            assert!(!is_typo(key), "{key}");
        }
    }
}
