//! The `LanguageServer` implementation: each handler updates the state
//! synchronously, then hands work to `publish` or to a `features` function.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::Value;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, CodeActionResponse,
    CodeLens, CodeLensParams, CompletionParams, CompletionResponse, DidChangeConfigurationParams,
    DidChangeTextDocumentParams, DidChangeWatchedFilesParams, DidChangeWorkspaceFoldersParams,
    DidCloseTextDocumentParams, DidOpenTextDocumentParams, DocumentLink, DocumentLinkParams,
    DocumentSymbolParams, DocumentSymbolResponse, ExecuteCommandParams, GotoDefinitionParams,
    GotoDefinitionResponse, Hover, HoverParams, InitializeParams, InitializeResult,
    InitializedParams, Location, MessageType, ReferenceParams, Uri, WorkspaceSymbolParams,
    WorkspaceSymbolResponse,
};
use tower_lsp_server::{Client, LanguageServer};

use super::capabilities::{
    ClientSupport, negotiate_encoding, resolves_edits, server_capabilities, server_info,
};
use super::live::follow_live_data;
use super::publish::{analyse_and_publish, clear};
use super::query::with_analysis;
use super::state::State;
use super::{commands, completion, config, index, live_requests, log, navigation};
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
    /// Whether the task that follows live data runs (one, even if a client
    /// sends `initialized` twice).
    following: AtomicBool,
}

impl Backend {
    pub fn new(client: Client, state: Arc<State>) -> Self {
        Backend {
            client,
            state,
            init_warnings: Default::default(),
            following: AtomicBool::new(false),
        }
    }

    fn start_worker(&self, uri: Uri, id: u64) {
        start_workers(&self.state, &self.client, vec![(uri, id)]);
    }

    /// Pulls the `iacm` settings on a task of its own (the client may take
    /// its time, or never answer) and applies them like pushed ones.
    fn pull_settings(&self) {
        if !self.state.client().configuration {
            return;
        }
        let (state, client) = (self.state.clone(), self.client.clone());
        tokio::spawn(async move {
            if let Some(value) = config::pull(&client).await {
                apply_settings(&state, &client, &value).await;
            }
        });
    }
}

fn start_workers(state: &Arc<State>, client: &Client, docs: Vec<(Uri, u64)>) {
    for (uri, id) in docs {
        tokio::spawn(analyse_and_publish(state.clone(), client.clone(), uri, id));
    }
}

/// Settings JSON from the client on top of the current settings; documents
/// are analysed again when that changed anything.
async fn apply_settings(state: &Arc<State>, client: &Client, value: &Value) {
    let (warnings, start) = state.update_settings(value);
    start_workers(state, client, start);
    warn(client, warnings).await;
}

async fn warn(client: &Client, warnings: Vec<String>) {
    for warning in warnings {
        client
            .log_message(MessageType::WARNING, format!("iacm-lsp: {warning}"))
            .await;
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let enc = negotiate_encoding(&params.capabilities);
        self.state.set_encoding(enc);
        let lazy = resolves_edits(&params.capabilities);
        self.state.lazy_edits.store(lazy, Ordering::Relaxed);
        self.state
            .set_client(ClientSupport::of(&params.capabilities));
        let mut settings = Settings::from_env();
        let warnings = match &params.initialization_options {
            Some(options) => settings.apply_json(options),
            None => Vec::new(),
        };
        self.state.set_settings(settings);
        self.state.index.set_roots(&params);
        *self.init_warnings.lock().unwrap_or_else(|e| e.into_inner()) = warnings;
        log!("initialized; position encoding {}", enc.as_str());
        Ok(InitializeResult {
            capabilities: server_capabilities(enc),
            server_info: Some(server_info()),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        if !self.following.swap(true, Ordering::SeqCst) {
            tokio::spawn(follow_live_data(self.state.clone(), self.client.clone()));
        }
        self.pull_settings();
        index::start(&self.state, &self.client);
        let warnings =
            std::mem::take(&mut *self.init_warnings.lock().unwrap_or_else(|e| e.into_inner()));
        warn(&self.client, warnings).await;
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
            index::document_closed(&self.state, &self.client, &uri);
            clear(&self.state, &self.client, uri).await;
        }
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        // Neovim 0.7 pushes the settings; VS Code sends a hint and expects
        // a pull. Both are handled: the pushed value first, then the pull.
        self.pull_settings();
        apply_settings(&self.state, &self.client, &params.settings).await;
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
        let tooltips = self.state.client().link_tooltips;
        let links = with_analysis(&uri, snapshot, move |snap, analysis| {
            document_links(analysis, &snap.line_index, snap.encoding, tooltips)
        })
        .await;
        Ok(links)
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let at = params.text_document_position_params;
        let (uri, position) = (&at.text_document.uri, at.position);
        if let Some(hover) = navigation::ref_hover_at(&self.state, uri, position).await {
            return Ok(Some(hover));
        }
        Ok(live_requests::hover_at(&self.state, &at.text_document.uri, at.position).await)
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let at = params.text_document_position;
        let (uri, position) = (&at.text_document.uri, at.position);
        if let Some(items) = navigation::ref_completion_at(&self.state, uri, position).await {
            return Ok(Some(items));
        }
        Ok(completion::complete_at(&self.state, &at.text_document.uri, at.position).await)
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let at = params.text_document_position_params;
        let found =
            navigation::definition_at(&self.state, &at.text_document.uri, at.position).await;
        Ok((!found.is_empty()).then_some(GotoDefinitionResponse::Array(found)))
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let at = params.text_document_position;
        let include = params.context.include_declaration;
        let found =
            navigation::references_at(&self.state, &at.text_document.uri, at.position, include)
                .await;
        Ok(Some(found))
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        let found = navigation::document_symbols(&self.state, &params.text_document.uri).await;
        Ok(found.map(DocumentSymbolResponse::Nested))
    }

    async fn symbol(
        &self,
        params: WorkspaceSymbolParams,
    ) -> Result<Option<WorkspaceSymbolResponse>> {
        let found = navigation::workspace_symbols(&self.state, &params.query);
        Ok(Some(WorkspaceSymbolResponse::Flat(found)))
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        index::files_changed(&self.state, &self.client, params.changes).await;
    }

    async fn did_change_workspace_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        index::folders_changed(&self.state, &self.client, params.event).await;
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        Ok(live_requests::lenses(&self.state, &params.text_document.uri).await)
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<Value>> {
        commands::execute(
            &self.state,
            &self.client,
            &params.command,
            &params.arguments,
        )
        .await
    }
}
