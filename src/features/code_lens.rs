//! Code lenses above each workspace URL: the workspace at a glance, and a
//! click to open it in Harness or refresh the data.

use std::ops::Range;

use serde_json::Value;

use crate::analysis::{Analysis, WorkspaceRef};
use crate::harness::live::{FetchError, LiveState, WorkspaceData, WorkspaceKey};

pub const OPEN_WORKSPACE: &str = "iacm.openWorkspace";
pub const REFRESH: &str = "iacm.refresh";

#[derive(Debug, Clone, PartialEq)]
pub struct Lens {
    pub range: Range<usize>,
    pub title: String,
    pub command: &'static str,
    pub arguments: Vec<Value>,
}

pub fn code_lenses(
    analysis: &Analysis,
    state_of: &dyn Fn(&WorkspaceKey) -> LiveState,
) -> Vec<Lens> {
    let mut out = Vec::new();
    for r in &analysis.workspace_refs {
        let state = state_of(&r.key);
        out.push(Lens {
            range: r.range.clone(),
            title: format!("IaCM: {}", summary(&state)),
            command: OPEN_WORKSPACE,
            arguments: vec![Value::String(r.harness_url())],
        });
        if matches!(state, LiveState::Ready { .. } | LiveState::Loading) {
            out.push(refresh(r));
        }
    }
    out
}

fn refresh(r: &WorkspaceRef) -> Lens {
    Lens {
        range: r.range.clone(),
        title: "Refresh".into(),
        command: REFRESH,
        arguments: Vec::new(),
    }
}

fn summary(state: &LiveState) -> String {
    match state {
        LiveState::Ready { data, .. } => ready(data),
        LiveState::Loading => "loading…".into(),
        LiveState::NoKey => "open workspace (set an API key for live data)".into(),
        LiveState::HostNotAllowed => "open workspace (host not in iacm.hosts)".into(),
        LiveState::Disabled => "open workspace".into(),
    }
}

fn ready(data: &WorkspaceData) -> String {
    let errors = [data.workspace.as_ref().err(), data.resources.as_ref().err()];
    match errors.into_iter().flatten().next() {
        Some(FetchError::NotFound(_)) => return "workspace not found".into(),
        Some(FetchError::Unauthorized(_)) => return "API key refused".into(),
        Some(FetchError::Forbidden(_)) => return "no View permission".into(),
        _ => {}
    }
    let mut parts = Vec::new();
    if let Ok(res) = &data.resources {
        let n = res.resource_count();
        parts.push(format!("{n} resource{}", if n == 1 { "" } else { "s" }));
        let o = res.outputs.len();
        parts.push(format!("{o} output{}", if o == 1 { "" } else { "s" }));
    }
    match &data.workspace {
        Ok(ws) => parts.push(ws.status.clone().unwrap_or_else(|| "status unknown".into())),
        Err(_) if parts.is_empty() => parts.push("Harness unreachable".into()),
        Err(_) => {}
    }
    parts.join(" · ")
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::SystemTime;

    use super::*;
    use crate::analysis::analyze_catalog;
    use crate::harness::types::{Output, Resource, Resources, Workspace};
    use crate::settings::Settings;

    fn analysis() -> Analysis {
        let url = "https://app.harness.io/ng/account/abc123/module/iacm/orgs/default/projects/payments/workspaces/prod_ws/resources";
        let text = format!(
            "kind: Component\nmetadata:\n  annotations:\n    harness.io/workspace-url: |\n      prod: {url}\n"
        );
        analyze_catalog(&text, &Settings::default())
    }

    fn ready(
        workspace: Result<Workspace, FetchError>,
        resources: Result<Resources, FetchError>,
    ) -> LiveState {
        LiveState::Ready {
            data: Arc::new(WorkspaceData {
                fetched_at: SystemTime::now(),
                workspace,
                resources,
                activities: Ok(vec![]),
            }),
            refreshing: false,
        }
    }

    fn titles(state: LiveState) -> Vec<(String, &'static str)> {
        code_lenses(&analysis(), &move |_: &WorkspaceKey| state.clone())
            .into_iter()
            .map(|l| (l.title, l.command))
            .collect()
    }

    #[test]
    fn summary_of_a_healthy_workspace() {
        let ws = Workspace {
            status: Some("active".into()),
            ..Workspace::default()
        };
        let res = Resources {
            resources: vec![Resource::default(); 17],
            outputs: vec![Output::default(); 6],
            ..Resources::default()
        };
        assert_eq!(
            titles(ready(Ok(ws), Ok(res))),
            [
                (
                    "IaCM: 17 resources · 6 outputs · active".to_string(),
                    OPEN_WORKSPACE
                ),
                ("Refresh".to_string(), REFRESH)
            ]
        );
        let lens = &code_lenses(&analysis(), &|_: &WorkspaceKey| LiveState::NoKey)[0];
        assert!(
            lens.arguments[0]
                .as_str()
                .unwrap()
                .ends_with("/workspaces/prod_ws/resources")
        );
    }

    #[test]
    fn other_states() {
        assert_eq!(titles(LiveState::Loading)[0].0, "IaCM: loading…");
        assert!(titles(LiveState::NoKey)[0].0.contains("API key"));
        assert_eq!(titles(LiveState::NoKey).len(), 1);
        let nf = ready(
            Err(FetchError::NotFound(String::new())),
            Err(FetchError::NotFound(String::new())),
        );
        assert_eq!(titles(nf)[0].0, "IaCM: workspace not found");
        let down = ready(Err(FetchError::Timeout), Err(FetchError::Timeout));
        assert_eq!(titles(down)[0].0, "IaCM: Harness unreachable");
    }
}
