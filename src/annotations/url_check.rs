//! Checks one workspace URL (the text after `label:`) the way the
//! harness-iacm plugin will read it, and says what is wrong in the user's
//! words. Ranges are byte offsets into the URL text; the caller maps them
//! into the file.

use std::ops::Range;

use percent_encoding::percent_decode_str;

use super::url_parts::{self, Segment, is_account_id, is_identifier};
use crate::diagnostic::Code;
use crate::settings::Settings;

pub const URL_SHAPE: &str = "https://app.harness.io/ng/account/<account>/module/iacm/orgs/<org>/projects/<project>/workspaces/<workspace>/resources";

/// One problem in a URL, with an optional repair (edits relative to the URL).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub code: Code,
    pub range: Range<usize>,
    pub message: String,
    pub fix: Option<UrlFix>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlFix {
    pub title: String,
    pub edits: Vec<(Range<usize>, String)>,
}

/// What a well-formed URL names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspaceParts {
    pub origin: String,
    pub account: String,
    pub org: String,
    pub project: String,
    pub workspace: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UrlReport {
    pub findings: Vec<Finding>,
    /// Set when account, org, project and workspace could all be read and
    /// are valid identifiers (even if other, fixable, problems remain).
    pub parts: Option<WorkspaceParts>,
}

impl UrlReport {
    fn add(&mut self, code: Code, range: Range<usize>, message: String) -> &mut Finding {
        self.findings.push(Finding {
            code,
            range,
            message,
            fix: None,
        });
        self.findings.last_mut().expect("just pushed")
    }
}

impl Finding {
    fn fix(&mut self, title: impl Into<String>, edits: Vec<(Range<usize>, String)>) {
        self.fix = Some(UrlFix {
            title: title.into(),
            edits,
        });
    }
}

pub fn check_url(url: &str, settings: &Settings) -> UrlReport {
    let mut report = UrlReport::default();
    // The plugin keeps only what stands before the first space (`split(' ')[0]`).
    let end = url.find(char::is_whitespace).unwrap_or(url.len());
    if end < url.len() {
        let extra = url[end..].trim();
        report
            .add(
                Code::WorkspaceUrlTrailing,
                end..url.len(),
                format!("`{extra}` after the URL is ignored by the IACM tab; remove it."),
            )
            .fix(
                "Remove the text after the URL",
                vec![(end..url.len(), String::new())],
            );
    }
    let url = &url[..end];

    let placeholders = url_parts::placeholders(url);
    if !placeholders.is_empty() {
        for range in placeholders {
            let p = &url[range.clone()];
            report.add(
                Code::WorkspaceUrlPlaceholder,
                range,
                format!("`{p}` is a placeholder: replace it with the real value from the workspace's URL in Harness."),
            );
        }
        return report;
    }

    let Some(layout) = url_parts::layout(url) else {
        not_absolute(url, settings, &mut report);
        return report;
    };
    let scheme = &url[layout.scheme.clone()];
    if !scheme.eq_ignore_ascii_case("https") {
        if scheme.eq_ignore_ascii_case("http") {
            report
                .add(
                    Code::WorkspaceUrlInsecure,
                    layout.scheme.clone(),
                    "Harness serves workspaces over https; this URL uses http.".to_string(),
                )
                .fix(
                    "Use https",
                    vec![(layout.scheme.clone(), "https".to_string())],
                );
        } else {
            report.add(
                Code::WorkspaceUrlNotAbsolute,
                layout.scheme.clone(),
                format!("The IACM tab needs an http(s) URL; this one uses `{scheme}:`. Copy the workspace URL from Harness."),
            );
            return report;
        }
    }
    if let Err(err) = url::Url::parse(url) {
        report.add(
            Code::WorkspaceUrlNotAbsolute,
            0..url.len(),
            format!("This is not a valid URL ({err}); the IACM tab cannot open it. Copy the workspace URL from Harness."),
        );
        return report;
    }
    let host = &url[layout.host.clone()];
    if !settings.is_harness_host(host) {
        report.add(
            Code::WorkspaceUrlHost,
            layout.host.clone(),
            format!(
                "`{host}` is not a known Harness host. For a vanity or self-managed Harness, add it to the \
                 `iacm.hosts` setting (or pass `--host {host}` to `iacm-lsp check`); otherwise use app.harness.io."
            ),
        );
    }
    if let Some(query) = layout.query.clone() {
        let what = if url[query.clone()].starts_with('?') {
            "query"
        } else {
            "fragment"
        };
        report
            .add(
                Code::WorkspaceUrlQuery,
                query.clone(),
                format!(
                    "The IACM tab does not load URLs with a {what} (`{}`): the URL must end in /resources. Remove it.",
                    &url[query.clone()]
                ),
            )
            .fix(format!("Remove the {what}"), vec![(query, String::new())]);
    }
    let segments = url_parts::segments(url, layout.path.clone());
    let parts = check_path(url, &segments, layout.path.clone(), &mut report);
    if let Some((account, org, project, workspace)) = parts {
        report.parts = Some(WorkspaceParts {
            origin: format!("https://{}", host.to_ascii_lowercase()),
            account,
            org,
            project,
            workspace,
        });
    }
    report
}

