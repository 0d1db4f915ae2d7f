//! The workspace index in the server: filled at start-up from the catalog
//! files of the workspace folders (in the background, with progress when
//! the client shows it), kept current from `didChangeWatchedFiles` and from
//! the analyses of open documents; and the `entity-ref-unresolved` hints
//! it decides, published with the static diagnostics.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::{Duration, Instant};

use tower_lsp_server::Client;
use tower_lsp_server::ls_types::{
    self, DidChangeWatchedFilesRegistrationOptions, FileChangeType, FileEvent, FileSystemWatcher,
    GlobPattern, InitializeParams, NumberOrString, Registration, Uri, WorkspaceFolder,
    WorkspaceFoldersChangeEvent,
};

use super::log;
use super::publish::republish;
use super::state::{Published, State};
use crate::analysis::{Analysis, analyze_catalog, is_catalog_file};
use crate::catalog::refs::unresolved;
use crate::cli::{discover, source};
use crate::diagnostic::Code;
use crate::features::diagnostics::to_lsp_diagnostic;
use crate::settings::Settings;
use crate::text::LineIndex;
use crate::workspace_index::{IndexedFile, WorkspaceIndex};

/// Files read per blocking job; progress is reported between jobs.
const BATCH: usize = 64;
/// A client that never answers a request must not hold indexing up.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(5);
const PROGRESS_TOKEN: &str = "iacm-lsp/index";
const WATCH_REGISTRATION: &str = "iacm-lsp/watch-catalog-files";

#[derive(Default)]
pub struct IndexState {
    index: RwLock<WorkspaceIndex>,
    /// Workspace folder paths, from `initialize`.
    roots: Mutex<Vec<PathBuf>>,
    /// Start-up indexing has begun (it runs once).
    started: AtomicBool,
    /// Start-up indexing is done: until then an unknown ref may just not
    /// be read yet, so no `entity-ref-unresolved` is published.
    ready: AtomicBool,
}

