//! Diagnostics from live Harness data: the workspace does not exist, the
//! key cannot read it, it is empty, failed or drifted, or the key belongs
//! to another account. A network failure is not a diagnostic (the hover
//! and the log show it): the file is not wrong because Wi-Fi is down.

use crate::analysis::{Analysis, WorkspaceRef};
use crate::diagnostic::{Code, Diagnostic};
use crate::harness::live::{FetchError, LiveState, WorkspaceData, WorkspaceKey};
use crate::settings::Settings;

pub fn live_diagnostics(
    analysis: &Analysis,
    state_of: &dyn Fn(&WorkspaceKey) -> LiveState,
    key_account: Option<&str>,
    settings: &Settings,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for r in &analysis.workspace_refs {
        if let Some(account) = key_account.filter(|a| *a != &*r.key.account) {
            out.push(Diagnostic::new(
                Code::ApiKeyAccountMismatch,
                r.range.clone(),
                format!(
                    "The API key belongs to account `{account}`, but this URL names account `{}`: Harness will refuse \
                     the key here. Use a key created in account `{}`.",
                    r.key.account, r.key.account
                ),
            ));
        }
        if let LiveState::Ready { data, .. } = state_of(&r.key) {
            out.extend(from_data(r, &data));
        }
    }
    out.into_iter()
        .filter_map(|mut d| {
            d.severity = settings.severity(d.code)?;
            Some(d)
        })
        .collect()
}

fn from_data(r: &WorkspaceRef, data: &WorkspaceData) -> Option<Diagnostic> {
    let errors = [data.workspace.as_ref().err(), data.resources.as_ref().err()];
    if let Some(error) = errors.into_iter().flatten().find(|e| e.is_definitive()) {
        let message = error_message(r, error)?;
        let code = match error {
            FetchError::NotFound(_) => Code::WorkspaceNotFound,
            _ => Code::WorkspaceAccessDenied,
        };
        return Some(Diagnostic::new(code, r.range.clone(), message));
    }
    if let Ok(ws) = &data.workspace {
        match ws.status.as_deref().map(str::to_ascii_lowercase).as_deref() {
            Some("failed") => {
                return Some(Diagnostic::new(
                    Code::WorkspaceFailed,
                    r.range.clone(),
                    format!(
                        "Workspace `{}` is in the failed state: its last run did not finish. The IACM tab shows what \
                         was provisioned before the failure; open the workspace's executions in Harness to see why.",
                        r.key.workspace
                    ),
                ));
            }
            Some("drifted") => {
                return Some(Diagnostic::new(
                    Code::WorkspaceDrifted,
                    r.range.clone(),
                    format!(
                        "Workspace `{}` has drifted: its resources no longer match its code. Run a plan in Harness \
                         to review the drift.",
                        r.key.workspace
                    ),
                ));
            }
            _ => {}
        }
    }
    if let Ok(resources) = &data.resources
        && resources.resource_count() == 0
        && resources.data_sources.is_empty()
    {
        return Some(Diagnostic::new(
            Code::WorkspaceEmpty,
            r.range.clone(),
            format!(
                "Workspace `{}` has no resources: it was never provisioned, was destroyed, or its apply failed. \
                 The IACM tab will show empty tables.",
                r.key.workspace
            ),
        ));
    }
    None
}