/// A URL without `scheme://`: offer `https://` when the rest is clearly a
/// Harness URL.
fn not_absolute(url: &str, settings: &Settings, report: &mut UrlReport) {
    let host = url
        .trim_start_matches('/')
        .split(['/', '?', '#'])
        .next()
        .unwrap_or("");
    let looks_like_harness = url.to_ascii_lowercase().contains("/account/")
        && (host.to_ascii_lowercase().ends_with("harness.io") || settings.is_harness_host(host));
    let finding = report.add(
        Code::WorkspaceUrlNotAbsolute,
        0..url.len(),
        if looks_like_harness {
            "The IACM tab needs an absolute URL starting with https://; without it the tab crashes.".to_string()
        } else {
            format!("The IACM tab needs an absolute https:// URL to the workspace, like {URL_SHAPE}; without one the tab crashes.")
        },
    );
    if looks_like_harness {
        let prefix = if url.starts_with("//") {
            "https:"
        } else {
            "https://"
        };
        finding.fix("Add https://", vec![(0..0, prefix.to_string())]);
    }
}

fn path_error(report: &mut UrlReport, range: Range<usize>, problem: String) {
    report.add(
        Code::WorkspaceUrlPath,
        range,
        format!("{problem}. The IACM tab needs {URL_SHAPE}."),
    );
}

