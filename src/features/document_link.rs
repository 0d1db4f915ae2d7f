//! `textDocument/documentLink`: each well-formed workspace URL links to the
//! workspace's canonical resources page in Harness.

use tower_lsp_server::ls_types::{DocumentLink, Uri};

use super::lsp_range;
use crate::analysis::Analysis;
use crate::text::{LineIndex, PositionEncoding};

/// `tooltips`: whether the client declared `tooltipSupport`.
pub fn document_links(
    analysis: &Analysis,
    index: &LineIndex,
    enc: PositionEncoding,
    tooltips: bool,
) -> Vec<DocumentLink> {
    analysis
        .workspace_refs
        .iter()
        .filter_map(|r| {
            // A URL that does not parse as a URI gets no link rather than a bad one.
            let target: Uri = r.harness_url().parse().ok()?;
            Some(DocumentLink {
                range: lsp_range(index, &r.range, enc),
                target: Some(target),
                tooltip: tooltips
                    .then(|| format!("Open workspace {} in Harness IaCM", r.key.workspace)),
                data: None,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{WorkspaceKey, WorkspaceRef};

    #[test]
    fn links_each_workspace_to_its_canonical_page() {
        let url =
            "http://app.harness.io/ng/account/a1/module/iacm/orgs/o/projects/p/workspaces/w?x";
        let text = format!("x: é😀 {url}\n");
        let start = text.find("http").unwrap();
        let analysis = Analysis {
            is_catalog: true,
            diagnostics: Vec::new(),
            workspace_refs: vec![WorkspaceRef {
                range: start..start + url.len(),
                label: Some("x".into()),
                key: WorkspaceKey {
                    origin: "https://app.harness.io".into(),
                    account: "a1".into(),
                    org: "o".into(),
                    project: "p".into(),
                    workspace: "w".into(),
                },
            }],
            entities: Vec::new(),
        };
        let index = LineIndex::new(&text);
        assert_eq!(
            document_links(&analysis, &index, PositionEncoding::Utf16, false)[0].tooltip,
            None
        );
        let links = document_links(&analysis, &index, PositionEncoding::Utf16, true);
        assert_eq!(links.len(), 1);
        assert_eq!(
            links[0].target.as_ref().unwrap().as_str(),
            "https://app.harness.io/ng/account/a1/module/iacm/orgs/o/projects/p/workspaces/w/resources"
        );
        assert_eq!(
            links[0].tooltip.as_deref(),
            Some("Open workspace w in Harness IaCM")
        );
        assert_eq!(links[0].range.start.character, 7);
        assert_eq!(links[0].range.end.character, 7 + url.len() as u32);
    }
}
