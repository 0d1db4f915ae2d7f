//! The hover card on a workspace URL: what the portal's IACM tab would
//! show, while the file is being written.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::ops::Range;
use std::time::SystemTime;

use super::live_diagnostics::error_message;
use super::when::{ago, ago_millis, utc};
use crate::analysis::{Analysis, WorkspaceRef};
use crate::harness::live::{FetchError, LiveState, WorkspaceData, WorkspaceKey};
use crate::harness::types::{Output, Resources};

/// Shown instead of a sensitive output's value, which never leaves the server.
pub const MASK: &str = "••••••";
const MAX_OUTPUTS: usize = 10;
const MAX_TYPES: usize = 5;
const MAX_VALUE_CHARS: usize = 60;

/// The workspace URL whose line holds `offset`: hovering anywhere on the
/// line (the label, the key of a bare URL) shows the card.
pub fn hover_target<'a>(
    analysis: &'a Analysis,
    text: &str,
    offset: usize,
) -> Option<&'a WorkspaceRef> {
    analysis.workspace_refs.iter().find(|r| {
        let start = text[..r.range.start].rfind('\n').map_or(0, |i| i + 1);
        let end = text[r.range.end..]
            .find('\n')
            .map_or(text.len(), |i| r.range.end + i);
        (start..=end).contains(&offset)
    })
}

/// The card for the URL at `offset`, with the range it describes.
pub fn hover(
    analysis: &Analysis,
    text: &str,
    offset: usize,
    state_of: &dyn Fn(&WorkspaceKey) -> LiveState,
    now: SystemTime,
) -> Option<(Range<usize>, String)> {
    let r = hover_target(analysis, text, offset)?;
    Some((r.range.clone(), card(r, &state_of(&r.key), now)))
}

pub fn card(r: &WorkspaceRef, state: &LiveState, now: SystemTime) -> String {
    let mut md = String::new();
    match state {
        LiveState::Ready { data, refreshing } => ready(&mut md, r, data, *refreshing, now),
        other => {
            let _ = writeln!(md, "### IaCM workspace `{}`\n", r.key.workspace);
            md.push_str(&not_ready(r, other));
            md.push_str("\n\n");
            footer(&mut md, r, None);
        }
    }
    md
}

fn not_ready(r: &WorkspaceRef, state: &LiveState) -> String {
    match state {
        LiveState::Disabled => "Live data is off (`iacm.live` is false, or `IACM_LIVE=0`).".into(),
        LiveState::NoKey => "No Harness API key is set, so there is no live data. Set `iacm.apiKey` in the editor's \
             settings, or `HARNESS_API_KEY` in the environment the editor starts from: a personal access token \
             (`pat.…`) or service account token (`sat.…`) with View permission on IaCM workspaces."
            .into(),
        LiveState::HostNotAllowed => {
            let host = r.key.origin.trim_start_matches("https://");
            format!(
                "`{host}` is not a configured Harness host, so iacm-lsp does not send your API key there. Add it \
                 to the `iacm.hosts` setting to see live data."
            )
        }
        LiveState::Loading => "Loading workspace data from Harness… hover again in a moment.".into(),
        LiveState::Ready { .. } => String::new(),
    }
}

fn ready(
    md: &mut String,
    r: &WorkspaceRef,
    data: &WorkspaceData,
    refreshing: bool,
    now: SystemTime,
) {
    match &data.workspace {
        Ok(ws) if !ws.name.is_empty() && ws.name != *r.key.workspace => {
            let _ = writeln!(
                md,
                "### IaCM workspace {} (`{}`)\n",
                escape(&ws.name),
                r.key.workspace
            );
        }
        _ => {
            let _ = writeln!(md, "### IaCM workspace `{}`\n", r.key.workspace);
        }
    }
    // An answer about the key or the workspace says it all.
    let definitive = [data.workspace.as_ref().err(), data.resources.as_ref().err()]
        .into_iter()
        .flatten()
        .find(|e| e.is_definitive());
    if let Some(message) = definitive.and_then(|e| error_message(r, e)) {
        let _ = writeln!(md, "{}\n", escape(&message));
        footer(md, r, Some((data, refreshing, now)));
        return;
    }
    let mut status_line = Vec::new();
    match &data.workspace {
        Ok(ws) => status_line.push(format!(
            "**Status:** {}",
            escape(ws.status.as_deref().unwrap_or("unknown"))
        )),
        Err(e) => status_line.push(format!("**Status:** unavailable ({})", network(e))),
    }
    if let Ok(activities) = &data.activities
        && let Some(last) = activities.first()
    {
        let m = &last.metadata;
        let mut s = format!(
            "**Last activity:** {} {}",
            escape(m.activity_type.as_deref().unwrap_or("run")),
            escape(m.activity_status.as_deref().unwrap_or("")),
        );
        if let Some(created) = last.created {
            let _ = write!(s, ", {} ({})", utc(created), ago_millis(created, now));
        }
        status_line.push(s.trim_end().to_string());
    }
    let _ = writeln!(md, "{}\n", status_line.join(" · "));
    match &data.resources {
        Ok(res) => resources(md, res),
        Err(e) => {
            let _ = writeln!(md, "Resources unavailable: {}\n", network(e));
        }
    }
    footer(md, r, Some((data, refreshing, now)));
}

