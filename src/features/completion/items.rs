//! The items for each context.

use std::ops::Range;
use std::sync::Arc;

use tower_lsp_server::ls_types::CompletionItemKind;

use super::context::{KeySite, SegmentKind, SegmentSite};
use super::{Completions, Inputs, Item, escape_snippet, projects_named};
use crate::analysis::WorkspaceKey;
use crate::annotations::workspace_url::WORKSPACE_URL_KEY;
use crate::harness::lists::{ListItem, ListKey, ListState};
use crate::harness::live::LiveState;

/// The labelled line of the snippets, placeholders for what the user picks
/// (each then completes segment by segment).
fn url_line(key_account: Option<&str>) -> String {
    let account = match key_account {
        Some(a) => format!("${{2:{}}}", escape_snippet(a)),
        None => "${2}".to_string(),
    };
    format!(
        "${{1:label}}: https://app.harness.io/ng/account/{account}/module/iacm/orgs/${{3}}/projects/${{4}}/workspaces/${{5}}/resources"
    )
}

fn line_ending(text: &str) -> &'static str {
    if text.contains("\r\n") { "\r\n" } else { "\n" }
}

const KEY_DOC: &str = "Links this entity to a Harness IaCM workspace: the portal's IACM tab shows its \
    resources, data sources and outputs. One `label: URL` line per workspace, in a `|` block.";

pub fn annotation_key(input: &Inputs<'_>, site: &KeySite) -> Completions {
    let line = url_line(input.key_account);
    let new_text = if site.flow {
        // A block scalar cannot stand in a flow mapping: one quoted line.
        format!("{WORKSPACE_URL_KEY}: '{line}'")
    } else {
        let nl = line_ending(input.text);
        let inner = " ".repeat(site.indent + site.step);
        format!("{WORKSPACE_URL_KEY}: |{nl}{inner}{line}")
    };
    one(Item {
        label: WORKSPACE_URL_KEY.to_string(),
        kind: CompletionItemKind::PROPERTY,
        detail: Some("Harness IaCM workspace (labelled URL)".into()),
        documentation: Some(KEY_DOC.into()),
        sort_text: "0".into(),
        filter_text: WORKSPACE_URL_KEY.to_string(),
        replace: site.replace.clone(),
        new_text,
        snippet: true,
    })
}

pub fn metadata_key(input: &Inputs<'_>, site: &KeySite) -> Completions {
    let nl = line_ending(input.text);
    let key_indent = " ".repeat(site.indent + site.step);
    let line_indent = " ".repeat(site.indent + 2 * site.step);
    let line = url_line(input.key_account);
    one(Item {
        label: "annotations".into(),
        kind: CompletionItemKind::PROPERTY,
        detail: Some(format!("with {WORKSPACE_URL_KEY}")),
        documentation: Some(KEY_DOC.into()),
        sort_text: "0".into(),
        filter_text: "annotations".into(),
        replace: site.replace.clone(),
        new_text: format!(
            "annotations:{nl}{key_indent}{WORKSPACE_URL_KEY}: |{nl}{line_indent}{line}"
        ),
        snippet: true,
    })
}

/// The value after a key typed by hand: the labelled block.
pub fn block_value(
    input: &Inputs<'_>,
    replace: Range<usize>,
    indent: usize,
    space: bool,
) -> Completions {
    let nl = line_ending(input.text);
    let lead = if space { " " } else { "" };
    let inner = " ".repeat(indent);
    let line = url_line(input.key_account);
    one(Item {
        label: "| label: URL".into(),
        kind: CompletionItemKind::SNIPPET,
        detail: Some("labelled workspace URL block".into()),
        documentation: Some(KEY_DOC.into()),
        sort_text: "0".into(),
        filter_text: String::new(),
        replace,
        new_text: format!("{lead}|{nl}{inner}{line}"),
        snippet: true,
    })
}

/// The URL after a label, each part a placeholder to complete.
pub fn url_start(input: &Inputs<'_>, replace: Range<usize>) -> Completions {
    let line = url_line(input.key_account);
    let url = line.split_once(": ").map_or(line.as_str(), |(_, url)| url);
    one(Item {
        label: "https://app.harness.io/ng/account/…/resources".into(),
        kind: CompletionItemKind::SNIPPET,
        detail: Some("Harness IaCM workspace URL".into()),
        documentation: None,
        sort_text: "0".into(),
        filter_text: "https://app.harness.io".into(),
        replace,
        new_text: url.to_string(),
        snippet: true,
    })
}

fn one(item: Item) -> Completions {
    Completions {
        items: vec![item],
        is_incomplete: false,
    }
}

/// The list a segment is chosen from, when it has one and the URL names
/// what the list depends on.
pub fn segment_list(site: &SegmentSite, key_account: Option<&str>) -> Option<ListKey> {
    let origin = site.origin.clone();
    let account = site.account.clone().or(key_account.map(str::to_string))?;
    match site.kind {
        SegmentKind::Account | SegmentKind::Module => None,
        SegmentKind::Org => Some(ListKey::Orgs { origin, account }),
        SegmentKind::Project => Some(ListKey::Projects {
            origin,
            account,
            org: site.org.clone()?,
        }),
        SegmentKind::Workspace => Some(ListKey::Workspaces {
            origin,
            account,
            org: site.org.clone()?,
            project: site.project.clone()?,
        }),
    }
}

