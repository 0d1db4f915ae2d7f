//! Live Harness data in the server: start fetches for what a document
//! mentions, add live diagnostics to the static ones, and publish again
//! when a fetch completes.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::broadcast::error::{RecvError, TryRecvError};
use tower_lsp_server::Client;
use tower_lsp_server::ls_types::Diagnostic;

use super::log;
use super::publish::republish;
use super::state::{Published, State};
use crate::analysis::Analysis;
use crate::features::diagnostics::to_lsp_diagnostic;
use crate::features::live_diagnostics::live_diagnostics;
use crate::harness::{LiveService, LiveState, WorkspaceKey};
use crate::settings::Settings;

/// How long the client gets to answer `workspace/codeLens/refresh`: a
/// client that never answers must not pile up pending requests forever.
const CLIENT_REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

/// Completions this close together make one batch: a file naming many
/// workspaces is published (and its lenses refreshed) a few times, not
/// once per workspace. Short enough that nobody notices the wait.
const BATCH_WINDOW: Duration = Duration::from_millis(50);

/// Whether live data can exist with these settings: without a key nothing
/// is fetched and no live diagnostic applies, so a large file skips the
/// per-URL work on every keystroke.
fn live_possible(settings: &Settings) -> bool {
    settings.live && settings.api_key.is_some()
}

/// Starts a background fetch for each workspace that has no fresh data.
/// Never waits.
pub fn request_all(live: &LiveService, settings: &Settings, analysis: &Analysis) {
    if !live_possible(settings) {
        return;
    }
    // A large file names few workspaces many times.
    let distinct: HashSet<&WorkspaceKey> = analysis.workspace_refs.iter().map(|r| &r.key).collect();
    for key in distinct {
        live.request(key);
    }
}

/// `look_up` called once per workspace, not once per URL: every URL of a
/// workspace gets the same answer, at a fraction of the cost on a large
/// file.
pub fn per_workspace(
    look_up: impl Fn(&WorkspaceKey) -> LiveState,
) -> impl Fn(&WorkspaceKey) -> LiveState {
    let seen = RefCell::new(HashMap::new());
    move |key: &WorkspaceKey| {
        if let Some(state) = seen.borrow().get(key) {
            return LiveState::clone(state);
        }
        let state = look_up(key);
        seen.borrow_mut().insert(key.clone(), state.clone());
        state
    }
}

/// The document's static diagnostics followed by the live ones, as the
/// live data stands now.
pub fn with_live(live: &LiveService, doc: &Published) -> Vec<Diagnostic> {
    if !live_possible(&doc.settings) {
        return doc.diagnostics.as_ref().clone();
    }
    let account = live.key_account();
    let state_of = per_workspace(|key| live.state(key));
    let extra = live_diagnostics(&doc.analysis, &state_of, account.as_deref(), &doc.settings);
    let mut all = Vec::with_capacity(doc.diagnostics.len() + extra.len());
    all.extend(doc.diagnostics.iter().cloned());
    all.extend(
        extra
            .iter()
            .map(|d| to_lsp_diagnostic(d, &doc.line_index, doc.encoding)),
    );
    all
}

/// Runs until the service goes away: each time fetches complete, the
/// documents that mention those workspaces are published again and the
/// client is asked to refresh its code lenses. A burst of completions is
/// handled as one batch.
pub async fn follow_live_data(state: Arc<State>, client: Client) {
    let mut completions = state.live.subscribe();
    loop {
        let mut keys = HashSet::new();
        // After a lag some completions were missed: publish every document.
        let mut all = false;
        match completions.recv().await {
            Ok(key) => {
                keys.insert(key);
            }
            Err(RecvError::Lagged(_)) => all = true,
            Err(RecvError::Closed) => return,
        }
        tokio::time::sleep(BATCH_WINDOW).await;
        loop {
            match completions.try_recv() {
                Ok(key) => {
                    keys.insert(key);
                }
                Err(TryRecvError::Lagged(_)) => all = true,
                Err(TryRecvError::Empty | TryRecvError::Closed) => break,
            }
        }
        for key in &keys {
            log_failures(&state.live, key);
        }
        republish(&state, &client, (!all).then_some(&keys)).await;
        if state.client().code_lens_refresh {
            let client = client.clone();
            tokio::spawn(async move {
                let _ =
                    tokio::time::timeout(CLIENT_REQUEST_TIMEOUT, client.code_lens_refresh()).await;
            });
        }
    }
}

/// Network trouble is not a diagnostic on the file; it goes to the log
/// (the hover shows it too). Error texts never hold the API key.
fn log_failures(live: &LiveService, key: &WorkspaceKey) {
    let LiveState::Ready { data, .. } = live.state(key) else {
        return;
    };
    let errors = [
        ("workspace", data.workspace.as_ref().err()),
        ("resources", data.resources.as_ref().err()),
        ("activities", data.activities.as_ref().err()),
    ];
    for (what, error) in errors {
        if let Some(error) = error.filter(|e| !e.is_definitive()) {
            log!(
                "{what} of workspace {}/{}/{} at {}: {error}",
                key.org,
                key.project,
                key.workspace,
                key.origin
            );
        }
    }
}