fn resources(md: &mut String, res: &Resources) {
    let _ = writeln!(
        md,
        "Resources ({}) · Data Sources ({}) · Outputs ({})\n",
        res.resource_count(),
        res.data_sources.len(),
        res.outputs.len()
    );
    if !res.outputs.is_empty() {
        md.push_str("| Output | Value |\n|---|---|\n");
        for o in res.outputs.iter().take(MAX_OUTPUTS) {
            let _ = writeln!(md, "| `{}` | {} |", cell(&o.name), output_value(o));
        }
        if res.outputs.len() > MAX_OUTPUTS {
            let _ = writeln!(md, "| … | {} more |", res.outputs.len() - MAX_OUTPUTS);
        }
        md.push('\n');
    }
    let mut types: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &res.resources {
        *types
            .entry(if r.kind.is_empty() {
                "(unknown)"
            } else {
                &r.kind
            })
            .or_default() += 1;
    }
    if !types.is_empty() {
        let mut by_count: Vec<(&str, usize)> = types.into_iter().collect();
        by_count.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let top: Vec<String> = by_count
            .iter()
            .take(MAX_TYPES)
            .map(|(t, n)| format!("`{}` ({n})", cell(t)))
            .collect();
        let _ = writeln!(md, "**Resource types:** {}\n", top.join(", "));
    }
}

fn output_value(o: &Output) -> String {
    if o.sensitive {
        return MASK.to_string();
    }
    let mut v: String = o.value.chars().take(MAX_VALUE_CHARS).collect();
    if o.value.chars().count() > MAX_VALUE_CHARS {
        v.push('…');
    }
    if v.is_empty() {
        "_empty_".into()
    } else {
        format!("`{}`", cell(&v))
    }
}

fn footer(md: &mut String, r: &WorkspaceRef, fetched: Option<(&WorkspaceData, bool, SystemTime)>) {
    let _ = writeln!(
        md,
        "Account `{}` · Org `{}` · Project `{}` · Workspace `{}`\n",
        r.key.account, r.key.org, r.key.project, r.key.workspace
    );
    let mut line = format!("[View in IaCM]({})", r.harness_url());
    if let Some((data, refreshing, now)) = fetched {
        let _ = write!(line, " · _fetched {}", ago(data.fetched_at, now));
        line.push_str(if refreshing { ", refreshing…_" } else { "_" });
    }
    md.push_str(&line);
    md.push('\n');
}

fn network(e: &FetchError) -> String {
    escape(&e.to_string())
}

/// Text in a table cell or code span: no pipes, backticks or newlines.
fn cell(s: &str) -> String {
    s.replace('|', "\\|")
        .replace('`', "'")
        .replace(['\n', '\r'], " ")
}