pub fn segment(input: &Inputs<'_>, site: &SegmentSite) -> Completions {
    let plain = |id: &str, kind, detail: &str| Item {
        label: id.to_string(),
        kind,
        detail: Some(detail.to_string()),
        documentation: None,
        sort_text: String::new(),
        filter_text: id.to_string(),
        replace: site.replace.clone(),
        new_text: id.to_string(),
        snippet: false,
    };
    let mut out = Completions::default();
    match site.kind {
        SegmentKind::Account => {
            if let Some(account) = input.key_account {
                out.items.push(plain(
                    account,
                    CompletionItemKind::VALUE,
                    "account of the API key",
                ));
            }
        }
        SegmentKind::Module => out.items.push(plain(
            "iacm",
            CompletionItemKind::MODULE,
            "Infrastructure as Code Management",
        )),
        kind => {
            let Some(key) = segment_list(site, input.key_account) else {
                return out;
            };
            for entry in ready(input, &key, &mut out.is_incomplete).iter() {
                let mut item = plain(&entry.identifier, CompletionItemKind::VALUE, "");
                item.detail = detail(entry);
                if kind == SegmentKind::Workspace {
                    item.kind = CompletionItemKind::MODULE;
                    item.new_text = format!("{}/resources", entry.identifier);
                    item.documentation = resource_count(input, &key, &entry.identifier);
                }
                out.items.push(item);
            }
        }
    }
    rank(&mut out.items, &site.typed);
    out
}

/// Whole `label: URL` lines for the workspaces of the projects the file
/// names, but not those it names already.
pub fn lines(input: &Inputs<'_>, replace: Range<usize>) -> Completions {
    let mut out = Completions::default();
    let typed = input.text[replace.start..input.offset].to_string();
    for key in projects_named(input.analysis) {
        let ListKey::Workspaces {
            origin,
            account,
            org,
            project,
        } = &key
        else {
            continue;
        };
        for entry in ready(input, &key, &mut out.is_incomplete).iter() {
            let ws = WorkspaceKey {
                origin: origin.as_str().into(),
                account: account.as_str().into(),
                org: org.as_str().into(),
                project: project.as_str().into(),
                workspace: entry.identifier.as_str().into(),
            };
            if input.analysis.workspace_refs.iter().any(|r| r.key == ws) {
                continue;
            }
            let detail = detail(entry).map_or(String::new(), |d| format!(" · {d}"));
            out.items.push(Item {
                label: format!(
                    "{}: …/{org}/projects/{project}/workspaces/{0}",
                    entry.identifier
                ),
                kind: CompletionItemKind::MODULE,
                detail: Some(format!("{org}/{project}{detail}")),
                documentation: resource_count(input, &key, &entry.identifier),
                sort_text: String::new(),
                filter_text: entry.identifier.clone(),
                replace: replace.clone(),
                new_text: format!("{}: {}", entry.identifier, ws.harness_url()),
                snippet: false,
            });
        }
    }
    rank(&mut out.items, &typed);
    // Last, a line to fill in by hand (segment by segment).
    out.items.push(Item {
        label: "label: https://app.harness.io/ng/account/…/resources".into(),
        kind: CompletionItemKind::SNIPPET,
        detail: Some("another workspace".into()),
        documentation: None,
        sort_text: "~".into(),
        filter_text: "label".into(),
        replace,
        new_text: url_line(input.key_account),
        snippet: true,
    });
    out
}

/// The entries of a ready list; notes a list still loading.
fn ready(input: &Inputs<'_>, key: &ListKey, loading: &mut bool) -> Arc<Vec<ListItem>> {
    match (input.list)(key) {
        ListState::Ready { items, .. } => items,
        ListState::Loading => {
            *loading = true;
            Arc::default()
        }
        _ => Arc::default(),
    }
}

/// Name (when it says more than the identifier) and status.
fn detail(entry: &ListItem) -> Option<String> {
    let name = (!entry.name.is_empty() && entry.name != entry.identifier).then_some(&entry.name);
    let parts: Vec<&str> = name
        .into_iter()
        .chain(entry.status.as_ref())
        .map(String::as_str)
        .collect();
    (!parts.is_empty()).then(|| parts.join(" · "))
}

/// "12 resources" when the workspace's data is cached.
fn resource_count(input: &Inputs<'_>, list: &ListKey, workspace: &str) -> Option<String> {
    let ListKey::Workspaces {
        origin,
        account,
        org,
        project,
    } = list
    else {
        return None;
    };
    let key = WorkspaceKey {
        origin: origin.as_str().into(),
        account: account.as_str().into(),
        org: org.as_str().into(),
        project: project.as_str().into(),
        workspace: workspace.into(),
    };
    let LiveState::Ready { data, .. } = (input.workspace)(&key) else {
        return None;
    };
    let resources = data.resources.as_ref().ok()?;
    let n = resources.resource_count();
    Some(format!(
        "{n} resource{} (cached)",
        if n == 1 { "" } else { "s" }
    ))
}

/// Items whose identifier starts with what is typed first, then by
/// identifier; `sort_text` keeps that order in the client.
fn rank(items: &mut [Item], typed: &str) {
    let typed = typed.to_ascii_lowercase();
    items.sort_by_cached_key(|i| {
        let id = i.filter_text.to_ascii_lowercase();
        (!id.starts_with(&typed), id, i.filter_text.clone())
    });
    for (n, item) in items.iter_mut().enumerate() {
        item.sort_text = format!("{n:05}");
    }
}
