//! Server state shared by the handlers: open documents, settings, the
//! negotiated position encoding and the live data service. Everything here
//! is synchronous (std locks, never held across an `.await`), so a handler
//! can update it on its first poll, before tower-lsp-server starts the next
//! handler.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};

use tower_lsp_server::ls_types::{self, TextDocumentContentChangeEvent, Uri};

use super::capabilities::ClientSupport;
use super::document::{Analysed, Doc};
use crate::analysis::{Analysis, Incremental};
use crate::harness::{LiveService, WorkspaceKey};
use crate::settings::Settings;
use crate::text::{LineIndex, PositionEncoding};

#[derive(Default)]
pub struct State {
    docs: Mutex<HashMap<Uri, Doc>>,
    settings: RwLock<Arc<Settings>>,
    encoding: RwLock<PositionEncoding>,
    /// What the client can do beyond the basics, from `initialize`.
    client: RwLock<ClientSupport>,
    /// Live Harness data; configured whenever the settings change.
    pub live: LiveService,
    /// Source of document ids and revisions (one counter: both only need
    /// to be unique and increasing).
    counter: AtomicU64,
    /// Serialises "is this still current? then publish", so diagnostics of
    /// an older revision can never reach the client after newer ones.
    pub publish_gate: tokio::sync::Mutex<()>,
    /// Whether the client resolves code action edits lazily.
    pub lazy_edits: AtomicBool,
    /// Set by `shutdown`; decides the exit status after `exit`.
    pub shutdown_requested: AtomicBool,
    /// The entities of the workspace's catalog files (navigation).
    pub index: super::index::IndexState,
    /// Never fetch live data, whatever the settings say (the fuzzer).
    offline: bool,
}

/// What a handler needs of a document, taken under the lock and then
/// used without it.
#[derive(Clone)]
pub struct Snapshot {
    pub id: u64,
    pub revision: u64,
    pub text: Arc<String>,
    pub line_index: Arc<LineIndex>,
    /// Only when current: older analyses do not match `text`.
    pub analysis: Option<Arc<Analysis>>,
    pub settings: Arc<Settings>,
    pub encoding: PositionEncoding,
    /// The document's incremental analysis.
    pub analyzer: Arc<Mutex<Incremental>>,
}

impl Snapshot {
    /// Analyses the snapshot's text, reusing the results of the YAML
    /// documents that did not change since the last analysis.
    pub fn analyze(&self, file_name: Option<&str>) -> Analysis {
        self.analyzer
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .analyze(&self.text, file_name, &self.line_index, &self.settings)
    }
}

/// A document whose diagnostics can be published again as they are, with
/// fresh live ones: its analysis is current.
pub struct Published {
    pub uri: Uri,
    pub version: i32,
    pub analysis: Arc<Analysis>,
    /// The static diagnostics, already in LSP form.
    pub diagnostics: Arc<Vec<ls_types::Diagnostic>>,
    pub line_index: Arc<LineIndex>,
    pub settings: Arc<Settings>,
    pub encoding: PositionEncoding,
}

/// The outcome of offering a finished analysis to the state.
pub enum Finished {
    /// Stored; publish it with this version.
    Current(i32),
    /// The document moved on while we analysed: analyse again.
    Stale,
    /// The document was closed (or reopened, with its own worker).
    Gone,
}

impl State {
    fn docs(&self) -> MutexGuard<'_, HashMap<Uri, Doc>> {
        // A panic elsewhere must not take every later request down with it.
        self.docs.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A state whose live service never fetches.
    pub fn offline() -> Self {
        State {
            offline: true,
            ..State::default()
        }
    }

    fn configure_live(&self, settings: &Settings) {
        if self.offline {
            let mut off = settings.clone();
            off.live = false;
            self.live.configure(&off);
        } else {
            self.live.configure(settings);
        }
    }

    fn next(&self) -> u64 {
        self.counter.fetch_add(1, Ordering::Relaxed) + 1
    }

