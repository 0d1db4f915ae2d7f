//! `textDocument/hover` and `textDocument/codeLens`: the features' output
//! over live data, in LSP form.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tower_lsp_server::ls_types::{
    CodeLens, Command, Hover, HoverContents, MarkupContent, MarkupKind, Position, Uri,
};

use super::live::per_workspace;
use super::query::{analysis_of, with_analysis};
use super::state::State;
use crate::features::code_lens::code_lenses;
use crate::features::hover::{hover, hover_target};
use crate::features::lsp_range;

/// How long a hover waits for a workspace's first fetch before it says
/// "loading" (the card shows on the next hover).
const HOVER_WAIT: Duration = Duration::from_millis(1500);

pub async fn hover_at(state: &State, uri: &Uri, position: Position) -> Option<Hover> {
    let snapshot = state.snapshot(uri)?;
    let analysis = analysis_of(uri, &snapshot).await?;
    let (index, enc, text) = (&snapshot.line_index, snapshot.encoding, &snapshot.text);
    let offset = index.offset(position.line, position.character, enc);
    let key = hover_target(&analysis, text, offset)?.key.clone();
    // Only owned snapshots are held here: other requests go on meanwhile.
    state.live.wait(&key, HOVER_WAIT).await;
    let live = &state.live;
    let (range, markdown) = hover(
        &analysis,
        text,
        offset,
        &|k| live.state(k),
        SystemTime::now(),
    )?;
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: markdown,
        }),
        range: Some(lsp_range(index, &range, enc)),
    })
}

/// The lenses of a document; asking for them starts the fetches they need
/// (a `workspace/codeLens/refresh` follows when data arrives).
pub async fn lenses(state: &Arc<State>, uri: &Uri) -> Option<Vec<CodeLens>> {
    let snapshot = state.snapshot(uri)?;
    let live = state.live.clone();
    with_analysis(uri, snapshot, move |snap, analysis| {
        code_lenses(analysis, &per_workspace(|k| live.request(k)))
            .into_iter()
            .map(|lens| CodeLens {
                range: lsp_range(&snap.line_index, &lens.range, snap.encoding),
                command: Some(Command {
                    title: lens.title,
                    command: lens.command.to_string(),
                    arguments: (!lens.arguments.is_empty()).then_some(lens.arguments),
                }),
                data: None,
            })
            .collect()
    })
    .await
}
