//! `check --live`: the live diagnostics of every checked file, from one
//! round of concurrent fetches (one per workspace, however many files name
//! it), each bounded in time.

use std::collections::BTreeSet;
use std::time::Duration;

use crate::analysis::Analysis;
use crate::diagnostic::Diagnostic;
use crate::features::live_diagnostics::live_diagnostics;
use crate::harness::{LiveService, LiveState, WorkspaceKey};
use crate::settings::Settings;

/// How long one workspace may take; they are fetched concurrently, so this
/// also bounds the whole round.
const WAIT: Duration = Duration::from_secs(15);

pub const NO_KEY: &str =
    "--live: no Harness API key (set HARNESS_API_KEY); running the static checks only";

/// The live diagnostics of each analysis (in the same order), or `None`
/// when there is no API key (said once on stderr).
pub fn diagnostics(analyses: &[&Analysis], settings: &Settings) -> Option<Vec<Vec<Diagnostic>>> {
    if settings.api_key.is_none() {
        eprintln!("iacm-lsp: {NO_KEY}");
        return None;
    }
    let keys: BTreeSet<WorkspaceKey> = analyses
        .iter()
        .flat_map(|a| a.workspace_refs.iter().map(|r| r.key.clone()))
        .collect();
    let service = LiveService::new();
    service.configure(settings);
    if let Err(err) = fetch_all(&service, &keys) {
        eprintln!("iacm-lsp: warning: --live: cannot start the async runtime: {err}");
        return None;
    }
    for key in &keys {
        report_trouble(key, &service.state(key));
    }
    let account = service.key_account();
    let state_of = |key: &WorkspaceKey| service.state(key);
    Some(
        analyses
            .iter()
            .map(|a| live_diagnostics(a, &state_of, account.as_deref(), settings))
            .collect(),
    )
}

/// Requests every workspace and waits for all of them (each up to `WAIT`).
fn fetch_all(service: &LiveService, keys: &BTreeSet<WorkspaceKey>) -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let mut waits = tokio::task::JoinSet::new();
        for key in keys {
            let (service, key) = (service.clone(), key.clone());
            waits.spawn(async move { service.wait(&key, WAIT).await });
        }
        while waits.join_next().await.is_some() {}
    });
    // A fetch that outlived its wait must not hold up the exit.
    runtime.shutdown_background();
    Ok(())
}

/// Network trouble is not a diagnostic on the file, but the user should
/// know why a workspace was not checked. Error texts never hold the key.
fn report_trouble(key: &WorkspaceKey, state: &LiveState) {
    let name = format!(
        "{}/{}/{} at {}",
        key.org, key.project, key.workspace, key.origin
    );
    match state {
        LiveState::Loading => {
            eprintln!("iacm-lsp: warning: --live: no answer for workspace {name} within {WAIT:?}")
        }
        LiveState::Ready { data, .. } => {
            let errors = [data.workspace.as_ref().err(), data.resources.as_ref().err()];
            if let Some(error) = errors.into_iter().flatten().find(|e| !e.is_definitive()) {
                eprintln!("iacm-lsp: warning: --live: workspace {name}: {error}");
            }
        }
        // Not fetched on purpose; the static checks say why (workspace-url-host).
        LiveState::HostNotAllowed | LiveState::NoKey | LiveState::Disabled => {}
    }
}
