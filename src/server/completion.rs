//! `textDocument/completion`: the lists the cursor needs are fetched (or
//! taken from the cache) with a bounded wait, then `features::completion`
//! builds the items on the snapshot, with no lock held across the waits.

use std::time::Duration;

use tower_lsp_server::ls_types::{CompletionList, CompletionResponse, Position, Uri};

use super::query::{AtCursor, at_cursor};
use super::state::State;
use crate::features::completion::{ClientFeatures, Inputs, complete, needed_lists, to_lsp};

/// How long completion waits for a cold list before it answers with what
/// it has and `isIncomplete` (the client then asks again).
const LIST_WAIT: Duration = Duration::from_secs(1);

pub async fn complete_at(
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
    let live = &state.live;
    let account = live.key_account();
    let lists = needed_lists(text, offset, &analysis, account.as_deref());
    // All fetches start at once; the waits share one deadline.
    for key in &lists {
        live.request_list(key);
    }
    let deadline = tokio::time::Instant::now() + LIST_WAIT;
    for key in &lists {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        live.wait_list(key, left).await;
    }
    let found = complete(&Inputs {
        text,
        offset,
        analysis: &analysis,
        list: &|k| live.list_state(k),
        key_account: account.as_deref(),
        workspace: &|k| live.state(k),
    });
    let client = client_features(state);
    Some(CompletionResponse::List(CompletionList {
        is_incomplete: found.is_incomplete,
        items: found
            .items
            .iter()
            .map(|item| to_lsp(item, index, enc, client))
            .collect(),
    }))
}

/// What the client's completion support lets items use.
pub fn client_features(state: &State) -> ClientFeatures {
    let support = state.client();
    ClientFeatures {
        snippets: support.snippets,
        markdown_documentation: support.completion_markdown,
        insert_as_is: support.insert_as_is,
    }
}
