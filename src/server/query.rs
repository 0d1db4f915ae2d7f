//! The analysis a request works on: the stored one when it is current,
//! else a fresh one made on a blocking thread (the worker will store its
//! own shortly).

use std::sync::Arc;

use tower_lsp_server::ls_types::{Position, Uri};

use super::document::file_name;
use super::log;
use super::state::{Snapshot, State};
use crate::analysis::Analysis;

/// Runs `f` on a blocking thread with the snapshot's analysis.
pub async fn with_analysis<T: Send + 'static>(
    uri: &Uri,
    snapshot: Snapshot,
    f: impl FnOnce(&Snapshot, &Arc<Analysis>) -> T + Send + 'static,
) -> Option<T> {
    let name = file_name(uri);
    let job = tokio::task::spawn_blocking(move || {
        let analysis = match &snapshot.analysis {
            Some(analysis) => analysis.clone(),
            None => Arc::new(snapshot.analyze(name.as_deref())),
        };
        f(&snapshot, &analysis)
    });
    match job.await {
        Ok(value) => Some(value),
        Err(err) => {
            let why = if err.is_panic() {
                "panicked"
            } else {
                "was cancelled"
            };
            log!("request on {} {why}", uri.as_str());
            None
        }
    }
}

/// The snapshot's analysis; without a thread hop when it is current, as
/// for a hover on a file that is not being edited.
pub async fn analysis_of(uri: &Uri, snapshot: &Snapshot) -> Option<Arc<Analysis>> {
    match &snapshot.analysis {
        Some(analysis) => Some(analysis.clone()),
        None => with_analysis(uri, snapshot.clone(), |_, a| a.clone()).await,
    }
}

/// What a request at a cursor works on.
pub struct AtCursor {
    pub snapshot: Snapshot,
    pub analysis: Arc<Analysis>,
    /// The cursor as a byte offset into `snapshot.text`.
    pub offset: usize,
}

/// The open document `uri`, its analysis and the cursor's offset; `None`
/// when the document is not open or its analysis failed.
pub async fn at_cursor(state: &State, uri: &Uri, position: Position) -> Option<AtCursor> {
    let snapshot = state.snapshot(uri)?;
    let analysis = analysis_of(uri, &snapshot).await?;
    let offset = snapshot
        .line_index
        .offset(position.line, position.character, snapshot.encoding);
    Some(AtCursor {
        snapshot,
        analysis,
        offset,
    })
}