/// Plain text in Markdown: no accidental emphasis, links or HTML.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\\' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use super::*;
    use crate::analysis::analyze_catalog;
    use crate::harness::types::{Activity, ActivityMetadata, Resource, Workspace};
    use crate::settings::Settings;

    const URL: &str = "https://app.harness.io/ng/account/abc123/module/iacm/orgs/default/projects/payments/workspaces/prod_ws/resources";

    fn file() -> (String, Analysis) {
        let text = format!(
            "kind: Component\nmetadata:\n  annotations:\n    harness.io/workspace-url: |\n      prod: {URL}\n    other: x\n"
        );
        let a = analyze_catalog(&text, &Settings::default());
        (text, a)
    }

    fn data(now: SystemTime) -> WorkspaceData {
        let resource = |kind: &str| Resource {
            kind: kind.into(),
            ..Resource::default()
        };
        WorkspaceData {
            fetched_at: now - Duration::from_secs(12),
            workspace: Ok(Workspace {
                identifier: "prod_ws".into(),
                name: "Payments prod".into(),
                status: Some("active".into()),
                ..Workspace::default()
            }),
            resources: Ok(Resources {
                resources: [
                    vec![resource("aws_s3_bucket"); 3],
                    vec![resource("aws_iam_role"); 2],
                ]
                .concat(),
                data_sources: vec![resource("aws_caller_identity")],
                outputs: vec![
                    Output {
                        name: "bucket".into(),
                        value: "payments-prod|a".into(),
                        sensitive: false,
                    },
                    Output {
                        name: "db_password".into(),
                        value: "hunter2".into(),
                        sensitive: true,
                    },
                ],
                total_resources: None,
            }),
            activities: Ok(vec![Activity {
                id: "a1".into(),
                created: Some(1_795_801_320_000),
                metadata: ActivityMetadata {
                    activity_type: Some("apply".into()),
                    activity_status: Some("success".into()),
                    ..ActivityMetadata::default()
                },
            }]),
        }
    }

    #[test]
    fn the_card_shows_what_the_portal_would() {
        let (text, a) = file();
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_812_120);
        let d = Arc::new(data(now));
        let state = move |_: &WorkspaceKey| LiveState::Ready {
            data: d.clone(),
            refreshing: false,
        };
        let label = text.find("prod:").unwrap();
        let (range, md) = hover(&a, &text, label, &state, now).expect("hover on the label");
        assert_eq!(&text[range], URL);
        for expected in [
            "### IaCM workspace Payments prod (`prod_ws`)",
            "**Status:** active",
            "**Last activity:** apply success, 2026-11-27 17:42 UTC (3 h ago)",
            "Resources (5) · Data Sources (1) · Outputs (2)",
            "| `bucket` | `payments-prod\\|a` |",
            "| `db_password` | ••••••",
            "**Resource types:** `aws_s3_bucket` (3), `aws_iam_role` (2)",
            "Account `abc123` · Org `default` · Project `payments` · Workspace `prod_ws`",
            &format!("[View in IaCM]({URL}) · _fetched 12 s ago_"),
        ] {
            assert!(md.contains(expected), "missing {expected:?} in\n{md}");
        }
        assert!(!md.contains("hunter2"), "a sensitive value leaked:\n{md}");
    }

    #[test]
    fn only_the_url_line_hovers() {
        let (text, a) = file();
        let never = |_: &WorkspaceKey| -> LiveState { panic!("not asked") };
        assert!(
            hover(
                &a,
                &text,
                text.find("other").unwrap(),
                &never,
                SystemTime::now()
            )
            .is_none()
        );
        assert!(hover(&a, &text, 0, &never, SystemTime::now()).is_none());
        let end_of_url = text.find(URL).unwrap() + URL.len();
        assert!(hover_target(&a, &text, end_of_url).is_some());
    }

    #[test]
    fn states_without_data_explain_themselves() {
        let (text, a) = file();
        let at = text.find(URL).unwrap();
        for (state, expected) in [
            (LiveState::NoKey, "HARNESS_API_KEY"),
            (LiveState::Loading, "Loading"),
            (LiveState::HostNotAllowed, "iacm.hosts"),
            (LiveState::Disabled, "iacm.live"),
        ] {
            let (_, md) = hover(
                &a,
                &text,
                at,
                &move |_: &WorkspaceKey| state.clone(),
                SystemTime::now(),
            )
            .unwrap();
            assert!(
                md.contains(expected) && md.contains("[View in IaCM]"),
                "{md}"
            );
        }
    }

    #[test]
    fn errors_show_in_the_card() {
        let (text, a) = file();
        let at = text.find(URL).unwrap();
        let now = SystemTime::now();
        let mut d = data(now);
        d.workspace = Err(FetchError::Forbidden("no access".into()));
        let d = Arc::new(d);
        let state = move |_: &WorkspaceKey| LiveState::Ready {
            data: d.clone(),
            refreshing: true,
        };
        let (_, md) = hover(&a, &text, at, &state, now).unwrap();
        assert!(
            md.contains("View permission") && md.contains("refreshing"),
            "{md}"
        );
        let mut d = data(now);
        d.workspace = Err(FetchError::Timeout);
        d.resources = Err(FetchError::Network("connection refused".into()));
        let d = Arc::new(d);
        let state = move |_: &WorkspaceKey| LiveState::Ready {
            data: d.clone(),
            refreshing: false,
        };
        let (_, md) = hover(&a, &text, at, &state, now).unwrap();
        assert!(
            md.contains("did not answer in time") && md.contains("could not reach Harness"),
            "{md}"
        );
    }
}