/// The message for an answer about the workspace or the key; `None` for
/// network trouble.
pub fn error_message(r: &WorkspaceRef, error: &FetchError) -> Option<String> {
    let detail = |m: &str| {
        if m.trim().is_empty() {
            String::new()
        } else {
            format!(" Harness said: \"{}\".", m.trim())
        }
    };
    Some(match error {
        FetchError::NotFound(m) => format!(
            "Harness has no workspace `{}` in project `{}` of org `{}` (404).{} Check each identifier in the URL \
             (identifiers, not display names); the IACM tab would show empty tables.",
            r.key.workspace,
            r.key.project,
            r.key.org,
            detail(m)
        ),
        FetchError::Unauthorized(m) => format!(
            "Harness refused the API key (401): it is invalid, expired or revoked.{} Create a new token in Harness \
             (My Profile > API keys) and update `iacm.apiKey` or HARNESS_API_KEY. In the portal this shows as \
             \"You don't have the permission to View the following IaCM workspace(s)\".",
            detail(m)
        ),
        FetchError::Forbidden(m) => format!(
            "The API key has no View permission on IaCM workspaces in project `{}` (403).{} Ask an admin for a role \
             with Workspace View on this project, or use a service account token that has it.",
            r.key.project,
            detail(m)
        ),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::SystemTime;

    use super::*;
    use crate::analysis::analyze_catalog;
    use crate::harness::types::{Resource, Resources, Workspace};

    const URL: &str = "https://app.harness.io/ng/account/abc123/module/iacm/orgs/default/projects/payments/workspaces/prod_ws/resources";

    fn analysis() -> (String, Analysis) {
        let text = format!(
            "kind: Component\nmetadata:\n  annotations:\n    harness.io/workspace-url: |\n      prod: {URL}\n"
        );
        let a = analyze_catalog(&text, &Settings::default());
        assert_eq!(a.workspace_refs.len(), 1);
        (text, a)
    }

    fn data(status: &str, resources: usize) -> WorkspaceData {
        WorkspaceData {
            fetched_at: SystemTime::now(),
            workspace: Ok(Workspace {
                identifier: "prod_ws".into(),
                status: Some(status.into()),
                ..Workspace::default()
            }),
            resources: Ok(Resources {
                resources: vec![Resource::default(); resources],
                ..Resources::default()
            }),
            activities: Ok(vec![]),
        }
    }

    fn ready(d: WorkspaceData) -> impl Fn(&WorkspaceKey) -> LiveState {
        let d = Arc::new(d);
        move |_| LiveState::Ready {
            data: d.clone(),
            refreshing: false,
        }
    }

    fn codes(
        state: &dyn Fn(&WorkspaceKey) -> LiveState,
        account: Option<&str>,
    ) -> Vec<(Code, String)> {
        let (text, a) = analysis();
        live_diagnostics(&a, state, account, &Settings::default())
            .into_iter()
            .map(|d| (d.code, text[d.range].to_string()))
            .collect()
    }

    #[test]
    fn healthy_workspace_has_no_diagnostic() {
        assert!(codes(&ready(data("active", 3)), Some("abc123")).is_empty());
    }

    #[test]
    fn each_state_maps_to_its_code_at_the_url() {
        for (d, code) in [
            (data("failed", 3), Code::WorkspaceFailed),
            (data("Drifted", 3), Code::WorkspaceDrifted),
            (data("active", 0), Code::WorkspaceEmpty),
        ] {
            assert_eq!(codes(&ready(d), None), [(code, URL.to_string())]);
        }
        for (error, code) in [
            (
                FetchError::NotFound("workspace not found".into()),
                Code::WorkspaceNotFound,
            ),
            (
                FetchError::Unauthorized("token invalid".into()),
                Code::WorkspaceAccessDenied,
            ),
            (
                FetchError::Forbidden(String::new()),
                Code::WorkspaceAccessDenied,
            ),
        ] {
            let mut d = data("active", 3);
            d.workspace = Err(error);
            assert_eq!(codes(&ready(d), None), [(code, URL.to_string())]);
        }
    }

    #[test]
    fn network_trouble_and_missing_data_are_not_diagnostics() {
        for error in [
            FetchError::Timeout,
            FetchError::RateLimited,
            FetchError::Network("connection refused".into()),
            FetchError::Server {
                status: 502,
                message: "bad gateway".into(),
            },
        ] {
            let mut d = data("active", 3);
            d.workspace = Err(error.clone());
            d.resources = Err(error);
            assert!(codes(&ready(d), None).is_empty());
        }
        for state in [
            LiveState::Loading,
            LiveState::NoKey,
            LiveState::HostNotAllowed,
            LiveState::Disabled,
        ] {
            assert!(codes(&move |_: &WorkspaceKey| state.clone(), None).is_empty());
        }
    }

    #[test]
    fn a_key_from_another_account_is_flagged_without_data() {
        let found = codes(&|_: &WorkspaceKey| LiveState::NoKey, Some("other"));
        assert_eq!(found, [(Code::ApiKeyAccountMismatch, URL.to_string())]);
    }

    #[test]
    fn messages_give_the_portal_advice_and_settings_apply() {
        let (_, a) = analysis();
        let mut d = data("active", 3);
        d.workspace = Err(FetchError::Forbidden(String::new()));
        let out = live_diagnostics(&a, &ready(d), None, &Settings::default());
        assert!(
            out[0].message.contains("View permission"),
            "{}",
            out[0].message
        );
        let mut settings = Settings::default();
        settings.apply_json(&serde_json::json!({"diagnostics": {"workspace-empty": "off"}}));
        assert!(live_diagnostics(&a, &ready(data("active", 0)), None, &settings).is_empty());
    }
}
