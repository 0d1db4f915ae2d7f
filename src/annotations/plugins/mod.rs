//! The other `harness.io/*` annotations, each read the way its Backstage
//! plugin (harness/backstage-plugins) reads it (`harness-*` codes). One
//! document at a time. See `../shared/harness-api.md` section 3.

mod id_list;
mod label_lines;
mod path_pattern;
mod perspective_url;
mod pipelines;
mod project_url;
mod readers;
mod tag_map;
mod unknown_key;
mod url_reading;
mod value;

#[cfg(test)]
mod tests;

use crate::annotations::workspace_url::{Context, Output, WORKSPACE_URL_KEY};
use crate::yaml::{Node, NodeKind};
use id_list::List;

pub const PIPELINES: &str = "harness.io/pipelines";
pub const SERVICES: &str = "harness.io/services";
pub const PROJECT_URL: &str = "harness.io/project-url";
pub const PERSPECTIVE_URL: &str = "harness.io/perspective-url";
pub const SERVICE_TAGS: &str = "harness.io/service-tags";
pub const APPLICATION_MAP_TAGS: &str = "harness.io/application-map-tags";
const CI_PIPELINE_IDS: &str = "harness.io/ci-pipelineIds";
const CD_SERVICE_ID: &str = "harness.io/cd-serviceId";
const PROJECTS: &str = "harness.io/projects";
/// The environments of the CI/CD plugin's old annotations (`-qa`, ...).
const ENVS: &[&str] = &["qa", "stage", "stress"];

/// Every `harness.io/` key a plugin reads.
pub const KNOWN_KEYS: &[&str] = &[
    WORKSPACE_URL_KEY,
    PIPELINES,
    SERVICES,
    PROJECT_URL,
    "harness.io/project-url-qa",
    "harness.io/project-url-stage",
    "harness.io/project-url-stress",
    CI_PIPELINE_IDS,
    "harness.io/ci-pipelineIds-qa",
    "harness.io/ci-pipelineIds-stage",
    "harness.io/ci-pipelineIds-stress",
    CD_SERVICE_ID,
    "harness.io/cd-serviceId-qa",
    "harness.io/cd-serviceId-stage",
    "harness.io/cd-serviceId-stress",
    PROJECTS,
    "harness.io/projects-qa",
    "harness.io/projects-stage",
    "harness.io/projects-stress",
    PERSPECTIVE_URL,
    SERVICE_TAGS,
    APPLICATION_MAP_TAGS,
];

/// An entity's `metadata.annotations`, as the plugins test them.
pub struct Annotations<'a> {
    node: &'a Node,
    /// A block mapping, where a value can be rewritten as a `|` block.
    pub block: bool,
}

impl Annotations<'_> {
    /// `Boolean(annotations[key])`: present and a non-empty string.
    pub fn has(&self, key: &str) -> bool {
        self.node
            .get(key)
            .and_then(Node::as_scalar)
            .is_some_and(|v| !v.is_empty())
    }

    /// How many keys read as `key` when case and `_`/`-` are ignored: a
    /// rename to `key` must not make a duplicate.
    pub fn keys_like(&self, key: &str) -> usize {
        let want = key.to_ascii_lowercase();
        self.node
            .entries()
            .iter()
            .filter_map(|e| e.key.as_scalar())
            .filter(|k| k.to_ascii_lowercase().replace('_', "-") == want)
            .count()
    }
}

/// Checks the Harness annotations of one document's root node.
pub fn check(cx: &Context<'_>, root: &Node, out: &mut Output) {
    let Some(node) = root.get("metadata").and_then(|m| m.get("annotations")) else {
        return;
    };
    if !matches!(node.kind, NodeKind::Mapping { .. }) {
        return;
    }
    let annotations = Annotations {
        node,
        block: node.is_block_mapping(),
    };
    for entry in node.entries() {
        let Some(key) = entry.key.as_scalar() else {
            continue;
        };
        let env = |base: &str| {
            key.strip_prefix(base)
                .and_then(|rest| rest.strip_prefix('-'))
                .filter(|e| ENVS.contains(e))
        };
        match key {
            PIPELINES | SERVICES => pipelines::check(cx, entry, &annotations, out),
            PROJECT_URL => project_url::check(cx, entry, None, &annotations, out),
            PERSPECTIVE_URL => perspective_url::check(cx, entry, out),
            SERVICE_TAGS | APPLICATION_MAP_TAGS => tag_map::check(cx, entry, &annotations, out),
            CI_PIPELINE_IDS => id_list::check(cx, entry, List::Pipelines, out),
            CD_SERVICE_ID => id_list::check(cx, entry, List::Service, out),
            PROJECTS => id_list::check(cx, entry, List::Projects, out),
            WORKSPACE_URL_KEY => {}
            _ => {
                if let Some(e) = env(PROJECT_URL) {
                    project_url::check(cx, entry, Some(e), &annotations, out);
                } else if env(CI_PIPELINE_IDS).is_some() {
                    id_list::check(cx, entry, List::Pipelines, out);
                } else if env(CD_SERVICE_ID).is_some() {
                    id_list::check(cx, entry, List::Service, out);
                } else if env(PROJECTS).is_some() {
                    id_list::check(cx, entry, List::Projects, out);
                } else if let Some(d) = unknown_key::check(cx, entry, key, &annotations) {
                    out.diagnostics.push(d);
                }
            }
        }
    }
}