impl IndexState {
    pub fn read(&self) -> RwLockReadGuard<'_, WorkspaceIndex> {
        self.index.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, WorkspaceIndex> {
        self.index.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// The workspace folders of `initialize` (`workspaceFolders`, else
    /// `rootUri`), as paths.
    pub fn set_roots(&self, params: &InitializeParams) {
        #[allow(deprecated)] // `rootUri` is how older clients name the folder.
        let uris: Vec<&Uri> = match &params.workspace_folders {
            Some(folders) if !folders.is_empty() => folders.iter().map(|f| &f.uri).collect(),
            _ => params.root_uri.iter().collect(),
        };
        let roots: Vec<PathBuf> = uris
            .into_iter()
            .filter_map(|u| file_path(u.as_str()))
            .collect();
        self.replace_roots(roots);
    }

    fn roots(&self) -> Vec<PathBuf> {
        self.roots
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn replace_roots(&self, roots: Vec<PathBuf>) {
        let shown = roots.iter().map(|r| r.to_string_lossy().into_owned());
        self.write().set_roots(shown.collect());
        *self.roots.lock().unwrap_or_else(PoisonError::into_inner) = roots;
    }
}

fn file_path(uri: &str) -> Option<PathBuf> {
    let url = url::Url::parse(uri).ok()?;
    (url.scheme() == "file").then(|| url.to_file_path().ok())?
}

/// Whether `entity-ref-unresolved` is on: it costs a lookup per ref on
/// each publish, and re-publishing when the index changes.
fn hints_on(settings: &Settings) -> bool {
    settings.severity(Code::EntityRefUnresolved).is_some()
}

/// `diagnostics` (a document's static and live ones) with its
/// `entity-ref-unresolved` hints when they are switched on. Index lookups
/// only: nothing is read from disk here.
pub fn with_unresolved(
    state: &State,
    doc: &Published,
    mut diagnostics: Vec<ls_types::Diagnostic>,
) -> Vec<ls_types::Diagnostic> {
    let Some(severity) = doc.settings.severity(Code::EntityRefUnresolved) else {
        return diagnostics;
    };
    if !state.index.ready.load(Ordering::Acquire) || doc.analysis.entities.is_empty() {
        return diagnostics;
    }
    let hints = {
        let index = state.index.read();
        unresolved(&doc.analysis.entities, |key| index.contains(key))
    };
    for mut hint in hints {
        hint.severity = severity;
        diagnostics.push(to_lsp_diagnostic(&hint, &doc.line_index, doc.encoding));
    }
    diagnostics
}

/// An open document's new analysis stands in for its file. When that
/// changes which entities exist, the other documents' hints may change.
pub fn document_analysed(
    state: &Arc<State>,
    client: &Client,
    uri: &Uri,
    analysis: &Arc<Analysis>,
    line_index: &Arc<LineIndex>,
) {
    let file = IndexedFile::new(uri.as_str(), line_index.clone(), analysis.clone());
    if state.index.write().set_open(file) {
        index_changed(state, client);
    }
}

pub fn document_closed(state: &Arc<State>, client: &Client, uri: &Uri) {
    if state.index.write().close(uri.as_str()) {
        index_changed(state, client);
    }
}

/// Publishes every document again when the hints are on.
fn index_changed(state: &Arc<State>, client: &Client) {
    if hints_on(&state.settings()) && state.index.ready.load(Ordering::Acquire) {
        let (state, client) = (state.clone(), client.clone());
        tokio::spawn(async move { republish(&state, &client, None).await });
    }
}

/// Indexes the workspace folders once, in the background, and asks the
/// client to tell us when YAML files change.
pub fn start(state: &Arc<State>, client: &Client) {
    if state.index.started.swap(true, Ordering::SeqCst) {
        return;
    }
    let (state, client) = (state.clone(), client.clone());
    tokio::spawn(async move {
        if state.client().watched_files_registration {
            // On its own task: a slow answer must not hold indexing up.
            tokio::spawn(watch(client.clone()));
        }
        let roots = state.index.roots();
        index_folders(&state, &client, roots).await;
        state.index.ready.store(true, Ordering::Release);
        if hints_on(&state.settings()) {
            republish(&state, &client, None).await;
        }
    });
}

async fn watch(client: Client) {
    let options = DidChangeWatchedFilesRegistrationOptions {
        watchers: vec![FileSystemWatcher {
            glob_pattern: GlobPattern::String("**/*.{yaml,yml}".to_string()),
            kind: None,
        }],
    };
    let registration = Registration {
        id: WATCH_REGISTRATION.to_string(),
        method: "workspace/didChangeWatchedFiles".to_string(),
        register_options: serde_json::to_value(options).ok(),
    };
    match tokio::time::timeout(
        CLIENT_TIMEOUT,
        client.register_capability(vec![registration]),
    )
    .await
    {
        Ok(Ok(())) => {}
        Ok(Err(err)) => log!("cannot watch catalog files: {}", err.message),
        Err(_) => log!("client/registerCapability: no answer within {CLIENT_TIMEOUT:?}"),
    }
}

/// Reads the catalog files under `roots` into the index, with progress
/// where the client shows it.
async fn index_folders(state: &Arc<State>, client: &Client, roots: Vec<PathBuf>) {
    if roots.is_empty() {
        return;
    }
    let started = Instant::now();
    let progress = if state.client().work_done_progress {
        let token = NumberOrString::String(PROGRESS_TOKEN.to_string());
        match tokio::time::timeout(
            CLIENT_TIMEOUT,
            client.create_work_done_progress(token.clone()),
        )
        .await
        {
            Ok(Ok(())) => Some(
                client
                    .progress(token, "Indexing catalog files")
                    .with_percentage(0)
                    .begin()
                    .await,
            ),
            _ => None,
        }
    } else {
        None
    };
    let found = tokio::task::spawn_blocking(move || discover::find(&roots)).await;
    let paths: Vec<PathBuf> = match found {
        Ok(found) => found.targets.into_iter().map(|t| t.path).collect(),
        Err(_) => Vec::new(),
    };
    let total = paths.len();
    let mut done = 0;
    let mut entities = 0;
    let mut catalog_files = 0;
    for batch in paths.chunks(BATCH) {
        let batch = batch.to_vec();
        let Ok(files) = tokio::task::spawn_blocking(move || {
            batch.iter().filter_map(|p| read(p)).collect::<Vec<_>>()
        })
        .await
        else {
            continue;
        };
        done += BATCH.min(total - done);
        {
            let mut index = state.index.write();
            for file in files {
                catalog_files += 1;
                entities += file.entities().len();
                index.set_disk(file);
            }
        }
        if let Some(progress) = &progress {
            let percent = (done * 100 / total.max(1)) as u32;
            progress
                .report_with_message(format!("{done}/{total} YAML files"), percent)
                .await;
        }
    }
    let message = format!(
        "{catalog_files} catalog files, {entities} entities in {} ms",
        started.elapsed().as_millis()
    );
    log!("indexed {message}");
    // Ready before the client hears that indexing is done.
    state.index.ready.store(true, Ordering::Release);
    if let Some(progress) = progress {
        progress.finish_with_message(message).await;
    }
}

/// A catalog file on disk, ready for the index; `None` when it cannot be
/// read or is not a catalog file.
fn read(path: &Path) -> Option<IndexedFile> {
    let text = source::load(path).ok()?.text;
    let name = path.file_name()?.to_string_lossy();
    if !is_catalog_file(Some(&name), &text) {
        return None;
    }
    let uri = url::Url::from_file_path(path).ok()?.to_string();
    let mut analysis = analyze_catalog(&text, &Settings::default());
    // Only the entities are kept for files that are not open.
    analysis.diagnostics = Vec::new();
    analysis.workspace_refs = Vec::new();
    Some(IndexedFile::new(
        uri,
        Arc::new(LineIndex::new(&text)),
        Arc::new(analysis),
    ))
}

/// Files created, changed or deleted on disk (open documents keep
/// standing in for theirs until closed).
pub async fn files_changed(state: &Arc<State>, client: &Client, events: Vec<FileEvent>) {
    let read_all = tokio::task::spawn_blocking(move || {
        events
            .into_iter()
            .map(|event| {
                let uri = event.uri.as_str().to_string();
                let file = if event.typ == FileChangeType::DELETED {
                    None
                } else {
                    file_path(&uri).and_then(|p| read(&p))
                };
                (uri, file)
            })
            .collect::<Vec<_>>()
    });
    let Ok(updates) = read_all.await else {
        return;
    };
    let mut changed = false;
    {
        let mut index = state.index.write();
        for (uri, file) in updates {
            changed |= match file {
                Some(file) => index.set_disk(file),
                // Deleted, or no longer a catalog file.
                None => index.remove_disk(&uri),
            };
        }
    }
    if changed {
        index_changed(state, client);
    }
}

/// Workspace folders added (indexed) or removed (their files dropped).
pub async fn folders_changed(
    state: &Arc<State>,
    client: &Client,
    event: WorkspaceFoldersChangeEvent,
) {
    let paths = |folders: &[WorkspaceFolder]| -> Vec<PathBuf> {
        folders
            .iter()
            .filter_map(|f| file_path(f.uri.as_str()))
            .collect()
    };
    let (added, removed) = (paths(&event.added), paths(&event.removed));
    let mut roots = state.index.roots();
    roots.retain(|r| !removed.contains(r));
    for root in &added {
        if !roots.contains(root) {
            roots.push(root.clone());
        }
    }
    state.index.replace_roots(roots);
    let mut changed = false;
    for root in &removed {
        changed |= state.index.write().remove_under(&root.to_string_lossy());
    }
    if changed {
        index_changed(state, client);
    }
    if !added.is_empty() {
        index_folders(state, client, added).await;
        index_changed(state, client);
    }
}