/// Walks account/module/orgs/projects/workspaces/resources. Returns the four
/// identifiers when they are all present and valid.
fn check_path(
    url: &str,
    segs: &[Segment<'_>],
    path: Range<usize>,
    report: &mut UrlReport,
) -> Option<(String, String, String, String)> {
    let end_of_path = path.end;
    let at = |i: usize| segs.get(i);
    let missing_at = |i: usize| {
        segs.get(i)
            .map_or(end_of_path..end_of_path, |s| s.range.clone())
    };

    let Some(account_kw) = segs.iter().position(|s| s.is("account")) else {
        let range = if path.is_empty() { 0..url.len() } else { path };
        path_error(
            report,
            range,
            "This URL does not name a Harness account (no `/account/` in its path)".into(),
        );
        return None;
    };
    let account = match at(account_kw + 1) {
        Some(s) if !s.text.is_empty() => s,
        _ => {
            path_error(
                report,
                missing_at(account_kw + 1),
                "The account id is missing after `/account/`".into(),
            );
            return None;
        }
    };

    // module/<module>, or one of the forms without `module/`.
    let mut i = account_kw + 2;
    match at(i) {
        Some(s) if s.is("module") => {
            match at(i + 1) {
                Some(m) if m.is("iacm") => {}
                Some(m) if !m.text.is_empty() && !m.is("orgs") => {
                    report
                        .add(
                            Code::WorkspaceUrlModule,
                            m.range.clone(),
                            format!(
                                "This URL is for the `{}` module; workspace URLs belong to the IaCM module (`module/iacm`).",
                                m.text
                            ),
                        )
                        .fix("Use module/iacm", vec![(m.range.clone(), "iacm".into())]);
                }
                _ => {
                    path_error(
                        report,
                        missing_at(i + 1),
                        "The module name is missing after `/module/`".into(),
                    );
                    return None;
                }
            }
            i += 2;
        }
        _ => match segs[i.min(segs.len())..]
            .iter()
            .take(3)
            .position(|s| s.is("orgs"))
        {
            Some(n) => {
                let orgs = i + n;
                let range = if n == 0 {
                    segs[orgs].range.start..segs[orgs].range.start
                } else {
                    segs[i].range.start..segs[orgs - 1].range.end
                };
                let found = &url[range.clone()];
                let (title, replacement) = if n == 0 {
                    ("Insert module/iacm/", "module/iacm/".to_string())
                } else {
                    ("Use module/iacm", "module/iacm".to_string())
                };
                let message = if n == 0 {
                    "The IACM tab needs `/module/iacm/` after the account id; this URL goes straight to `/orgs/`.".to_string()
                } else {
                    format!(
                        "The IACM tab only reads URLs with `/module/iacm/` after the account id; this one has `/{found}/`."
                    )
                };
                let range_for_diag = if n == 0 {
                    segs[orgs].range.clone()
                } else {
                    range.clone()
                };
                report
                    .add(Code::WorkspaceUrlMissingModule, range_for_diag, message)
                    .fix(title, vec![(range, replacement)]);
                i = orgs;
            }
            None => {
                path_error(
                    report,
                    missing_at(i),
                    "Expected `module/iacm/orgs/...` after the account id".into(),
                );
                return None;
            }
        },
    }

    let mut ids = Vec::new();
    for (keyword, what) in [
        ("orgs", "organization"),
        ("projects", "project"),
        ("workspaces", "workspace"),
    ] {
        match at(i) {
            Some(s) if s.is(keyword) => {}
            Some(s) => {
                path_error(
                    report,
                    s.range.clone(),
                    format!("Expected `{keyword}/` here, found `{}/`", s.text),
                );
                return None;
            }
            None => {
                let named = ids.last().map_or("account", |&(w, _): &(&str, &Segment)| w);
                let shape = if named == "project" {
                    "This is a project URL, not a workspace URL: it ends at the project id"
                        .to_string()
                } else {
                    format!("The URL ends before `/{keyword}/<{what}>`")
                };
                let range = segs.last().map_or(path.clone(), |s| s.range.clone());
                path_error(report, range, shape);
                return None;
            }
        }
        match at(i + 1) {
            Some(s) if !s.text.is_empty() => ids.push((what, s)),
            _ => {
                path_error(
                    report,
                    missing_at(i + 1),
                    format!("The {what} id is missing after `/{keyword}/`"),
                );
                return None;
            }
        }
        i += 2;
    }
    let workspace = ids[2].1;

    // What follows the workspace id must be `resources`.
    let tail = workspace.range.end..end_of_path;
    match at(i) {
        Some(s) if s.is("resources") => {
            if s.range.end < end_of_path {
                let extra = &url[s.range.end..end_of_path];
                report
                    .add(
                        Code::WorkspaceUrlTrailing,
                        s.range.end..end_of_path,
                        format!(
                            "`{extra}` after /resources is ignored by the IACM tab; remove it."
                        ),
                    )
                    .fix(
                        "Remove what follows /resources",
                        vec![(s.range.end..end_of_path, String::new())],
                    );
            }
        }
        None | Some(Segment { text: "", .. }) => {
            report
                .add(
                    Code::WorkspaceUrlMissingResources,
                    workspace.range.start..end_of_path,
                    "The IACM tab only loads URLs that end in /resources; this one ends at the workspace id.".to_string(),
                )
                .fix("Add /resources", vec![(tail, "/resources".into())]);
        }
        Some(s) => {
            report
                .add(
                    Code::WorkspaceUrlMissingResources,
                    s.range.start..end_of_path,
                    format!(
                        "The IACM tab only loads URLs that end in /resources; this one ends at the `{}` tab.",
                        &url[s.range.start..end_of_path]
                    ),
                )
                .fix("End the URL in /resources", vec![(tail, "/resources".into())]);
        }
    }

    let mut valid = true;
    let account_id = decode(account.text);
    if !is_account_id(&account_id) {
        valid = false;
        report.add(
            Code::WorkspaceUrlIdentifier,
            account.range.clone(),
            format!(
                "`{account_id}` is not a Harness account id (letters, digits, `_` and `-` only)."
            ),
        );
    }
    let mut decoded = Vec::new();
    for (what, seg) in &ids {
        let id = decode(seg.text);
        if !is_identifier(&id) {
            valid = false;
            let hint = if id.contains('-') {
                " Harness identifiers have no hyphens: the name may have `-`, the identifier uses `_`."
            } else {
                ""
            };
            report.add(
                Code::WorkspaceUrlIdentifier,
                seg.range.clone(),
                format!(
                    "`{id}` is not a Harness {what} identifier (a letter or `_`, then letters, digits, `_` or `$`, at most 128).{hint}"
                ),
            );
        }
        decoded.push(id);
    }
    valid.then(|| {
        let mut it = decoded.into_iter();
        let (org, project, ws) = (it.next()?, it.next()?, it.next()?);
        Some((account_id, org, project, ws))
    })?
}

fn decode(segment: &str) -> String {
    percent_decode_str(segment).decode_utf8_lossy().into_owned()
}
