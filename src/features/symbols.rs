//! `textDocument/documentSymbol` (one per entity, `Kind name`) and
//! `workspace/symbol` (every entity of the workspace index).

use tower_lsp_server::ls_types::{DocumentSymbol, SymbolInformation, SymbolKind};

use super::lsp_range;
use super::navigation::location;
use crate::analysis::Analysis;
use crate::text::{LineIndex, PositionEncoding};
use crate::workspace_index::WorkspaceIndex;

/// More than a symbol picker can show; keeps a short query on a huge
/// workspace from sending megabytes.
pub const MAX_WORKSPACE_SYMBOLS: usize = 1000;

/// An LSP symbol kind per Backstage kind, so editors show distinct icons.
pub fn symbol_kind(kind: &str) -> SymbolKind {
    match kind.to_ascii_lowercase().as_str() {
        "component" => SymbolKind::CLASS,
        "api" => SymbolKind::INTERFACE,
        "resource" => SymbolKind::OBJECT,
        "system" => SymbolKind::PACKAGE,
        "domain" => SymbolKind::NAMESPACE,
        "group" => SymbolKind::STRUCT,
        "user" => SymbolKind::CONSTANT,
        "location" => SymbolKind::FILE,
        _ => SymbolKind::MODULE,
    }
}

#[allow(deprecated)] // `DocumentSymbol::deprecated` must still be filled in.
pub fn document_symbols(
    analysis: &Analysis,
    index: &LineIndex,
    enc: PositionEncoding,
) -> Vec<DocumentSymbol> {
    analysis
        .entities
        .iter()
        .map(|e| DocumentSymbol {
            name: if e.name.is_empty() {
                format!("{} (no name)", e.kind)
            } else {
                e.label()
            },
            detail: e.title.as_deref().map(str::to_string),
            kind: symbol_kind(&e.kind),
            tags: None,
            deprecated: None,
            range: lsp_range(index, &e.range, enc),
            selection_range: lsp_range(index, &e.name_range, enc),
            children: None,
        })
        .collect()
}

/// The entities whose `Kind name` (or title) holds the query's characters
/// in order, any case; sorted by name.
#[allow(deprecated)] // `SymbolInformation::deprecated` must still be filled in.
pub fn workspace_symbols(
    index: &WorkspaceIndex,
    query: &str,
    enc: PositionEncoding,
) -> Vec<SymbolInformation> {
    let query = query.to_lowercase();
    let mut found: Vec<_> = index
        .entities()
        .filter(|e| {
            let entity = e.item;
            matches(&entity.label().to_lowercase(), &query)
                || entity
                    .title
                    .as_ref()
                    .is_some_and(|t| matches(&t.to_lowercase(), &query))
        })
        .collect();
    found.sort_by(|a, b| {
        (&a.item.name, &a.item.kind, &a.file.uri).cmp(&(&b.item.name, &b.item.kind, &b.file.uri))
    });
    found
        .into_iter()
        .take(MAX_WORKSPACE_SYMBOLS)
        .filter_map(|e| {
            Some(SymbolInformation {
                name: e.item.label(),
                kind: symbol_kind(&e.item.kind),
                tags: None,
                deprecated: None,
                location: location(e.file, &e.item.name_range, enc)?,
                container_name: Some(index.display_path(&e.file.uri)),
            })
        })
        .collect()
}

/// Fuzzy match as symbol pickers do: the query's characters, in order.
fn matches(candidate: &str, query: &str) -> bool {
    let mut chars = candidate.chars();
    query
        .chars()
        .filter(|c| !c.is_whitespace())
        .all(|q| chars.any(|c| c == q))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::navigation::fixtures::*;
    use crate::features::navigation::test_index;
    use crate::settings::Settings;

    #[test]
    fn one_document_symbol_per_entity() {
        let analysis = crate::analysis::analyze_catalog(TEAMS, &Settings::default());
        let index = LineIndex::new(TEAMS);
        let found = document_symbols(&analysis, &index, PositionEncoding::Utf16);
        let names: Vec<(&str, SymbolKind, u32, u32)> = found
            .iter()
            .map(|s| {
                (
                    s.name.as_str(),
                    s.kind,
                    s.range.start.line,
                    s.selection_range.start.line,
                )
            })
            .collect();
        assert_eq!(
            names,
            [
                ("Group team-a", SymbolKind::STRUCT, 0, 2),
                ("User jane", SymbolKind::CONSTANT, 9, 11),
                ("System retail/shop", SymbolKind::PACKAGE, 16, 18),
            ]
        );
        assert_eq!(found[0].detail.as_deref(), Some("Team *A*"));
    }

    #[test]
    fn workspace_symbols_match_the_query_fuzzily_in_any_case() {
        let index = test_index(&[(TEAMS_URI, TEAMS), (SVC_URI, SVC)]);
        let names = |query: &str| -> Vec<String> {
            workspace_symbols(&index, query, PositionEncoding::Utf16)
                .into_iter()
                .map(|s| s.name)
                .collect()
        };
        assert_eq!(
            names(""),
            [
                "User jane",
                "System retail/shop",
                "Component svc",
                "Group team-a"
            ]
        );
        assert_eq!(names("GRP tma"), ["Group team-a"]);
        assert_eq!(names("sys"), ["System retail/shop"]);
        assert!(names("zzz").is_empty());
        let found = workspace_symbols(&index, "svc", PositionEncoding::Utf16);
        assert_eq!(
            found[0].container_name.as_deref(),
            Some("svc/catalog-info.yaml")
        );
    }
}
