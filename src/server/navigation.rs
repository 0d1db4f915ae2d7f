//! Definition, references, symbols, and the ref parts of hover and
//! completion: the `features` functions over the document's analysis and
//! the workspace index.

use tower_lsp_server::ls_types::{
    CompletionList, CompletionResponse, DocumentSymbol, Hover, HoverContents, Location,
    MarkupContent, MarkupKind, Position, SymbolInformation, Uri,
};

use super::completion::client_features;
use super::query::{AtCursor, analysis_of, at_cursor};
use super::state::State;
use crate::features::completion::refs::{ref_items, ref_site};
use crate::features::completion::to_lsp;
use crate::features::{definition, lsp_range, ref_hover, references, symbols};

pub async fn definition_at(state: &State, uri: &Uri, position: Position) -> Vec<Location> {
    let Some(at) = at_cursor(state, uri, position).await else {
        return Vec::new();
    };
    let enc = at.snapshot.encoding;
    definition::definition(&at.analysis, at.offset, &state.index.read(), enc)
}

pub async fn references_at(
    state: &State,
    uri: &Uri,
    position: Position,
    include_declaration: bool,
) -> Vec<Location> {
    let Some(at) = at_cursor(state, uri, position).await else {
        return Vec::new();
    };
    let enc = at.snapshot.encoding;
    references::references(
        &at.analysis,
        at.offset,
        &state.index.read(),
        include_declaration,
        enc,
    )
}

pub async fn document_symbols(state: &State, uri: &Uri) -> Option<Vec<DocumentSymbol>> {
    let snapshot = state.snapshot(uri)?;
    let analysis = analysis_of(uri, &snapshot).await?;
    Some(symbols::document_symbols(
        &analysis,
        &snapshot.line_index,
        snapshot.encoding,
    ))
}

pub fn workspace_symbols(state: &State, query: &str) -> Vec<SymbolInformation> {
    symbols::workspace_symbols(&state.index.read(), query, state.encoding())
}

/// The card of the ref under the cursor; `None` elsewhere (the workspace
/// URL hover then has its turn).
pub async fn ref_hover_at(state: &State, uri: &Uri, position: Position) -> Option<Hover> {
    let AtCursor {
        snapshot,
        analysis,
        offset,
    } = at_cursor(state, uri, position).await?;
    let (index, enc) = (&snapshot.line_index, snapshot.encoding);
    let (range, markdown) = ref_hover::ref_hover(&analysis, offset, &state.index.read())?;
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: markdown,
        }),
        range: Some(lsp_range(index, &range, enc)),
    })
}

/// The refs the cursor's field can take; `None` outside ref fields (the
/// workspace URL completion then has its turn).
pub async fn ref_completion_at(
    state: &State,
    uri: &Uri,
    position: Position,
) -> Option<CompletionResponse> {
    let AtCursor {
        snapshot,
        analysis,
        offset,
    } = at_cursor(state, uri, position).await?;
    if !analysis.is_catalog {
        return None;
    }
    let (index, enc, text) = (&snapshot.line_index, snapshot.encoding, &snapshot.text);
    let site = ref_site(text, offset, &analysis)?;
    let items = ref_items(&site, &state.index.read());
    let client = client_features(state);
    Some(CompletionResponse::List(CompletionList {
        is_incomplete: false,
        items: items
            .iter()
            .map(|item| to_lsp(item, index, enc, client))
            .collect(),
    }))
}
