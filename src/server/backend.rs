//! The `LanguageServer` implementation: each handler updates the state
//! synchronously, then hands work to `publish` or to a `features` function.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, CodeActionResponse,
    DidChangeConfigurationParams, DidChangeTextDocumentParams, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, DocumentLink, DocumentLinkParams, InitializeParams,
    InitializeResult, InitializedParams, MessageType, Uri,
};
use tower_lsp_server::{Client, LanguageServer};

use super::capabilities::{negotiate_encoding, resolves_edits, server_capabilities, server_info};
use super::document::file_name;
use super::log;
use super::publish::{analyse_and_publish, clear};
use super::state::{Snapshot, State};
use crate::analysis::{Analysis, analyze};
use crate::features::byte_range;
use crate::features::code_action::{
    FIX_ALL_KIND, deferred_fix_all_action, deferred_fix_all_uri, fix_all_action, is_wanted,
    quick_fixes,
};
use crate::features::document_link::document_links;
use crate::settings::Settings;

pub struct Backend {
    client: Client,
    state: Arc<State>,
    /// Settings warnings from `initialize`, logged once the client is ready.
    init_warnings: std::sync::Mutex<Vec<String>>,
}

impl Backend {
    pub fn new(client: Client, state: Arc<State>) -> Self {
        Backend {
            client,
            state,
            init_warnings: Default::default(),
        }
    }

    fn start_worker(&self, uri: Uri, id: u64) {
        tokio::spawn(analyse_and_publish(
            self.state.clone(),
            self.client.clone(),
            uri,
            id,
        ));
    }

    async fn warn(&self, warnings: Vec<String>) {
        for warning in warnings {
            self.client
                .log_message(MessageType::WARNING, format!("iacm-lsp: {warning}"))
                .await;
        }
    }
}

/// Runs `f` on a blocking thread with an analysis of the snapshot's text:
/// the stored one when current, else a fresh one (the worker will store
/// its own shortly).
async fn with_analysis<T: Send + 'static>(
    uri: &Uri,
    snapshot: Snapshot,
    f: impl FnOnce(&Snapshot, &Analysis) -> T + Send + 'static,
) -> Option<T> {
    let name = file_name(uri);
    let job = tokio::task::spawn_blocking(move || {
        let analysis = match &snapshot.analysis {
            Some(analysis) => analysis.clone(),
            None => Arc::new(analyze(&snapshot.text, name.as_deref(), &snapshot.settings)),
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

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let enc = negotiate_encoding(&params.capabilities);
        self.state.set_encoding(enc);
        let lazy = resolves_edits(&params.capabilities);
        self.state.lazy_edits.store(lazy, Ordering::Relaxed);
        let mut settings = Settings::from_env();
        let warnings = match &params.initialization_options {
            Some(options) => settings.apply_json(options),
            None => Vec::new(),
        };
        self.state.set_settings(settings);
        *self.init_warnings.lock().unwrap_or_else(|e| e.into_inner()) = warnings;
        log!("initialized; position encoding {}", enc.as_str());
        Ok(InitializeResult {
            capabilities: server_capabilities(enc),
            server_info: Some(server_info()),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        let warnings =
            std::mem::take(&mut *self.init_warnings.lock().unwrap_or_else(|e| e.into_inner()));
        self.warn(warnings).await;
    }

    async fn shutdown(&self) -> Result<()> {
        self.state.shutdown_requested.store(true, Ordering::SeqCst);
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        let id = self.state.open(doc.uri.clone(), doc.version, doc.text);
        self.start_worker(doc.uri, id);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        match self
            .state
            .change(&uri, params.text_document.version, params.content_changes)
        {
            Ok(Some(id)) => self.start_worker(uri, id),
            Ok(None) => {} // the running worker picks the change up
            Err(why) => log!("{}: {why}", uri.as_str()),
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        if self.state.close(&uri) {
            clear(&self.state, &self.client, uri).await;
        }
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        let (warnings, start) = self.state.update_settings(&params.settings);
        for (uri, id) in start {
            self.start_worker(uri, id);
        }
        self.warn(warnings).await;
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let uri = params.text_document.uri;
        let only = params.context.only;
        let want_quick_fixes = is_wanted(only.as_deref(), &CodeActionKind::QUICKFIX);
        let want_fix_all = is_wanted(only.as_deref(), &FIX_ALL_KIND);
        let Some(snapshot) = self.state.snapshot(&uri) else {
            return Ok(None);
        };
        if !want_quick_fixes && !want_fix_all {
            return Ok(None);
        }
        // Requests without `only` come on every cursor move: there the
        // costly fix-all edit waits for `codeAction/resolve` if it can.
        let defer_fix_all = only.is_none() && self.state.lazy_edits.load(Ordering::Relaxed);
        let range = params.range;
        let target = uri.clone();
        let actions = with_analysis(&uri, snapshot, move |snap, analysis| {
            let (index, enc) = (&snap.line_index, snap.encoding);
            let mut actions = Vec::new();
            if want_quick_fixes {
                let bytes = byte_range(index, &range, enc);
                actions.extend(quick_fixes(analysis, index, enc, &target, bytes));
            }
            if want_fix_all && defer_fix_all {
                actions.extend(deferred_fix_all_action(analysis, &target));
            } else if want_fix_all {
                actions.extend(fix_all_action(
                    &snap.text,
                    &snap.settings,
                    analysis,
                    index,
                    enc,
                    &target,
                ));
            }
            actions
        })
        .await;
        Ok(actions.map(|a| a.into_iter().map(CodeActionOrCommand::CodeAction).collect()))
    }

    async fn code_action_resolve(&self, mut action: CodeAction) -> Result<CodeAction> {
        let Some(uri) = deferred_fix_all_uri(&action) else {
            return Ok(action);
        };
        let Some(snapshot) = self.state.snapshot(&uri) else {
            return Ok(action);
        };
        let target = uri.clone();
        let resolved = with_analysis(&uri, snapshot, move |snap, analysis| {
            let (index, enc) = (&snap.line_index, snap.encoding);
            fix_all_action(&snap.text, &snap.settings, analysis, index, enc, &target)
        })
        .await;
        // Nothing left to fix (e.g. fixed by hand meanwhile): no edit.
        action.edit = resolved.flatten().and_then(|a| a.edit);
        Ok(action)
    }

    async fn document_link(&self, params: DocumentLinkParams) -> Result<Option<Vec<DocumentLink>>> {
        let uri = params.text_document.uri;
        let Some(snapshot) = self.state.snapshot(&uri) else {
            return Ok(None);
        };
        let links = with_analysis(&uri, snapshot, |snap, analysis| {
            document_links(analysis, &snap.line_index, snap.encoding)
        })
        .await;
        Ok(links)
    }
}