    pub fn encoding(&self) -> PositionEncoding {
        *self.encoding.read().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn set_encoding(&self, enc: PositionEncoding) {
        *self
            .encoding
            .write()
            .unwrap_or_else(PoisonError::into_inner) = enc;
    }

    pub fn settings(&self) -> Arc<Settings> {
        self.settings
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub fn client(&self) -> ClientSupport {
        *self.client.read().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn set_client(&self, support: ClientSupport) {
        *self.client.write().unwrap_or_else(PoisonError::into_inner) = support;
    }

    pub fn set_settings(&self, settings: Settings) {
        let mut current = self
            .settings
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        self.configure_live(&settings);
        *current = Arc::new(settings);
    }

    /// Applies client settings JSON on top of the current settings. When
    /// that changes them, reconfigures the live service and marks every
    /// document for re-analysis. Returns the settings warnings and the
    /// documents that need a new worker.
    pub fn update_settings(&self, value: &serde_json::Value) -> (Vec<String>, Vec<(Uri, u64)>) {
        let (warnings, changed) = {
            // Read, modify and write under one lock: no update is lost, and
            // the service is configured in the same order as the settings.
            let mut current = self
                .settings
                .write()
                .unwrap_or_else(PoisonError::into_inner);
            let mut settings = (**current).clone();
            let warnings = settings.apply_json(value);
            let changed = settings != **current;
            if changed {
                self.configure_live(&settings);
                *current = Arc::new(settings);
            }
            (warnings, changed)
        };
        if !changed {
            return (warnings, Vec::new());
        }
        let mut docs = self.docs();
        let mut start = Vec::new();
        for (uri, doc) in docs.iter_mut() {
            doc.revision = self.next();
            if !doc.analysing {
                doc.analysing = true;
                start.push((uri.clone(), doc.id));
            }
        }
        (warnings, start)
    }

    /// Opens (or re-opens) a document. Returns its id; the caller starts
    /// its analysis worker.
    pub fn open(&self, uri: Uri, version: i32, text: String) -> u64 {
        let id = self.next();
        let mut doc = Doc::new(id, version, self.next(), text);
        doc.analysing = true;
        self.docs().insert(uri, doc);
        id
    }

    /// Applies a change unless its version is not newer than the stored
    /// one (handlers run concurrently, so an old change can arrive late).
    /// Returns the document id when a worker must be started.
    pub fn change(
        &self,
        uri: &Uri,
        version: i32,
        changes: Vec<TextDocumentContentChangeEvent>,
    ) -> Result<Option<u64>, &'static str> {
        let enc = self.encoding();
        let mut docs = self.docs();
        let doc = docs
            .get_mut(uri)
            .ok_or("change for a document that is not open")?;
        if version <= doc.version {
            return Err("change older than the document, ignored");
        }
        doc.apply_changes(changes, enc);
        doc.version = version;
        doc.revision = self.next();
        Ok((!std::mem::replace(&mut doc.analysing, true)).then_some(doc.id))
    }

    pub fn close(&self, uri: &Uri) -> bool {
        self.docs().remove(uri).is_some()
    }

    pub fn snapshot(&self, uri: &Uri) -> Option<Snapshot> {
        let settings = self.settings();
        let encoding = self.encoding();
        let docs = self.docs();
        let doc = docs.get(uri)?;
        Some(Snapshot {
            id: doc.id,
            revision: doc.revision,
            text: doc.text.clone(),
            line_index: doc.line_index.clone(),
            analysis: doc.current_analysis(),
            settings,
            encoding,
            analyzer: doc.analyzer.clone(),
        })
    }

    /// Offers an analysis made from `snapshot` (and its static diagnostics);
    /// stores it if the document is still at that revision, and then marks
    /// its worker finished.
    pub fn finish(
        &self,
        uri: &Uri,
        snapshot: &Snapshot,
        analysis: Arc<Analysis>,
        diagnostics: Arc<Vec<ls_types::Diagnostic>>,
    ) -> Finished {
        let mut docs = self.docs();
        let Some(doc) = docs.get_mut(uri).filter(|d| d.id == snapshot.id) else {
            return Finished::Gone;
        };
        if doc.revision != snapshot.revision {
            return Finished::Stale;
        }
        doc.analysis = Some(Analysed {
            revision: snapshot.revision,
            analysis,
            diagnostics,
        });
        doc.analysing = false;
        Finished::Current(doc.version)
    }

    /// The documents with a current analysis that mention one of `keys`
    /// (every such document when `keys` is `None`). The others have a
    /// worker under way, which will publish fresh live diagnostics itself.
    pub fn published_referencing(&self, keys: Option<&HashSet<WorkspaceKey>>) -> Vec<Published> {
        let settings = self.settings();
        let encoding = self.encoding();
        // Borrowed fields: a large file's URLs are matched without a copy.
        let wanted: Option<HashSet<&WorkspaceKey>> = keys.map(|keys| keys.iter().collect());
        let docs = self.docs();
        docs.iter()
            .filter_map(|(uri, doc)| {
                let current = doc.current()?;
                let mentions = |wanted: &HashSet<_>| {
                    current
                        .analysis
                        .workspace_refs
                        .iter()
                        .any(|r| wanted.contains(&r.key))
                };
                wanted.as_ref().is_none_or(mentions).then(|| Published {
                    uri: uri.clone(),
                    version: doc.version,
                    analysis: current.analysis.clone(),
                    diagnostics: current.diagnostics.clone(),
                    line_index: doc.line_index.clone(),
                    settings: settings.clone(),
                    encoding,
                })
            })
            .collect()
    }

    /// The current analyses of all open documents (for `iacm.refresh`).
    pub fn current_analyses(&self) -> Vec<Arc<Analysis>> {
        self.docs()
            .values()
            .filter_map(|doc| doc.current_analysis())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri() -> Uri {
        "file:///r/catalog-info.yaml".parse().unwrap()
    }

    fn full(text: &str) -> Vec<TextDocumentContentChangeEvent> {
        vec![TextDocumentContentChangeEvent {
            range: None,
            range_length: None,
            text: text.into(),
        }]
    }

    #[test]
    fn stale_and_unknown_changes_are_ignored() {
        let state = State::default();
        let id = state.open(uri(), 5, "a".into());
        assert!(state.change(&uri(), 5, full("b")).is_err());
        assert!(state.change(&uri(), 4, full("c")).is_err());
        let other: Uri = "file:///r/other.yaml".parse().unwrap();
        assert!(state.change(&other, 9, full("d")).is_err());
        // A worker is already running since open, so none is started.
        assert_eq!(state.change(&uri(), 6, full("e")), Ok(None));
        let snap = state.snapshot(&uri()).unwrap();
        assert_eq!((snap.id, snap.text.as_str()), (id, "e"));
    }

    #[test]
    fn only_an_analysis_of_the_current_revision_is_kept() {
        let state = State::default();
        state.open(uri(), 1, "a".into());
        let old = state.snapshot(&uri()).unwrap();
        state.change(&uri(), 2, full("b")).unwrap();
        assert!(matches!(
            state.finish(&uri(), &old, Arc::default(), Arc::default()),
            Finished::Stale
        ));
        let new = state.snapshot(&uri()).unwrap();
        assert!(new.analysis.is_none());
        assert!(matches!(
            state.finish(&uri(), &new, Arc::default(), Arc::default()),
            Finished::Current(2)
        ));
        assert!(state.snapshot(&uri()).unwrap().analysis.is_some());
        // The worker is done, so the next change must start one.
        assert!(matches!(state.change(&uri(), 3, full("c")), Ok(Some(_))));
        // Settings changes make the stored analysis stale too; settings
        // that change nothing do not.
        state.change(&uri(), 4, full("d")).unwrap();
        let snap = state.snapshot(&uri()).unwrap();
        state.finish(&uri(), &snap, Arc::default(), Arc::default());
        let (_, start) = state.update_settings(&serde_json::json!({"live": true}));
        assert!(start.is_empty());
        assert!(state.snapshot(&uri()).unwrap().analysis.is_some());
        let (_, start) = state.update_settings(&serde_json::json!({"live": false}));
        assert_eq!(start.len(), 1, "the worker had finished");
        assert!(state.snapshot(&uri()).unwrap().analysis.is_none());
    }

    #[test]
    fn a_reopened_document_is_not_the_closed_one() {
        let state = State::default();
        state.open(uri(), 1, "a".into());
        let old = state.snapshot(&uri()).unwrap();
        assert!(state.close(&uri()));
        state.open(uri(), 1, "a".into());
        assert!(matches!(
            state.finish(&uri(), &old, Arc::default(), Arc::default()),
            Finished::Gone
        ));
    }
}
