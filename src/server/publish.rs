//! Analysis workers: analyse a document off the async threads and publish
//! its diagnostics (static and live), tagged with the version they were
//! computed for.

use std::sync::Arc;

use tower_lsp_server::Client;
use tower_lsp_server::ls_types::{Diagnostic, Uri};

use super::document::file_name;
use super::index::{document_analysed, with_unresolved};
use super::live::{request_all, with_live};
use super::log;
use super::state::{Finished, Published, Snapshot, State};
use crate::analysis::Analysis;
use crate::features::diagnostics::to_lsp_diagnostics;

/// Analyses `uri` until the analysis matches the document's latest
/// revision, then publishes it. There is at most one worker per document
/// (see `Doc::analysing`); changes made meanwhile are picked up by the
/// next round instead of starting more analyses.
pub async fn analyse_and_publish(state: Arc<State>, client: Client, uri: Uri, id: u64) {
    loop {
        let Some(snapshot) = state.snapshot(&uri).filter(|s| s.id == id) else {
            return;
        };
        let (analysis, diagnostics) = analyse_off_thread(&uri, &snapshot).await;
        // Fetches start now; their results re-publish when they arrive.
        request_all(&state.live, &snapshot.settings, &analysis);
        let diagnostics = Arc::new(diagnostics);
        // Check and publish under the gate: a close, or another round,
        // cannot slip its publish in between, and live diagnostics are read
        // in the same order as they are published.
        let _gate = state.publish_gate.lock().await;
        match state.finish(&uri, &snapshot, analysis.clone(), diagnostics.clone()) {
            Finished::Current(version) => {
                let published = Published {
                    uri,
                    version,
                    analysis,
                    diagnostics,
                    line_index: snapshot.line_index.clone(),
                    settings: snapshot.settings.clone(),
                    encoding: snapshot.encoding,
                };
                // The index first, so this document's hints see its own entities.
                document_analysed(
                    &state,
                    &client,
                    &published.uri,
                    &published.analysis,
                    &published.line_index,
                );
                let all = with_unresolved(&state, &published, with_live(&state.live, &published));
                client
                    .publish_diagnostics(published.uri, all, Some(version))
                    .await;
                return;
            }
            Finished::Stale => continue,
            Finished::Gone => return,
        }
    }
}

/// Runs `analyze` and the conversion to LSP diagnostics on a blocking
/// thread, so a large file does not stall the transport.
pub async fn analyse_off_thread(
    uri: &Uri,
    snapshot: &Snapshot,
) -> (Arc<Analysis>, Vec<Diagnostic>) {
    let name = file_name(uri);
    let snapshot = snapshot.clone();
    let job = tokio::task::spawn_blocking(move || {
        let analysis = snapshot.analyze(name.as_deref());
        let diagnostics = to_lsp_diagnostics(&analysis, &snapshot.line_index, snapshot.encoding);
        (Arc::new(analysis), diagnostics)
    });
    match job.await {
        Ok(done) => done,
        Err(err) => {
            // A bug in the analysis must not kill the server; the document
            // just gets no diagnostics until its next change.
            // The panic hook has printed the details already.
            let why = if err.is_panic() {
                "panicked"
            } else {
                "was cancelled"
            };
            log!("analysis of {} {why}", uri.as_str());
            (Arc::default(), Vec::new())
        }
    }
}

/// Publishes again, with the live data as it is now, every document with
/// a current analysis that mentions one of `keys` (all with `None`).
pub async fn republish(
    state: &State,
    client: &Client,
    keys: Option<&std::collections::HashSet<crate::harness::WorkspaceKey>>,
) {
    let _gate = state.publish_gate.lock().await;
    // Listed under the gate: no worker can store a newer analysis (and
    // publish it) between the listing and these publishes.
    for published in state.published_referencing(keys) {
        let all = with_unresolved(state, &published, with_live(&state.live, &published));
        client
            .publish_diagnostics(published.uri, all, Some(published.version))
            .await;
    }
}

/// Publishes an empty list, e.g. when a document closes, so its
/// diagnostics do not linger in the editor.
pub async fn clear(state: &State, client: &Client, uri: Uri) {
    let _gate = state.publish_gate.lock().await;
    client.publish_diagnostics(uri, Vec::new(), None).await;
}
