//! The pure entry point: text in, diagnostics and workspace references out.
//! No I/O; the LSP server and `check` both call `analyze`.

use std::ops::Range;
use std::sync::Arc;

use crate::annotations::plugins;
use crate::annotations::workspace_url::{Context, Output};
use crate::catalog::refs::EntityInfo;
use crate::catalog::{duplicate_keys, entity, refs, rules};
use crate::diagnostic::{Code, Diagnostic};
use crate::settings::Settings;
use crate::text::{LineIndex, Shift};
use crate::yaml::{Document, Node, SyntaxError, parse_stream};

mod incremental;

pub use incremental::Incremental;

/// Which workspace a URL names. The same workspace named in two places
/// (or two files) has one key: one cache entry, one request.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct WorkspaceKey {
    /// `https://host[:port]` of the URL.
    pub origin: Arc<str>,
    pub account: Arc<str>,
    pub org: Arc<str>,
    pub project: Arc<str>,
    pub workspace: Arc<str>,
}

impl WorkspaceKey {
    /// The canonical link to the workspace's resources page in Harness.
    pub fn harness_url(&self) -> String {
        format!(
            "{}/ng/account/{}/module/iacm/orgs/{}/projects/{}/workspaces/{}/resources",
            self.origin, self.account, self.org, self.project, self.workspace
        )
    }
}

/// A workspace named by a well-formed `harness.io/workspace-url` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspaceRef {
    /// Byte range of the URL in the text.
    pub range: Range<usize>,
    /// The label of the `label: URL` line, if it has one.
    pub label: Option<Arc<str>>,
    pub key: WorkspaceKey,
}

impl Shift for WorkspaceRef {
    fn shift(&mut self, delta: isize) {
        self.range.shift(delta);
    }
}

impl WorkspaceRef {
    pub fn harness_url(&self) -> String {
        self.key.harness_url()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Analysis {
    /// Whether the text is a Backstage catalog file at all. When it is not,
    /// there are no diagnostics: iacm-lsp stays quiet on other YAML.
    pub is_catalog: bool,
    /// Sorted by position.
    pub diagnostics: Vec<Diagnostic>,
    pub workspace_refs: Vec<WorkspaceRef>,
    /// One per document that is an entity, in order (navigation).
    pub entities: Vec<EntityInfo>,
}

/// Analyses one file. `file_name` is the file's name (or path), used to
/// recognise `catalog-info.yaml`; `None` when unknown.
pub fn analyze(text: &str, file_name: Option<&str>, settings: &Settings) -> Analysis {
    if !is_catalog_file(file_name, text) {
        return Analysis::default();
    }
    analyze_catalog(text, settings)
}

/// Analyses `text` as a catalog file whatever its name and content (for a
/// file named on the command line). The whole text is parsed as one stream:
/// this is the reference the server's [`Incremental`] analysis must match.
pub fn analyze_catalog(text: &str, settings: &Settings) -> Analysis {
    if let Some(analysis) = too_large(text, settings) {
        return analysis;
    }
    let index = LineIndex::new(text);
    let cx = Context {
        text,
        index: &index,
        settings,
    };
    let mut out = Output::default();
    for document in parse_stream(text).documents {
        check_parsed(&cx, &document, &mut out);
    }
    finish(out, settings)
}

/// A file over `iacm.maxFileSizeBytes`: one `file-too-large` diagnostic
/// instead of analysis.
fn too_large(text: &str, settings: &Settings) -> Option<Analysis> {
    let too_large = crate::limits::check_size(text, text.len(), settings)?;
    let diagnostics = settings
        .severity(too_large.code)
        .map(|severity| Diagnostic {
            severity,
            ..too_large
        });
    Some(Analysis {
        is_catalog: true,
        diagnostics: diagnostics.into_iter().collect(),
        workspace_refs: Vec::new(),
        entities: Vec::new(),
    })
}

/// The syntax error and the rules of one parsed document.
fn check_parsed(cx: &Context<'_>, document: &Document, out: &mut Output) {
    if let Some(error) = &document.error {
        out.diagnostics.push(syntax_error(cx.text, cx.index, error));
    }
    if let Some(root) = &document.root {
        check_document(cx, root, document.error.is_none(), out);
    }
}

/// Applies the configured severities (dropping the codes turned off) and
/// sorts the diagnostics by position.
fn finish(out: Output, settings: &Settings) -> Analysis {
    let mut diagnostics: Vec<Diagnostic> = out
        .diagnostics
        .into_iter()
        .filter_map(|mut d| {
            d.severity = settings.severity(d.code)?;
            Some(d)
        })
        .collect();
    diagnostics.sort_by_key(|d| (d.range.start, d.range.end, d.code));
    Analysis {
        is_catalog: true,
        diagnostics,
        workspace_refs: out.refs,
        entities: out.entities,
    }
}

/// Every rule that looks at one document. Rules see only their document,
/// so documents can be analysed apart. A document with a syntax error is
/// only partly read: Backstage rejects it whole, so the entity rules, which
/// would report fields as missing, skip it.
fn check_document(cx: &Context<'_>, root: &Node, readable: bool, out: &mut Output) {
    duplicate_keys::check(root, cx.index, &mut out.diagnostics);
    entity::check(cx, root, out);
    if readable {
        rules::check(cx, root, out);
    }
    plugins::check(cx, root, out);
    refs::check(cx, root, out);
}

fn syntax_error(text: &str, index: &LineIndex, error: &SyntaxError) -> Diagnostic {
    // Underline from the mistake to the end of its line: one character is
    // too small to see.
    let start = error.offset.min(text.len());
    let end = index.line_end(index.line_of(start)).max(start);
    let end = if end == start {
        text[start..]
            .chars()
            .next()
            .map_or(start, |c| start + c.len_utf8())
    } else {
        end
    };
    let message = error.message.trim_end_matches('.');
    Diagnostic::new(
        Code::YamlSyntax,
        start..end,
        format!(
            "YAML syntax error: {message}. Backstage cannot read this document until it is fixed, \
             so its entity rules are not checked yet (the other documents in the file are)."
        ),
    )
}

/// Treats `text` as a catalog file (callers decide that first).
/// Applies the first fix of every diagnostic, re-analyses, and repeats until
/// nothing is left to fix (fixes can uncover others, and overlapping ones
/// wait for the next round). Returns the new text and how many fixes were
/// applied. Used by `check --fix` and the `source.fixAll.iacm` action.
pub fn fix_all(text: &str, settings: &Settings) -> (String, usize) {
    const MAX_ROUNDS: usize = 16;
    let mut current = text.to_string();
    let mut applied = 0;
    for _ in 0..MAX_ROUNDS {
        let analysis = analyze_catalog(&current, settings);
        let mut edits = Vec::new();
        let mut fixes = 0;
        for diagnostic in &analysis.diagnostics {
            if let Some(fix) = diagnostic.fixes.first() {
                // A fix is all or nothing: only take it if none of its edits
                // overlaps an edit already taken this round.
                let overlaps = fix.edits.iter().any(|e| {
                    edits.iter().any(|t: &crate::text::Edit| {
                        e.range.start < t.range.end.max(t.range.start + 1)
                            && t.range.start < e.range.end.max(e.range.start + 1)
                    })
                });
                if !overlaps {
                    edits.extend(fix.edits.iter().cloned());
                    fixes += 1;
                }
            }
        }
        if fixes == 0 {
            break;
        }
        let (next, skipped) = crate::text::apply_edits(&current, &edits);
        if next == current || skipped > 0 {
            break;
        }
        current = next;
        applied += fixes;
    }
    (current, applied)
}

/// A catalog file is named `catalog-info.yaml`/`.yml` (also `*.catalog-info.yaml`),
/// or holds a document whose `apiVersion` is a `backstage.io/` one. The
/// text is scanned line by line, so a file is recognised even when its
/// YAML is broken.
pub fn is_catalog_file(file_name: Option<&str>, text: &str) -> bool {
    if let Some(name) = file_name {
        let base = name
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or(name)
            .to_ascii_lowercase();
        if base == "catalog-info.yaml"
            || base == "catalog-info.yml"
            || base.ends_with(".catalog-info.yaml")
            || base.ends_with(".catalog-info.yml")
        {
            return true;
        }
    }
    text.lines().any(is_backstage_api_version_line)
}

fn is_backstage_api_version_line(line: &str) -> bool {
    let line = line.trim_start_matches('\u{feff}');
    let Some(rest) = line.strip_prefix("apiVersion:") else {
        return false;
    };
    let value = rest.trim().trim_matches(['"', '\'']);
    match value.find("backstage.io/") {
        Some(0) => true,
        // `scaffolder.backstage.io/v1beta3` and other `*.backstage.io/` groups.
        Some(i) => value[..i].ends_with('.') && !value[..i].contains('/'),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_catalog_files_by_name_or_api_version() {
        assert!(is_catalog_file(Some("/repo/catalog-info.yml"), ""));
        assert!(is_catalog_file(Some("svc.catalog-info.yaml"), ""));
        assert!(is_catalog_file(
            Some("x.yaml"),
            "---\napiVersion: backstage.io/v1alpha1\nkind: [\n"
        ));
        assert!(is_catalog_file(
            None,
            "apiVersion: scaffolder.backstage.io/v1beta3\n"
        ));
        assert!(is_catalog_file(
            None,
            "apiVersion: 'backstage.io/v1alpha1'\n"
        ));
    }

    fn codes_at(text: &str) -> Vec<(&'static str, String)> {
        analyze(text, Some("catalog-info.yaml"), &Settings::default())
            .diagnostics
            .iter()
            .map(|d| (d.code.as_str(), text[d.range.clone()].to_string()))
            .collect()
    }

    #[test]
    fn a_broken_document_does_not_hide_the_others() {
        let text = "kind: Component\nmetadata:\n  name: [unclosed\n---\nkind: Component\nmetadata:\n  annotations:\n    harness.io/workspace-url: |\n      p: http://app.harness.io/ng/account/a/module/iacm/orgs/o/projects/p/workspaces/w/resources\n";
        let found = codes_at(text);
        assert_eq!(found[0].0, "yaml-syntax");
        assert!(found.contains(&("workspace-url-insecure", "http".to_string())));
        // The broken document gets no entity rules (it is not readable);
        // the second, an incomplete entity, does.
        let second = text.find("---").unwrap();
        assert!(
            analyze(text, Some("catalog-info.yaml"), &Settings::default())
                .diagnostics
                .iter()
                .filter(|d| d.code.as_str().starts_with("entity-"))
                .all(|d| d.range.start > second),
            "{found:?}"
        );
    }

    #[test]
    fn problems_above_a_syntax_error_are_still_reported() {
        let text = "kind: Component\nmetadata:\n  annotations:\n    harness.io/workspace-url: |\n      p: http://app.harness.io/ng/account/a/module/iacm/orgs/o/projects/p/workspaces/w/resources\nspec:\n  owner: \"unclosed\n";
        let codes: Vec<&str> = codes_at(text).into_iter().map(|(c, _)| c).collect();
        assert_eq!(codes, ["workspace-url-insecure", "yaml-syntax"]);
    }

    #[test]
    fn bad_indentation_is_a_syntax_error_at_the_line() {
        let text = "metadata:\n  name: a\n   title: b\n";
        let found = codes_at(text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "yaml-syntax");
        assert!(
            text[..text.find(&found[0].1).unwrap()].contains("name"),
            "{found:?}"
        );
    }

    #[test]
    fn other_yaml_is_not_a_catalog_file() {
        let workflow = "name: CI\non: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n";
        assert!(!is_catalog_file(
            Some(".github/workflows/ci.yaml"),
            workflow
        ));
        assert!(!is_catalog_file(
            None,
            "apiVersion: apps/v1\nkind: Deployment\n"
        ));
        assert!(!is_catalog_file(None, "apiVersion: notbackstage.io/v1\n"));
        assert!(
            analyze(workflow, Some("ci.yaml"), &Settings::default())
                .diagnostics
                .is_empty()
        );
    }
}
